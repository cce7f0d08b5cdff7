// playground.event/1 as the browser sees it. One interface with optional
// per-kind fields keeps parsing tolerant: unknown kinds still show in the log.
import { FINAL_STATUSES, type RunStatus as ServerRunStatus } from "./contract.gen";

export interface SyncState {
  owners: string[];
  waiting: string[];
  value?: number | null;
}

export interface CycleStep {
  thread: string;
  waits_for: string;
  held_by: string;
}

export interface GraphNode {
  id: string;
  type: "thread" | "resource";
}

export interface GraphEdge {
  from: string;
  to: string;
  type: "holds" | "waits";
}

export interface WaitForGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** A thread that cannot take the next step, and why (step.ready `blocked`). */
export interface BlockedThread {
  thread: string;
  waits_for: string | null;
  held_by: string | null;
}

/** One distinct outcome of an exploration (explore.result `outcomes`). */
export interface Outcome {
  key: string;
  count: number;
  status: "completed" | "deadlock" | "violated" | "failed" | string;
  shared: Record<string, Record<string, unknown>>;
  outputs: Record<string, string[]>;
  schedule: string[];
  deadlock?: CycleStep[];
  violation?: { invariant: string; node: string; values: Record<string, unknown> };
  error?: string;
  serial?: boolean; // the same as some order of whole threads, one after another
  verdict?: unknown; // the witness's verdict (model/verdict.ts reads it)
}

/** A run's status as the server says it, and "pending" before the server has answered. */
export type RunStatus = ServerRunStatus | "pending";

/** The statuses after which nothing changes: from the engine's contract (contract.gen.ts). */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set<string>(FINAL_STATUSES);

export interface TraceEvent {
  seq: number;
  t: number;
  kind: string;
  node: string | null;
  thread: string | null;
  lamport?: number;
  vc?: Record<string, number>;
  line?: number;
  snippet?: string;
  // var.*
  name?: string;
  value?: unknown;
  previous?: unknown;
  // sync.*
  resource?: string;
  rtype?: string;
  state?: SyncState;
  // thread.failed, run.finished
  error?: string;
  // msg.*
  id?: string;
  from?: string;
  to?: string;
  content?: unknown;
  reason?: string;
  copy?: string;
  groups?: string[][];
  // output
  text?: string;
  // deadlock
  cycle?: CycleStep[];
  graph?: WaitForGraph;
  // invariant.violated
  invariant?: string;
  values?: Record<string, unknown>;
  // step, step.ready, step.refused (controlled runs)
  index?: number;
  enabled?: string[];
  blocked?: BlockedThread[];
  requested?: string;
  // explore.progress, explore.result
  explored?: number;
  distinct?: number;
  exhaustive?: boolean;
  states?: number;
  outcomes?: Outcome[];
  stopped_by?: string;
  // run.started / run.finished
  mode?: string;
  seed?: number;
  status?: RunStatus;
  shared?: Record<string, Record<string, unknown>>;
  outputs?: Record<string, string[]>;
  schedule?: string[];
  [extra: string]: unknown;
}

/** Accepts what looks like an event; the transport drops anything else. */
export function isTraceEvent(x: unknown): x is TraceEvent {
  if (typeof x !== "object" || x === null) return false;
  const e = x as Record<string, unknown>;
  return Number.isInteger(e.seq) && (e.seq as number) > 0 && typeof e.kind === "string";
}
