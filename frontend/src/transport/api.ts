// The HTTP API of CONTRACT.md, typed.

import type { RunStatus } from "../model/events";
import type { Curriculum, ProgressItem } from "../model/curriculum";
import type { ScenarioSpec, ScenarioSummary } from "../model/spec";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(describeError(status, body));
  }
}

function describeError(status: number, body: unknown): string {
  if (body && typeof body === "object") {
    const b = body as { errors?: { path: string; message: string }[]; error?: string; detail?: string };
    if (Array.isArray(b.errors) && b.errors.length) return b.errors.map((e) => `${e.path}: ${e.message}`).join("\n");
    if (b.error) return String(b.error);
    if (b.detail) return String(b.detail);
  }
  return `HTTP ${status}`;
}

function csrfToken(): string {
  // Django's csrftoken cookie, else the token the template renders into <meta name="csrf-token">.
  const cookie = /(?:^|;\s*)csrftoken=([^;]+)/.exec(document.cookie)?.[1];
  return cookie ? decodeURIComponent(cookie) : document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

/** A JSON request to the server (the CSRF token on unsafe ones); an ApiError on a 4xx/5xx. */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  if (body !== undefined && !(body instanceof FormData)) headers["Content-Type"] = "application/json";
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
    credentials: "same-origin",
  });
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { error: text.slice(0, 200) };
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data as T;
}

export interface CreatedRun {
  id: number | string;
  status: RunStatus;
  ws?: string;
  trace?: string;
}

/** What POST /api/runs may override in the spec's `run` section. */
export interface RunOptions {
  mode?: "free" | "step" | "replay" | "random" | "explore";
  seed?: number;
  schedule?: string[];
  timeout_ms?: number;
  max_schedules?: number;
  pace?: number; // free runs: steps per second (0.5–50), so a run can be followed live
}

/** POST /api/checks: one challenge of a lesson judged. */
export interface CheckRequest {
  scenario: string;
  challenge: string;
  spec?: ScenarioSpec;
  run?: string;
  answer?: unknown;
}

export interface CheckWitness {
  schedule: string[];
  outcome?: Record<string, unknown>;
  verdict?: unknown;
  replays?: boolean;
  scenario?: ScenarioSpec; // the spec as checked: the witness replays on it
}

export interface CheckResult {
  passed: boolean;
  message: string;
  explored: number;
  exhaustive: boolean;
  covered?: string;
  witness?: CheckWitness;
  answer?: unknown;
  witness_length?: number;
  longest_witness?: number;
  refused?: boolean;
}

export interface RunInfo {
  id: number | string;
  status: RunStatus;
  events?: number; // the last stored seq
  mode?: string;
  scenario?: unknown;
  result?: unknown;
}

export interface Me {
  authenticated: boolean;
  username: string | null;
  login: string;
  signup: string;
  logout: string;
}

export interface SavedScenario extends ScenarioSummary {
  builtin?: boolean;
  owner?: boolean;
  share_id?: string | null;
}

/** POST /api/traces: the stored run an uploaded trace became. */
export interface UploadedTrace {
  id: number | string;
  status?: RunStatus;
  events?: number;
  ws?: string;
}

function traceForm(file: Blob, name: string): FormData {
  const form = new FormData();
  form.append("trace", file, name);
  return form;
}

export const api = {
  me: () => request<Me>("GET", "/api/me"),
  saveScenario: (spec: ScenarioSpec) => request<SavedScenario>("POST", "/api/scenarios", spec),
  replaceScenario: (slug: string, spec: ScenarioSpec) => request<SavedScenario>("PUT", `/api/scenarios/${encodeURIComponent(slug)}`, spec),
  validate: (spec: ScenarioSpec) => request<{ ok: boolean }>("POST", "/api/scenarios/validate", spec),
  scenarios: () => request<ScenarioSummary[]>("GET", "/api/scenarios"),
  scenario: (slug: string) => request<ScenarioSpec>("GET", `/api/scenarios/${encodeURIComponent(slug)}`),
  createRun: (scenario: string | ScenarioSpec, options: RunOptions = {}) =>
    request<CreatedRun>("POST", "/api/runs", { scenario, ...options }),
  run: (id: number | string) => request<RunInfo>("GET", `/api/runs/${id}`),
  /** Stored events after `after`, at most `limit` (≤ 10,000) per call. */
  events: (id: number | string, after: number, limit: number) =>
    request<{ events: unknown[]; last: number; more: boolean; status: string }>("GET", `/api/runs/${id}/events?after=${after}&limit=${limit}`),
  cancel: (id: number | string) => request<unknown>("POST", `/api/runs/${id}/cancel`),
  traceUrl: (id: number | string, format = "jsonl") => `/api/runs/${id}/trace?format=${encodeURIComponent(format)}`,
  /** The trace formats the server exports ({format, title, extension, content_type, opens_with}[]). */
  exports: () => request<unknown>("GET", "/api/exports"),
  /** Uploads a JSONL trace (multipart field `trace`); a 400 names the line at fault. */
  curriculum: () => request<Curriculum>("GET", "/api/curriculum"),
  check: (body: CheckRequest) => request<CheckResult>("POST", "/api/checks", body),
  progress: () => request<{ items: ProgressItem[] }>("GET", "/api/progress"),
  mergeProgress: (items: ProgressItem[]) => request<{ items: ProgressItem[] }>("PUT", "/api/progress", { items }),
  uploadTrace: (file: Blob, name = "trace.jsonl") => request<UploadedTrace>("POST", "/api/traces", traceForm(file, name)),
};
