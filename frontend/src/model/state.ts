// The state of a run after some prefix of its events: a pure reducer.
// `applyEvent` mutates a RunState it owns; `cloneState` makes checkpoints.

import type { BlockedThread, CycleStep, Outcome, RunStatus, TraceEvent, WaitForGraph } from "./events";
import type { ScenarioSpec } from "./spec";
import { readDeadlockKind, readVerdict, type DeadlockKind, type Verdict } from "./verdict";

// "ready": under controlled scheduling, a thread that could go but was not chosen for this step.
export type ThreadStatus = "waiting to start" | "running" | "ready" | "blocked" | "finished" | "failed";

export interface ThreadState {
  id: string; // node/thread
  node: string;
  status: ThreadStatus;
  blockedOn: string | null; // resource id while blocked
  line: number | null; // last line reported by an event
  snippet: string | null; // where that line is: "setup" or the thread's name
  error: string | null;
}

export interface ResourceState {
  id: string; // node/resource
  node: string;
  name: string;
  rtype: string;
  owners: string[];
  waiting: string[];
  value: number | null;
  lastSeq: number; // 0 = never touched
}

export interface VariableState {
  node: string;
  name: string;
  value: unknown;
  previous: unknown;
  writer: string | null;
  lastSeq: number; // seq of the last write, 0 = initial value
}

export interface DeadlockState {
  seq: number;
  cycle: CycleStep[];
  graph: WaitForGraph;
  kind: DeadlockKind; // a cycle, or waiting on something no live thread will release
  message: string | null; // the engine's sentence, when it gives one
}

export interface FinishedState {
  seq: number;
  status: RunStatus;
  shared: Record<string, Record<string, unknown>>;
  outputs: Record<string, string[]>;
  error: string | null;
  verdict?: Verdict | null; // what the run showed, in the learner's words (newer servers)
  seed?: number | null; // the seed a free run used
}

/** A step-mode run waiting for the learner: who may go, who may not and why. */
export interface StepReady {
  seq: number;
  enabled: string[];
  blocked: BlockedThread[];
}

export interface ExploreResult {
  explored: number;
  exhaustive: boolean;
  states: number | null;
  outcomes: Outcome[];
  stoppedBy: string | null;
}

export interface ExploreState {
  explored: number;
  distinct: number;
  result: ExploreResult | null;
}

export interface RunState {
  seq: number; // last applied event
  t: number;
  threads: Map<string, ThreadState>;
  resources: Map<string, ResourceState>;
  variables: Map<string, VariableState>; // key node/name
  outputs: Map<string, string[]>;
  deadlock: DeadlockState | null;
  violations: { seq: number; invariant: string; values: Record<string, unknown> }[];
  finished: FinishedState | null;
  schedule: string[]; // controlled runs: the thread of each `step` so far
  ready: StepReady | null; // step mode: set by step.ready until the next step
  refused: { seq: number; requested: string; reason: string } | null;
  explore: ExploreState | null;
}

export function qualify(node: string | null, name: string): string {
  return name.includes("/") || !node ? name : `${node}/${name}`;
}

/** The state before the first event: what the spec declares. */
export function initialState(spec?: ScenarioSpec | null): RunState {
  const state: RunState = {
    seq: 0,
    t: 0,
    threads: new Map(),
    resources: new Map(),
    variables: new Map(),
    outputs: new Map(),
    deadlock: null,
    violations: [],
    finished: null,
    schedule: [],
    ready: null,
    refused: null,
    explore: null,
  };
  for (const node of spec?.nodes ?? []) {
    for (const [name, value] of Object.entries(node.shared ?? {})) {
      state.variables.set(qualify(node.id, name), {
        node: node.id, name, value, previous: undefined, writer: null, lastSeq: 0,
      });
    }
    for (const r of node.resources ?? []) {
      const id = qualify(node.id, r.name);
      state.resources.set(id, {
        id, node: node.id, name: r.name, rtype: r.type, owners: [], waiting: [],
        value: r.type === "semaphore" ? r.value ?? 1 : null, lastSeq: 0,
      });
    }
    for (const t of node.threads) {
      const id = qualify(node.id, t.name);
      state.threads.set(id, newThread(id, node.id));
    }
  }
  return state;
}

function newThread(id: string, node: string): ThreadState {
  return { id, node, status: "waiting to start", blockedOn: null, line: null, snippet: null, error: null };
}

function threadOf(state: RunState, e: TraceEvent): ThreadState | null {
  if (!e.thread) return null;
  const id = qualify(e.node, e.thread);
  let th = state.threads.get(id);
  if (!th) {
    th = newThread(id, e.node ?? id.split("/")[0]);
    state.threads.set(id, th);
  }
  return th;
}

