import { describe, expect, it } from "vitest";
import type { TraceEvent } from "../src/model/events";
import { causalRelations, eventFilter, markKind, relation, RELATION_OF_CODE, SpaceTimeGrid } from "../src/model/spacetime";

// Three nodes: a sends m1 to b (delivered twice: the link duplicated it), b sends m2 to c (lost),
// c does something on its own meanwhile (concurrent with everything of a and b).
function trace(): TraceEvent[] {
  let seq = 0;
  const ev = (kind: string, node: string | null, thread: string | null, vc: Record<string, number> | undefined, extra: Partial<TraceEvent> = {}): TraceEvent =>
    ({ seq: ++seq, t: seq / 1000, kind, node, thread, vc, ...extra });
  return [
    ev("run.started", null, null, undefined),
    ev("thread.started", "a", "a/main", { a: 1 }),
    ev("thread.started", "b", "b/main", { b: 1 }),
    ev("thread.started", "c", "c/main", { c: 1 }),
    ev("msg.send", "a", "a/main", { a: 2 }, { id: "m1", from: "a", to: "b" }),
    ev("msg.duplicate", null, null, undefined, { id: "m1", copy: "m1'", from: "a", to: "b" }),
    ev("var.write", "c", "c/main", { c: 2 }, { name: "x", value: 1 }),
    ev("msg.recv", "b", "b/main", { a: 2, b: 2 }, { id: "m1", from: "a", to: "b" }),
    ev("msg.recv", "b", "b/main", { a: 2, b: 3 }, { id: "m1", from: "a", to: "b" }),
    ev("msg.send", "b", "b/main", { a: 2, b: 4 }, { id: "m2", from: "b", to: "c" }),
    ev("msg.drop", null, null, undefined, { id: "m2", reason: "loss", from: "b", to: "c" }),
    ev("msg.send", "a", "a/main", { a: 3 }, { id: "m3", from: "a", to: "c" }),
    ev("run.finished", null, null, undefined, { status: "completed" }),
  ];
}

describe("space-time grid", () => {
  it("puts each thread in a lane grouped by node and run-level events on no lane", () => {
    const grid = new SpaceTimeGrid({ nodes: [{ id: "a", threads: [{ name: "main" }] }, { id: "b", threads: [{ name: "main" }] }] });
    grid.append(trace());
    expect(grid.lanes.map((l) => l.id)).toEqual(["a/main", "b/main", "c/main"]);
    expect(grid.length).toBe(13);
    expect(grid.laneOfRow(0)).toBe(-1); // run.started
    expect(grid.laneOfRow(4)).toBe(0); // a's send
    expect(grid.laneOfRow(7)).toBe(1); // b's recv
    expect(grid.laneOfRow(10)).toBe(2); // the drop, drawn where it would have arrived: c
  });

  it("keeps a late thread next to its node's other lanes", () => {
    const grid = new SpaceTimeGrid(null);
    grid.append([
      { seq: 1, t: 0, kind: "thread.started", node: "a", thread: "a/one" },
      { seq: 2, t: 0, kind: "thread.started", node: "b", thread: "b/one" },
      { seq: 3, t: 0, kind: "thread.started", node: "a", thread: "a/two" },
    ]);
    expect(grid.lanes.map((l) => l.id)).toEqual(["a/one", "a/two", "b/one"]);
    expect([0, 1, 2].map((r) => grid.laneOfRow(r))).toEqual([0, 2, 1]);
  });

  it("matches sends to receives and drops by id, marking a second delivery as a duplicate", () => {
    const grid = new SpaceTimeGrid(null);
    grid.append(trace());
    const arrows = grid.arrows.map((a) => [a.id, a.sendSeq, a.endSeq, a.dropped, a.duplicate]);
    expect(arrows).toEqual([
      ["m1", 5, 8, false, false],
      ["m1", 5, 9, false, true],
      ["m2", 10, 11, true, false],
      ["m3", 12, null, false, false],
    ]);
    expect(grid.counts()).toEqual({ events: 13, sends: 3, delivered: 1, dropped: 1, duplicates: 1, inFlight: 1 });
  });

  it("finds the arrows crossing a window of rows, including long and in-flight ones", () => {
    const grid = new SpaceTimeGrid(null);
    const events: TraceEvent[] = [];
    for (let s = 1; s <= 2000; s++) events.push({ seq: s, t: s, kind: "output", node: "a", thread: "a/t" });
    events[9] = { seq: 10, t: 10, kind: "msg.send", node: "a", thread: "a/t", id: "long" };
    events[1499] = { seq: 1500, t: 1500, kind: "msg.recv", node: "b", thread: "b/t", id: "long" };
    events[99] = { seq: 100, t: 100, kind: "msg.send", node: "a", thread: "a/t", id: "short" };
    events[101] = { seq: 102, t: 102, kind: "msg.recv", node: "b", thread: "b/t", id: "short" };
    events[1899] = { seq: 1900, t: 1900, kind: "msg.send", node: "a", thread: "a/t", id: "flying", to: "b" };
    grid.append(events);
    const ids = (a: number, b: number) => grid.arrowsBetween(a, b).map((i) => grid.arrows[i].id).sort();
    expect(ids(700, 720)).toEqual(["long"]);
    expect(ids(95, 105)).toEqual(["long", "short"]);
    expect(ids(1950, 1990)).toEqual(["flying"]);
    expect(ids(1600, 1700)).toEqual([]);
  });

  it("ignores repeated events", () => {
    const grid = new SpaceTimeGrid(null);
    const t = trace();
    grid.append(t.slice(0, 6));
    grid.append(t.slice(3, 13));
    expect(grid.length).toBe(13);
    expect(grid.counts().sends).toBe(3);
  });
});

