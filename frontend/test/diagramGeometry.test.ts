import { describe, expect, it } from "vitest";
import type { TraceEvent } from "../src/model/events";
import { SpaceTimeGrid } from "../src/model/spacetime";
import { DiagramFocus } from "../src/views/spacetime/focus";
import { DiagramGeometry } from "../src/views/spacetime/geometry";

// a/main sends m1 to b/main; a has a second thread; c does something alone.
function trace(): TraceEvent[] {
  let seq = 0;
  const ev = (kind: string, thread: string | null, vc?: Record<string, number>, extra: Partial<TraceEvent> = {}): TraceEvent =>
    ({ seq: ++seq, t: seq / 1000, kind, node: thread ? thread.split("/")[0] : null, thread, vc, ...extra });
  return [
    ev("run.started", null),
    ev("thread.started", "a/main", { a: 1 }),
    ev("thread.started", "a/helper", { a: 2 }),
    ev("msg.send", "a/main", { a: 3 }, { id: "m1", from: "a", to: "b" }),
    ev("var.write", "c/main", { c: 1 }, { name: "x", value: 1 }),
    ev("msg.recv", "b/main", { a: 3, b: 1 }, { id: "m1", from: "a", to: "b" }),
    ev("run.finished", null, undefined, { status: "completed" }),
  ];
}

function grid(): SpaceTimeGrid {
  const g = new SpaceTimeGrid(null);
  g.append(trace());
  return g;
}

describe("diagram geometry", () => {
  it("spreads the visible lanes across the view, with room between nodes", () => {
    const geo = new DiagramGeometry();
    const lanes = grid().lanes; // a/main a/helper c/main b/main
    expect(lanes.map((l) => l.id)).toEqual(["a/main", "a/helper", "c/main", "b/main"]);
    geo.placeLanes(lanes, lanes.map((l) => l.id), 600);
    // (600 - 56 gutter - 24 - 2 node breaks × 18) / 4 lanes = 121 px apart
    expect(geo.laneAcross).toEqual([56 + 60.5, 56 + 60.5 + 121, 56 + 60.5 + 242 + 18, 56 + 60.5 + 363 + 36]);
    expect(geo.acrossSize).toBe(geo.laneAcross[3] + 60.5 + 24); // half a gap and a margin past the last lane
  });

  it("keeps the gap between its bounds and leaves hidden lanes out", () => {
    const geo = new DiagramGeometry();
    const lanes = grid().lanes;
    geo.placeLanes(lanes, ["b/main", "a/main"], 10_000);
    expect(geo.laneAcross[1]).toBeNaN(); // a/helper hidden
    expect(geo.laneAcross[2]).toBeNaN(); // c/main hidden
    expect(geo.laneAcross[3]).toBe(56 + 100); // first in display order, widest gap 200
    expect(geo.laneAcross[0]).toBe(56 + 100 + 200 + 18);
    geo.placeLanes(lanes, lanes.map((l) => l.id), 100);
    expect(geo.laneAcross[1] - geo.laneAcross[0]).toBe(96); // narrowest gap
    geo.orientation = "right";
    geo.placeLanes(lanes, lanes.map((l) => l.id), 100);
    expect(geo.laneAcross[1] - geo.laneAcross[0]).toBe(40);
    expect(geo.laneAcross[0]).toBe(26 + 20);
  });

  it("puts row r at head + (r + ½) × row size along time, whichever way time flows", () => {
    const geo = new DiagramGeometry();
    expect(geo.rowAlong(0)).toBe(48 + 11);
    expect(geo.rowAlong(10)).toBe(48 + 220 + 11);
    expect(geo.alongSize(100)).toBe(48 + 2200 + 40);
    geo.orientation = "right";
    expect(geo.rowAlong(0)).toBe(128 + 11);
  });

  it("draws only the rows in view, one spare each side", () => {
    const geo = new DiagramGeometry();
    expect(geo.rowsInView(0, 220, 1000)).toEqual({ first: 0, last: 9 });
    expect(geo.rowsInView(48 + 22 * 100, 220, 1000)).toEqual({ first: 99, last: 111 });
    expect(geo.rowsInView(48 + 22 * 995, 220, 1000)).toEqual({ first: 994, last: 999 });
  });

  it("finds the event under the pointer within reach of its mark, and nothing between lanes", () => {
    const geo = new DiagramGeometry();
    const g = grid();
    geo.placeLanes(g.lanes, g.lanes.map((l) => l.id), 600);
    const at = (row: number) => ({ along: geo.rowAlong(row), across: geo.laneAcross[g.laneOfRow(row)] });
    const send = at(3);
    expect(geo.hit(g, send.along, send.across)).toBe(3);
    expect(geo.hit(g, send.along + 6, send.across - 5)).toBe(3);
    expect(geo.hit(g, send.along, send.across + 30)).toBeNull();
    expect(geo.hit(g, geo.rowAlong(0), send.across)).toBeNull(); // run.started has no lane
    expect(geo.hit(g, geo.rowAlong(50), send.across)).toBeNull(); // past the end
    geo.placeLanes(g.lanes, ["b/main"], 600); // a/main hidden
    expect(geo.hit(g, send.along, send.across)).toBeNull();
  });

  it("reaches neighbouring rows when rows are thin, picking the nearest mark", () => {
    const geo = new DiagramGeometry();
    geo.rowSize = 3;
    const g = grid();
    geo.placeLanes(g.lanes, g.lanes.map((l) => l.id), 600);
    const across = geo.laneAcross[0]; // a/main: rows 1 and 3
    expect(geo.hit(g, geo.rowAlong(2), across)).toBe(1); // a/helper's row between: a tie goes to the first
    expect(geo.hit(g, geo.rowAlong(2) + 1, across)).toBe(3);
  });

  it("scrolls to a row only when it is out of view, or to the end when following", () => {
    const geo = new DiagramGeometry();
    expect(geo.scrollFor(5, "nearest", 0, 400)).toBeNull();
    expect(geo.scrollFor(100, "nearest", 0, 400)).toBe(geo.rowAlong(100) - 200);
    expect(geo.scrollFor(100, "end", 0, 400)).toBe(geo.rowAlong(100) - 400 + 44);
    expect(geo.scrollFor(2, "end", 0, 400)).toBeNull();
    expect(geo.scrollFor(-1, "end", 0, 400)).toBeNull();
    expect(geo.atEnd(1000, 400, 1460)).toBe(true);
    expect(geo.atEnd(900, 400, 1460)).toBe(false);
  });

  it("zooms within bounds and keeps the middle row in the middle", () => {
    const geo = new DiagramGeometry();
    const middle = (scroll: number) => (scroll + 200 - geo.head) / geo.rowSize;
    const before = middle(1000);
    const scroll = geo.zoom(1.5, 1000, 400);
    expect(geo.rowSize).toBe(33);
    expect(middle(scroll)).toBeCloseTo(before);
    for (let i = 0; i < 10; i++) geo.zoom(1.5, 0, 400);
    expect(geo.rowSize).toBe(60);
    for (let i = 0; i < 20; i++) geo.zoom(1 / 1.5, 0, 400);
    expect(geo.rowSize).toBe(3);
    expect(geo.labelEvery()).toBe(10);
    expect(geo.markRadius()).toBe(2);
  });
});

