// The classroom's HTTP API (README "Classroom"), typed as the pages use it.

import { request as call } from "../transport/api";
import type { ScenarioSpec } from "../model/spec";

export interface Question {
  text: string;
  choices?: (string | number)[] | null;
}

export interface Activity {
  id: number;
  number: number;
  mode: "predict" | "break" | "fix" | "run";
  scenario: string;
  spec: ScenarioSpec & { challenges?: Challenge[] };
  challenge: string | null;
  question: Question | null;
  editing: "locked" | "open";
  vote: { number: number; open: boolean };
  revealed: number[];
}

export interface Challenge {
  id: string;
  kind: "predict" | "break" | "fix";
  text: string;
  choices?: (string | number)[];
}

export interface Tally {
  vote: number;
  total: number;
  counts: { answer: string; count: number }[];
}

export interface ExploredOutcome {
  key: string;
  label: string;
  status: string;
  count: number;
}

export interface Exploration {
  run: string;
  status: string;
  ws: string;
  outcomes: ExploredOutcome[] | null;
  explored?: number;
  exhaustive?: boolean;
}

export interface RunBrief {
  id: string;
  status: string;
  ws: string;
  outcome: { key: string; label: string } | null;
}

export interface ChallengeState {
  source: "check" | "run";
  passed?: boolean;
  ok?: boolean;
  message?: string;
  challenge?: string;
  kind?: string;
  title?: string;
}

export interface Student {
  id: number;
  name: string;
  connected: boolean;
  last_seen: string | null;
  joined?: string | null;
  status: string;
  answers: Record<string, unknown>;
  run: RunBrief | null;
  challenge: ChallengeState | null;
  runs: number | RunBrief[];
}

export interface GalleryCard {
  key: string;
  label: string;
  status: string;
  count: number;
  students: number[];
  runs: number;
  run: string;
}

export interface Spotlight {
  run: string;
  ws: string;
  kind: "run" | "exploration";
  status: string;
  name: string | null;
  outcome: { key: string; label: string } | null;
  at: string;
}

export interface Reveal {
  activity: number;
  revealed: number[];
  tallies: Tally[];
  exploration: Exploration | null;
}

export interface Dashboard {
  role: "teacher";
  code: string;
  title: string;
  open: boolean;
  join_url: string;
  screen_url: string;
  qr: string;
  students: Student[];
  activity: (Activity & { tallies: Tally[]; shift: { from: string; to: string; count: number }[]; exploration: Exploration | null }) | null;
  outcomes: { key: string; label: string; count: number }[];
  gallery: GalleryCard[];
  spotlight: Spotlight | null;
}

export interface StudentView {
  role: "student";
  code: string;
  title: string;
  open: boolean;
  seat: Student & { runs: RunBrief[] };
  activity: Activity | null;
  revealed: Reveal | null;
  spotlight: Spotlight | null;
}

export interface ScreenView {
  role: "screen";
  code: string;
  title: string;
  activity: Activity | null;
  revealed: Reveal | null;
  spotlight: Spotlight | null;
}

export interface ClassLinks {
  code: string;
  title: string;
  join_url: string;
  screen_url: string;
  qr: string;
  open?: boolean;
  created?: string;
}

export interface SeatCheck {
  passed: boolean;
  message: string;
  challenge: string;
  kind: string;
  covered?: string;
  witness?: { schedule: string[] };
}

const base = (code: string) => `/api/classrooms/${encodeURIComponent(code)}`;

export const classApi = {
  me: () => call<{ authenticated: boolean; username: string | null; login: string; logout: string }>("GET", "/api/me"),
  list: () => call<ClassLinks[]>("GET", "/api/classrooms"),
  create: (title: string) => call<ClassLinks>("POST", "/api/classrooms", { title }),
  view: <T>(code: string) => call<T>("GET", base(code)),
  join: (code: string, name: string) => call<{ seat: number; name: string }>("POST", `${base(code)}/join`, { name }),
  push: (code: string, body: { scenario: string; mode: string; challenge?: string | null; question?: Question | null; editing: string }) =>
    call<Activity>("POST", `${base(code)}/activities`, body),
  editing: (code: string, activity: number, editing: string) => call<Activity>("PATCH", `${base(code)}/activities/${activity}`, { editing }),
  answer: (code: string, activity: number, answer: unknown, vote?: number) => call<unknown>("POST", `${base(code)}/answers`, { activity, answer, vote }),
  vote: (code: string, activity: number, vote: number, open = true) => call<unknown>("POST", `${base(code)}/votes`, { activity, vote, open }),
  reveal: (code: string, activity: number) => call<Reveal>("POST", `${base(code)}/reveal`, { activity }),
  explore: (code: string, activity: number) => call<{ run: string }>("POST", `${base(code)}/explore`, { activity }),
  spotlight: (code: string, run: string | null, showName = false) => call<unknown>("POST", `${base(code)}/spotlight`, { run, show_name: showName }),
  check: (code: string, body: { activity: number; challenge?: string; run?: string; spec?: ScenarioSpec; answer?: unknown }) =>
    call<SeatCheck>("POST", `${base(code)}/checks`, body),
  rename: (code: string, seat: number, name: string) => call<unknown>("PATCH", `${base(code)}/students/${seat}`, { name }),
  remove: (code: string, seat: number) => call<unknown>("DELETE", `${base(code)}/students/${seat}`),
  end: (code: string) => call<unknown>("POST", `${base(code)}/end`),
  results: (code: string, format: "csv" | "json") => `${base(code)}/results?format=${format}`,
  scenarios: () => call<{ slug: string; title: string }[]>("GET", "/api/scenarios"),
  scenario: (slug: string) => call<ScenarioSpec & { challenges?: Challenge[] }>("GET", `/api/scenarios/${encodeURIComponent(slug)}`),
};