export function applyEvent(state: RunState, e: TraceEvent): void {
  state.seq = e.seq;
  state.t = e.t;
  const th = threadOf(state, e);
  if (th && typeof e.line === "number") {
    th.line = e.line;
    th.snippet = e.snippet ?? th.id.slice(th.id.indexOf("/") + 1);
  }
  // Any event a thread emits means it is running again, unless the event says otherwise.
  if (th && th.status !== "finished" && th.status !== "failed") {
    th.status = "running";
    th.blockedOn = null;
  }

  switch (e.kind) {
    case "step":
      // One thread goes; the others that were running are paused at their scheduling point.
      for (const other of state.threads.values()) {
        if (other !== th && other.status === "running") other.status = "ready";
      }
      if (th) state.schedule.push(th.id);
      state.ready = null;
      state.refused = null;
      break;
    case "step.ready":
      // The run waits for the learner: nobody is running.
      for (const t of state.threads.values()) if (t.status === "running") t.status = "ready";
      state.ready = { seq: e.seq, enabled: e.enabled ?? [], blocked: e.blocked ?? [] };
      break;
    case "step.refused":
      state.refused = { seq: e.seq, requested: e.requested ?? "?", reason: e.reason ?? "" };
      break;
    case "explore.progress":
      state.explore = {
        explored: e.explored ?? 0,
        distinct: e.distinct ?? 0,
        result: state.explore?.result ?? null,
      };
      break;
    case "explore.result":
      state.explore = {
        explored: e.explored ?? 0,
        distinct: e.outcomes?.length ?? 0,
        result: {
          explored: e.explored ?? 0,
          exhaustive: !!e.exhaustive,
          states: typeof e.states === "number" ? e.states : null,
          outcomes: e.outcomes ?? [],
          stoppedBy: e.stopped_by ?? null,
        },
      };
      break;
    case "thread.finished":
      if (th) th.status = "finished";
      break;
    case "thread.failed":
      if (th) {
        th.status = "failed";
        th.error = e.error ?? "failed";
      }
      break;
    case "var.write":
    case "var.read": {
      if (!e.name || !e.node) break;
      const key = qualify(e.node, e.name);
      const v = state.variables.get(key) ?? {
        node: e.node, name: e.name, value: undefined, previous: undefined, writer: null, lastSeq: 0,
      };
      if (e.kind === "var.write") {
        v.previous = "previous" in e ? e.previous : v.value;
        v.value = e.value;
        v.writer = th?.id ?? null;
        v.lastSeq = e.seq;
      } else if (v.lastSeq === 0 && v.value === undefined) {
        v.value = e.value;
      }
      state.variables.set(key, v);
      break;
    }
    case "output":
      if (th) {
        const lines = state.outputs.get(th.id) ?? [];
        lines.push(String(e.text ?? ""));
        state.outputs.set(th.id, lines);
      }
      break;
    case "deadlock":
      state.deadlock = {
        seq: e.seq,
        cycle: e.cycle ?? [],
        graph: e.graph ?? { nodes: [], edges: [] },
        kind: readDeadlockKind(e.deadlock_kind),
        message: typeof e.message === "string" ? e.message : null,
      };
      break;
    case "invariant.violated":
      state.violations.push({ seq: e.seq, invariant: e.invariant ?? "?", values: e.values ?? {} });
      break;
    case "run.finished":
      state.finished = {
        seq: e.seq,
        status: e.status ?? "completed",
        shared: e.shared ?? {},
        outputs: e.outputs ?? {},
        error: e.error ?? null,
        verdict: readVerdict(e.verdict),
        seed: typeof e.seed === "number" ? e.seed : null,
      };
      for (const [node, vars] of Object.entries(e.shared ?? {})) {
        for (const [name, value] of Object.entries(vars)) {
          const key = qualify(node, name);
          const v = state.variables.get(key);
          if (v) v.value = value;
          else state.variables.set(key, { node, name, value, previous: undefined, writer: null, lastSeq: e.seq });
        }
      }
      break;
    default:
      if (e.kind.startsWith("sync.")) applySync(state, e, th);
  }
}

function applySync(state: RunState, e: TraceEvent, th: ThreadState | null): void {
  if (!e.resource) return;
  const id = qualify(e.node, e.resource);
  const r = state.resources.get(id) ?? {
    id, node: e.node ?? id.split("/")[0], name: e.resource, rtype: e.rtype ?? "lock",
    owners: [], waiting: [], value: null, lastSeq: 0,
  };
  if (e.rtype) r.rtype = e.rtype;
  if (e.state) {
    r.owners = (e.state.owners ?? []).map((o) => qualify(e.node, o));
    r.waiting = (e.state.waiting ?? []).map((w) => qualify(e.node, w));
    r.value = typeof e.state.value === "number" ? e.state.value : r.value;
  }
  r.lastSeq = e.seq;
  state.resources.set(id, r);
  if (th && (e.kind === "sync.request" || e.kind === "sync.wait")) {
    th.status = "blocked";
    th.blockedOn = id;
  }
}

export function cloneState(s: RunState): RunState {
  const copyMap = <T extends object>(m: Map<string, T>) =>
    new Map([...m].map(([k, v]) => [k, structuredClone(v)] as [string, T]));
  return {
    seq: s.seq,
    t: s.t,
    threads: copyMap(s.threads),
    resources: copyMap(s.resources),
    variables: copyMap(s.variables),
    outputs: new Map([...s.outputs].map(([k, v]) => [k, [...v]])),
    deadlock: s.deadlock,
    violations: [...s.violations],
    finished: s.finished,
    schedule: [...s.schedule],
    ready: s.ready,
    refused: s.refused,
    explore: s.explore,
  };
}
