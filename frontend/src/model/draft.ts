// A scenario being edited: the spec itself is the document; every change is a
// small function on a copy, kept on an undo stack. Also the server's
// validation errors mapped to where they belong (a node's snippet and line).
// Pure: no DOM.

import { LINK_SETTINGS, type LinkSetting, type NodeSpec, type ResourceSpec, type ScenarioSpec } from "./spec";

const LIMIT = 200; // undo steps kept

export function emptySpec(): ScenarioSpec {
  return {
    format: "playground.scenario/1",
    slug: "my-scenario",
    title: "My scenario",
    summary: "",
    tags: [],
    nodes: [],
    links: [],
    faults: [],
    run: { mode: "free", seed: 1, timeout_ms: 10_000 },
  };
}

/** A built-in copied into the editor: same nodes and code, a new name. */
export function duplicateSpec(spec: ScenarioSpec): ScenarioSpec {
  const copy = structuredClone(spec);
  copy.slug = `${spec.slug}-copy`.slice(0, 80);
  copy.title = `${spec.title} (copy)`;
  return copy;
}

export class Draft {
  private past: ScenarioSpec[] = [];
  private future: ScenarioSpec[] = [];

  constructor(public spec: ScenarioSpec) {}

  get canUndo(): boolean {
    return this.past.length > 0;
  }

  get canRedo(): boolean {
    return this.future.length > 0;
  }

  private lastKey: string | null = null;

  /**
   * Applies a change to a copy of the spec; returns false (and keeps nothing) if it
   * changed nothing or threw. Changes with the same `coalesce` key in a row (typing
   * in one snippet) make one undo step.
   */
  change(fn: (spec: ScenarioSpec) => void, coalesce: string | null = null): boolean {
    const next = structuredClone(this.spec);
    try {
      fn(next);
    } catch {
      return false;
    }
    if (JSON.stringify(next) === JSON.stringify(this.spec)) return false;
    const merge = coalesce !== null && coalesce === this.lastKey && this.past.length > 0;
    this.lastKey = coalesce;
    if (merge) {
      this.future = [];
      this.spec = next;
      return true;
    }
    this.past.push(this.spec);
    if (this.past.length > LIMIT) this.past.shift();
    this.future = [];
    this.spec = next;
    return true;
  }

  undo(): boolean {
    const prev = this.past.pop();
    if (!prev) return false;
    this.lastKey = null;
    this.future.push(this.spec);
    this.spec = prev;
    return true;
  }

  redo(): boolean {
    const next = this.future.pop();
    if (!next) return false;
    this.past.push(this.spec);
    this.spec = next;
    return true;
  }
}

// --- edits (each mutates the copy it is given) ------------------------------