describe("diagram focus", () => {
  it("keeps lanes in the order first seen, moved and hidden by the learner", () => {
    const focus = new DiagramFocus();
    const g = grid();
    expect(focus.addLanes(g.lanes)).toBe(true);
    expect(focus.addLanes(g.lanes)).toBe(false);
    expect(focus.moveLane("b/main", 1)).toBe(false);
    expect(focus.moveLane("b/main", -1)).toBe(true);
    focus.showLane("c/main", false);
    expect(focus.visibleLanes()).toEqual(["a/main", "a/helper", "b/main"]);
    focus.showLane("c/main", true);
    expect(focus.visibleLanes()).toHaveLength(4);
  });

  it("dims what the filter leaves out, what is concurrent with the selection, and what comes after the cursor", () => {
    const focus = new DiagramFocus();
    const events = trace();
    focus.filter(events, "kind:msg");
    expect(focus.matchedRows).toBe(2);
    expect(focus.alpha(3, null)).toBe(1);
    expect(focus.alpha(4, null)).toBeCloseTo(0.14);
    focus.filter(events, "  ");
    expect(focus.matches).toBeNull();

    focus.select(events, events[3]); // a's send
    expect(focus.relationCounts()).toEqual([2, 1, 2, 1, 1]); // no clock, self, past, future, concurrent
    expect(focus.alpha(4, null)).toBeCloseTo(0.16); // c's write: concurrent
    expect(focus.alpha(0, null)).toBeCloseTo(0.35); // run.started: no clock
    expect(focus.alpha(5, 5)).toBeCloseTo(0.3); // b's recv: the future, after the cursor
    focus.select(events, events[3]); // a second click clears
    expect(focus.selected).toBeNull();
    expect(focus.relationCounts()).toEqual([0, 0, 0, 0, 0]);
  });
});
