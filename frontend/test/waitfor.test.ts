import { describe, expect, it } from "vitest";
import { TraceModel } from "../src/model/trace";
import { deadlockGraph, liveGraph } from "../src/model/waitfor";
import { deadlockSpec, deadlockTrace } from "./fixtures";

describe("wait-for graph", () => {
  it("marks exactly the cycle's nodes and edges, arrows reading thread → resource → holder", () => {
    const d = deadlockTrace[7];
    const g = deadlockGraph(d.graph!, d.cycle!);
    expect(g.deadlocked).toBe(true);
    expect(g.edges.map((e) => [e.id, e.inCycle])).toEqual([
      ["holds:bank/x_lock->bank/P1", true],
      ["holds:bank/y_lock->bank/P2", true],
      ["waits:bank/P1->bank/y_lock", true],
      ["waits:bank/P2->bank/x_lock", true],
    ]);
    expect(g.nodes.every((n) => n.inCycle)).toBe(true);
  });

  it("leaves edges outside the cycle unmarked", () => {
    const g = deadlockGraph(
      {
        nodes: [
          { id: "n/A", type: "thread" },
          { id: "n/B", type: "thread" },
          { id: "n/C", type: "thread" },
          { id: "n/l1", type: "resource" },
          { id: "n/l2", type: "resource" },
        ],
        edges: [
          { from: "n/l1", to: "n/A", type: "holds" },
          { from: "n/l2", to: "n/B", type: "holds" },
          { from: "n/A", to: "n/l2", type: "waits" },
          { from: "n/B", to: "n/l1", type: "waits" },
          { from: "n/C", to: "n/l1", type: "waits" },
        ],
      },
      [
        { thread: "n/A", waits_for: "n/l2", held_by: "n/B" },
        { thread: "n/B", waits_for: "n/l1", held_by: "n/A" },
      ],
    );
    expect(g.edges.filter((e) => !e.inCycle).map((e) => e.id)).toEqual(["waits:n/C->n/l1"]);
    expect(g.nodes.find((n) => n.id === "n/C")?.inCycle).toBe(false);
  });

  it("derives the live graph from owners and waiters", () => {
    const m = new TraceModel(deadlockSpec);
    m.append(deadlockTrace.slice(0, 6));
    const g = liveGraph(m.current());
    expect(g.edges.map((e) => e.id).sort()).toEqual([
      "holds:bank/x_lock->bank/P1",
      "holds:bank/y_lock->bank/P2",
      "waits:bank/P1->bank/y_lock",
    ]);
    expect(g.deadlocked).toBe(false);
  });
});