export function freeId(spec: ScenarioSpec, base: string): string {
  const taken = new Set(spec.nodes.map((n) => n.id));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}${i}`)) return `${base}${i}`;
}

export function addNode(spec: ScenarioSpec, role: string, x?: number, y?: number): string {
  const id = freeId(spec, role === "process" ? "node" : role);
  const i = spec.nodes.length;
  spec.nodes.push({
    id, role, shared: {}, resources: [], setup: "",
    threads: [{ name: "main", code: "" }],
    x: x ?? 120 + (i % 4) * 150, y: y ?? 90 + Math.floor(i / 4) * 130 + (i % 2) * 40,
  });
  return id;
}

export function node(spec: ScenarioSpec, id: string): NodeSpec {
  const n = spec.nodes.find((x) => x.id === id);
  if (!n) throw new Error(`no node ${id}`);
  return n;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,39}$/;

export function renameNode(spec: ScenarioSpec, from: string, to: string): void {
  if (!NAME.test(to) || spec.nodes.some((n) => n.id === to)) throw new Error("bad or taken name");
  node(spec, from).id = to;
  for (const l of spec.links ?? []) {
    if (l.a === from) l.a = to;
    if (l.b === from) l.b = to;
  }
  for (const f of spec.faults ?? []) if (f.node === from) f.node = to;
}

export function deleteNode(spec: ScenarioSpec, id: string): void {
  spec.nodes = spec.nodes.filter((n) => n.id !== id);
  spec.links = (spec.links ?? []).filter((l) => l.a !== id && l.b !== id);
  spec.faults = (spec.faults ?? []).filter((f) => f.node !== id);
}

export function moveNode(spec: ScenarioSpec, id: string, x: number, y: number): void {
  const n = node(spec, id);
  n.x = x;
  n.y = y;
}

export function addLink(spec: ScenarioSpec, a: string, b: string): void {
  if (a === b) throw new Error("a link joins two nodes");
  node(spec, a);
  node(spec, b);
  const links = (spec.links ??= []);
  if (links.some((l) => (l.a === a && l.b === b) || (l.a === b && l.b === a))) throw new Error("already linked");
  links.push({ a, b, latency_ms: 10, jitter_ms: 0, loss: 0, duplicate: 0, reorder: 0 });
}

export function deleteLink(spec: ScenarioSpec, a: string, b: string): void {
  spec.links = (spec.links ?? []).filter((l) => !((l.a === a && l.b === b) || (l.a === b && l.b === a)));
}

export function setLink(spec: ScenarioSpec, a: string, b: string, key: LinkSetting, value: number): void {
  if (!LINK_SETTINGS.includes(key)) throw new Error(key);
  const l = (spec.links ?? []).find((x) => (x.a === a && x.b === b) || (x.a === b && x.b === a));
  if (!l) throw new Error("no such link");
  const max = key.endsWith("_ms") ? 10_000 : 1;
  l[key] = Math.max(0, Math.min(max, Number.isFinite(value) ? value : 0));
}

/** `text` is a JSON object of the node's shared variables, e.g. {"balance": 10}. */
export function setShared(spec: ScenarioSpec, id: string, text: string): void {
  const value = text.trim() ? JSON.parse(text) : {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("an object of names and values");
  node(spec, id).shared = value;
}

export function addResource(spec: ScenarioSpec, id: string, r: ResourceSpec): void {
  if (!NAME.test(r.name)) throw new Error("bad name");
  const n = node(spec, id);
  const list = (n.resources ??= []);
  if (list.some((x) => x.name === r.name)) throw new Error("taken");
  list.push(r);
}

export function removeResource(spec: ScenarioSpec, id: string, name: string): void {
  const n = node(spec, id);
  n.resources = (n.resources ?? []).filter((r) => r.name !== name);
}

/** `snippet`: "setup" or a thread's name. */
export function setCode(spec: ScenarioSpec, id: string, snippet: string, code: string): void {
  const n = node(spec, id);
  if (snippet === "setup") n.setup = code;
  else {
    const t = n.threads.find((x) => x.name === snippet);
    if (!t) throw new Error("no such thread");
    t.code = code;
  }
}

export function addThread(spec: ScenarioSpec, id: string): string {
  const n = node(spec, id);
  const taken = new Set(n.threads.map((t) => t.name));
  let i = n.threads.length + 1;
  while (taken.has(`T${i}`)) i++;
  n.threads.push({ name: `T${i}`, code: "" });
  return `T${i}`;
}

export function renameThread(spec: ScenarioSpec, id: string, from: string, to: string): void {
  const n = node(spec, id);
  if (!NAME.test(to) || to === "setup" || n.threads.some((t) => t.name === to)) throw new Error("bad or taken name");
  const t = n.threads.find((x) => x.name === from);
  if (!t) throw new Error("no such thread");
  t.name = to;
}

export function removeThread(spec: ScenarioSpec, id: string, name: string): void {
  const n = node(spec, id);
  n.threads = n.threads.filter((t) => t.name !== name);
}

// --- validation errors -----------------------------------------------------

export interface SpecProblem {
  path: string;
  message: string;
  node: string | null; // the node id the path points into
  snippet: string | null; // "setup" or a thread name, for code errors
  line: number | null;
}

/** Places each {path, message} of a 400 answer: nodes[0].threads[1].code + "SyntaxError line 2: …" → node, thread, line 2. */
export function placeErrors(spec: ScenarioSpec, errors: readonly { path: string; message: string }[]): SpecProblem[] {
  return errors.map(({ path, message }) => {
    const m = /^nodes\[(\d+)\](?:\.(setup)|\.threads\[(\d+)\](?:\.code)?)?/.exec(path);
    const n = m ? spec.nodes[Number(m[1])] : undefined;
    const snippet = m?.[2] ? "setup" : m?.[3] !== undefined ? n?.threads[Number(m[3])]?.name ?? null : null;
    const line = /line (\d+)/.exec(message);
    return { path, message, node: n?.id ?? null, snippet, line: snippet && line ? Number(line[1]) : snippet ? 1 : null };
  });
}

/** The spec as the server wants it: a valid slug. */
export function forServer(spec: ScenarioSpec): ScenarioSpec {
  const copy = structuredClone(spec);
  copy.slug = slugify(copy.slug || copy.title || "untitled");
  return copy;
}

export function slugify(text: string): string {
  const s = text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 80);
  return s || "untitled";
}
