import { describe, expect, it } from "vitest";
import type { Outcome } from "../src/model/events";
import { makeNamer } from "../src/model/names";
import { outcomeViews, parseKeepingNumbers } from "../src/model/outcomes";
import { TraceModel } from "../src/model/trace";

function outcome(status: string, shared: Record<string, Record<string, unknown>>, outputs: Record<string, string[]>, count = 1, extra = {}): Outcome {
  const key = JSON.stringify({ status, shared, outputs, ...extra });
  return { key, count, status, shared, outputs, schedule: [], ...extra };
}

describe("outcome labels", () => {
  const name = makeNamer(["bank"]);

  it("reads the final variables then each thread's output", () => {
    const [v] = outcomeViews([outcome("completed", { bank: { balance: 2 } }, { "bank/P1": ["2"], "bank/P2": ["Insufficient funds"] })], name);
    expect(v.label).toBe("balance = 2 · P1: 2 · P2: Insufficient funds");
    expect(v.problem).toBeNull();
  });

  it("leaves out threads that printed nothing", () => {
    const [v] = outcomeViews([outcome("completed", { memory: { x: 6 } }, { "memory/P1": [], "memory/P2": [] })], makeNamer(["memory"]));
    expect(v.label).toBe("x = 6");
  });

  it("sorts most frequent first, then by label with numbers in order, and scales the bars", () => {
    const xs = [36, 6, 26, 25].map((x) => outcome("completed", { memory: { x } }, {}));
    xs.push(outcome("completed", { memory: { x: 7 } }, {}, 4));
    const views = outcomeViews(xs, makeNamer(["memory"]));
    expect(views.map((v) => v.label)).toEqual(["x = 7", "x = 6", "x = 25", "x = 26", "x = 36"]);
    expect(views.map((v) => v.share)).toEqual([1, 0.25, 0.25, 0.25, 0.25]);
  });

  it("marks deadlocks and broken invariants", () => {
    const views = outcomeViews([
      outcome("deadlock", { memory: { x: 1 } }, {}, 1, { deadlock: [{ thread: "memory/P1", waits_for: "memory/y_lock", held_by: "memory/P2" }] }),
      outcome("violated", { memory: { x: -5 } }, {}, 2, { violation: { invariant: "x >= 0", node: "memory", values: { x: -5 } } }),
    ], makeNamer(["memory"]));
    expect(views.map((v) => v.problem)).toEqual(["violated", "deadlock"]);
  });

  it("keeps Python's 1.0 apart from 1, as the engine does", () => {
    // The engine's key keeps the number text; JSON.parse would make both 1.
    const a: Outcome = { key: '{"status":"completed","shared":{"memory":{"x":1.0,"y":0}},"outputs":{}}', count: 1, status: "completed", shared: { memory: { x: 1, y: 0 } }, outputs: {}, schedule: [] };
    const b: Outcome = { ...a, key: '{"status":"completed","shared":{"memory":{"x":1.0,"y":0.0}},"outputs":{}}' };
    expect(outcomeViews([a, b], makeNamer(["memory"])).map((v) => v.label)).toEqual(["x = 1.0 · y = 0", "x = 1.0 · y = 0.0"]);
  });

  it("parses JSON keeping number text, and refuses what is not JSON", () => {
    const v = parseKeepingNumbers('{"a": [1.50, "x\\"y", true, null, {"b": -2e3}]}') as { a: unknown[] };
    expect(v.a[1]).toBe('x"y');
    expect(v.a.slice(2, 4)).toEqual([true, null]);
    expect(String((v.a[0] as { text: string }).text)).toBe("1.50");
    expect(() => parseKeepingNumbers("{nope}")).toThrow();
    expect(() => parseKeepingNumbers('{"a": 1} extra')).toThrow();
  });
});

describe("explore events in the trace model", () => {
  it("keeps progress, then the result with its outcomes", () => {
    const m = new TraceModel(null);
    m.append([
      { seq: 1, t: 0, kind: "run.started", node: null, thread: null, mode: "explore" },
      { seq: 2, t: 0.1, kind: "explore.progress", node: null, thread: null, explored: 4, distinct: 3 },
    ]);
    expect(m.current().explore).toEqual({ explored: 4, distinct: 3, result: null });
    const outcomes = [outcome("completed", { memory: { x: 26 } }, {})];
    m.append([{ seq: 3, t: 0.2, kind: "explore.result", node: null, thread: null, explored: 4, exhaustive: true, states: 10, outcomes }]);
    expect(m.current().explore?.result).toEqual({ explored: 4, exhaustive: true, states: 10, outcomes, stoppedBy: null });
    expect(m.stateAt(2).explore?.result).toBeNull();
  });
});
