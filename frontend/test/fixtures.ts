// Small hand-written traces in the shape CONTRACT.md and the engine README describe.

import type { TraceEvent } from "../src/model/events";
import type { ScenarioSpec } from "../src/model/spec";

let seq = 0;
function ev(kind: string, thread: string | null, extra: Partial<TraceEvent> = {}): TraceEvent {
  seq += 1;
  return { seq, t: seq / 1000, kind, node: thread ? thread.split("/")[0] : null, thread, ...extra };
}
const lock = (owners: string[], waiting: string[] = []) => ({ owners, waiting, value: null });

export const deadlockSpec: ScenarioSpec = {
  slug: "deadlock-two-locks",
  title: "Two locks, opposite order",
  nodes: [
    {
      id: "bank",
      shared: {},
      resources: [
        { name: "x_lock", type: "lock" },
        { name: "y_lock", type: "lock" },
      ],
      threads: [
        { name: "P1", code: "with x_lock:\n    with y_lock:\n        pass" },
        { name: "P2", code: "with y_lock:\n    with x_lock:\n        pass" },
      ],
    },
  ],
};

seq = 0;
export const deadlockTrace: TraceEvent[] = [
  ev("run.started", null, { mode: "free", seed: 1 }),
  ev("thread.started", "bank/P1"),
  ev("thread.started", "bank/P2"),
  ev("sync.acquire", "bank/P1", { resource: "x_lock", rtype: "lock", state: lock(["bank/P1"]), line: 1 }),
  ev("sync.acquire", "bank/P2", { resource: "y_lock", rtype: "lock", state: lock(["bank/P2"]), line: 1 }),
  ev("sync.request", "bank/P1", { resource: "y_lock", rtype: "lock", state: lock(["bank/P2"], ["bank/P1"]), line: 2 }),
  ev("sync.request", "bank/P2", { resource: "x_lock", rtype: "lock", state: lock(["bank/P1"], ["bank/P2"]), line: 2 }),
  ev("deadlock", null, {
    cycle: [
      { thread: "bank/P1", waits_for: "bank/y_lock", held_by: "bank/P2" },
      { thread: "bank/P2", waits_for: "bank/x_lock", held_by: "bank/P1" },
    ],
    graph: {
      nodes: [
        { id: "bank/P1", type: "thread" },
        { id: "bank/P2", type: "thread" },
        { id: "bank/x_lock", type: "resource" },
        { id: "bank/y_lock", type: "resource" },
      ],
      edges: [
        { from: "bank/P1", to: "bank/x_lock", type: "holds" },
        { from: "bank/P2", to: "bank/y_lock", type: "holds" },
        { from: "bank/P1", to: "bank/y_lock", type: "waits" },
        { from: "bank/P2", to: "bank/x_lock", type: "waits" },
      ],
    },
  }),
  ev("thread.failed", "bank/P1", { error: "DeadlockError", line: 2 }),
  ev("thread.failed", "bank/P2", { error: "DeadlockError", line: 2 }),
  ev("run.finished", null, { status: "deadlock", shared: { bank: {} }, outputs: {} }),
];

export const bankSpec: ScenarioSpec = {
  slug: "bank-withdraw-lock",
  title: "Withdrawals with a lock",
  nodes: [
    {
      id: "bank",
      shared: { balance: 10 },
      resources: [{ name: "balance_lock", type: "lock" }],
      threads: [
        { name: "P1", code: "withdraw(8)" },
        { name: "P2", code: "withdraw(7)" },
      ],
    },
  ],
};

seq = 0;
export const bankTrace: TraceEvent[] = [
  ev("run.started", null, { mode: "free", seed: 1 }),
  ev("thread.started", "bank/P1"),
  ev("thread.started", "bank/P2"),
  ev("sync.acquire", "bank/P1", { resource: "balance_lock", rtype: "lock", state: lock(["bank/P1"]) }),
  ev("sync.request", "bank/P2", { resource: "balance_lock", rtype: "lock", state: lock(["bank/P1"], ["bank/P2"]) }),
  ev("var.read", "bank/P1", { name: "balance", value: 10 }),
  ev("var.write", "bank/P1", { name: "balance", value: 2, previous: 10 }),
  ev("output", "bank/P1", { text: "2" }),
  ev("sync.release", "bank/P1", { resource: "balance_lock", rtype: "lock", state: lock([], ["bank/P2"]) }),
  ev("sync.acquire", "bank/P2", { resource: "balance_lock", rtype: "lock", state: lock(["bank/P2"]) }),
  ev("thread.finished", "bank/P1"),
  ev("var.read", "bank/P2", { name: "balance", value: 2 }),
  ev("output", "bank/P2", { text: "Insufficient funds" }),
  ev("sync.release", "bank/P2", { resource: "balance_lock", rtype: "lock", state: lock([]) }),
  ev("thread.finished", "bank/P2"),
  ev("run.finished", null, {
    status: "completed",
    shared: { bank: { balance: 2 } },
    outputs: { "bank/P1": ["2"], "bank/P2": ["Insufficient funds"] },
  }),
];

/** A long trace of a counter incremented n times, to cross checkpoints. */
export function counterTrace(n: number): TraceEvent[] {
  const out: TraceEvent[] = [];
  for (let i = 1; i <= n; i++) {
    out.push({ seq: i, t: i, kind: "var.write", node: "n", thread: "n/T", name: "c", value: i, previous: i - 1 });
  }
  return out;
}