describe("causal past and future from vector clocks", () => {
  const t = trace();
  const at = (seq: number) => t[seq - 1];

  it("orders events on one node and across a message", () => {
    expect(relation(at(8), at(5))).toBe("past"); // a's send happened before b's receive
    expect(relation(at(5), at(8))).toBe("future");
    expect(relation(at(5), at(10))).toBe("future"); // ... and before what b did next
    expect(relation(at(5), at(5))).toBe("self");
  });

  it("calls events concurrent when neither clock is below the other", () => {
    expect(relation(at(8), at(7))).toBe("concurrent"); // c's write knows nothing of a or b
    expect(relation(at(12), at(8))).toBe("concurrent"); // a's second send vs b's receive of the first
  });

  it("leaves run-level events (no clock) out", () => {
    expect(relation(at(8), at(6))).toBe("none");
    expect(relation(at(1), at(8))).toBe("none");
  });

  it("classifies a whole trace at once", () => {
    const codes = causalRelations(t, at(8));
    const byKind = (r: string) => [...codes].map((c, i) => (RELATION_OF_CODE[c] === r ? i + 1 : 0)).filter(Boolean);
    expect(byKind("past")).toEqual([2, 3, 5]);
    expect(byKind("future")).toEqual([9, 10]);
    expect(byKind("concurrent")).toEqual([4, 7, 12]);
    expect(byKind("self")).toEqual([8]);
  });

  it("orders events with equal clocks by seq", () => {
    const a: TraceEvent = { seq: 3, t: 0, kind: "var.read", node: "n", thread: "n/t", vc: { n: 2 } };
    const b: TraceEvent = { seq: 4, t: 0, kind: "var.read", node: "n", thread: "n/u", vc: { n: 2 } };
    expect(relation(a, b)).toBe("future");
    expect(relation(b, a)).toBe("past");
  });
});

describe("event search", () => {
  const t = trace();
  it("matches words anywhere, all of them", () => {
    const f = eventFilter("m2")!;
    expect(t.filter(f).map((e) => e.seq)).toEqual([10, 11]);
    expect(t.filter(eventFilter("m2 loss")!).map((e) => e.seq)).toEqual([11]);
  });

  it("restricts a word to a field", () => {
    expect(t.filter(eventFilter("thread:c/main")!).map((e) => e.seq)).toEqual([4, 7]);
    expect(t.filter(eventFilter("kind:msg.recv")!).map((e) => e.seq)).toEqual([8, 9]);
  });

  it("is no filter when empty", () => {
    expect(eventFilter("  ")).toBeNull();
  });

  it("names a mark kind for every event kind", () => {
    expect(markKind("msg.drop")).toBe("drop");
    expect(markKind("sync.acquire")).toBe("sync");
    expect(markKind("node.crash")).toBe("fault");
    expect(markKind("something.new")).toBe("other");
  });
});
