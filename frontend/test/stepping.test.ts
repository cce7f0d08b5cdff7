import { describe, expect, it } from "vitest";
import { describe as describeEvent } from "../src/model/describe";
import type { TraceEvent } from "../src/model/events";
import { makeNamer } from "../src/model/names";
import type { ScenarioSpec } from "../src/model/spec";
import { lastActions, seqAtPosition, shortenNames, stepChoices, stepMarks, undoSchedule } from "../src/model/stepping";
import { TraceModel } from "../src/model/trace";

// The memory node of deadlock-two-locks, stepped P1, P2, P1 by hand (events as the engine writes them).
const spec: ScenarioSpec = {
  slug: "deadlock-two-locks",
  title: "Deadlock",
  nodes: [{ id: "memory", shared: { x: 1, y: 0 }, resources: [], threads: [{ name: "P1", code: "compute()" }, { name: "P2", code: "anti_compute()" }] }],
};
const lock = (owners: string[], waiting: string[] = []) => ({ owners, waiting, value: 0 });
const both = ["memory/P1", "memory/P2"];
const run: Omit<TraceEvent, "seq" | "t">[] = [
  { kind: "run.started", node: null, thread: null, mode: "step" },
  { kind: "step.ready", node: null, thread: null, enabled: both, blocked: [] },
  { kind: "step", node: null, thread: "memory/P1", index: 1, enabled: both },
  { kind: "thread.started", node: "memory", thread: "memory/P1", line: null as unknown as number, snippet: "P1" },
  { kind: "sync.acquire", node: "memory", thread: "memory/P1", line: 8, snippet: "setup", resource: "x_lock", rtype: "lock", state: lock(["memory/P1"]) },
  { kind: "step.ready", node: null, thread: null, enabled: both, blocked: [] },
  { kind: "step", node: null, thread: "memory/P2", index: 2, enabled: both },
  { kind: "thread.started", node: "memory", thread: "memory/P2", line: null as unknown as number, snippet: "P2" },
  { kind: "sync.acquire", node: "memory", thread: "memory/P2", line: 17, snippet: "setup", resource: "y_lock", rtype: "lock", state: lock(["memory/P2"]) },
  { kind: "step.ready", node: null, thread: null, enabled: both, blocked: [] },
  { kind: "step", node: null, thread: "memory/P1", index: 3, enabled: both },
  { kind: "sync.request", node: "memory", thread: "memory/P1", line: 9, snippet: "setup", resource: "y_lock", rtype: "lock", state: lock(["memory/P2"], ["memory/P1"]) },
  {
    kind: "step.ready", node: null, thread: null, enabled: ["memory/P2"],
    blocked: [{ thread: "memory/P1", waits_for: "memory/y_lock", held_by: "memory/P2" }],
  },
];
const events: TraceEvent[] = run.map((e, i) => ({ ...e, seq: i + 1, t: i / 1000 }) as TraceEvent);
const name = makeNamer(["memory"]);

function modelAt(seq: number) {
  const m = new TraceModel(spec);
  m.append(events.slice(0, seq));
  return m;
}

describe("step mode", () => {
  it("lets every thread go at the start and none while a step is under way", () => {
    const ready = stepChoices(modelAt(2).current(), name);
    expect(ready).toEqual([
      { thread: "memory/P1", canStep: true, reason: null },
      { thread: "memory/P2", canStep: true, reason: null },
    ]);
    // After the learner's click the run is busy until it asks again.
    expect(stepChoices(modelAt(4).current(), name).every((c) => !c.canStep)).toBe(true);
  });

  it("disables a blocked thread and says what it waits for and who holds it", () => {
    const choices = stepChoices(modelAt(13).current(), name);
    expect(choices).toEqual([
      { thread: "memory/P1", canStep: false, reason: "waiting for y_lock held by P2" },
      { thread: "memory/P2", canStep: true, reason: null },
    ]);
  });

  it("records the schedule so far and pauses the threads not chosen", () => {
    const s = modelAt(11).current();
    expect(s.schedule).toEqual(["memory/P1", "memory/P2", "memory/P1"]);
    expect(s.threads.get("memory/P1")?.status).toBe("running");
    expect(s.threads.get("memory/P2")?.status).toBe("ready");
    expect(s.threads.get("memory/P2")?.line).toBe(17);
    // Once the run asks the learner again, nobody is running.
    const waiting = modelAt(13).current();
    expect(waiting.threads.get("memory/P1")?.status).toBe("blocked");
    expect(waiting.threads.get("memory/P2")?.status).toBe("ready");
    expect(modelAt(10).current().threads.get("memory/P2")?.status).toBe("ready");
    expect(undoSchedule(s.schedule)).toEqual(["memory/P1", "memory/P2"]);
  });

  it("knows what each thread's last step did, at any moment", () => {
    const at9 = lastActions(events, 9);
    expect(describeEvent(at9.get("memory/P1")!, name)).toBe("P1 acquired x_lock");
    expect(describeEvent(at9.get("memory/P2")!, name)).toBe("P2 acquired y_lock");
    expect(lastActions(events, 12).get("memory/P1")?.kind).toBe("sync.request");
    expect(lastActions(events, 4).has("memory/P1")).toBe(false); // started, nothing done yet
  });

  it("reads the step events in the log", () => {
    expect(describeEvent(events[6], name)).toBe("Step 2: P2 goes");
    expect(describeEvent(events[12], name)).toBe("Your turn: P2 can go");
  });

  it("shortens full names in the engine's reasons on a single node", () => {
    expect(shortenNames("memory/P1 waits for memory/y_lock held by memory/P2", ["memory"])).toBe(
      "P1 waits for y_lock held by P2",
    );
    expect(shortenNames("a/P1 waits for b/x", ["a", "b"])).toBe("a/P1 waits for b/x");
  });
});

describe("moving through a recorded run", () => {
  it("puts position k right after step k's events and the last position at the end", () => {
    const m = modelAt(events.length);
    const marks = stepMarks(m.events);
    expect(marks.map((x) => [x.seq, x.thread, x.index])).toEqual([
      [3, "memory/P1", 1],
      [7, "memory/P2", 2],
      [11, "memory/P1", 3],
    ]);
    expect(seqAtPosition(marks, 0, m.lastSeq)).toBe(2);
    expect(seqAtPosition(marks, 1, m.lastSeq)).toBe(6);
    expect(seqAtPosition(marks, 2, m.lastSeq)).toBe(10);
    expect(seqAtPosition(marks, 3, m.lastSeq)).toBe(13);
    expect(seqAtPosition(marks, 99, m.lastSeq)).toBe(13);
    expect(seqAtPosition(marks, -1, m.lastSeq)).toBe(2);
  });

  it("shows the state of that moment, and going back undoes it", () => {
    const m = modelAt(events.length);
    const marks = stepMarks(m.events);
    const after1 = m.stateAt(seqAtPosition(marks, 1, m.lastSeq));
    expect(after1.resources.get("memory/x_lock")?.owners).toEqual(["memory/P1"]);
    expect(after1.resources.get("memory/y_lock")).toBeUndefined(); // made in code: unknown until used
    expect(after1.threads.get("memory/P1")?.line).toBe(8);
    const after2 = m.stateAt(seqAtPosition(marks, 2, m.lastSeq));
    expect(after2.resources.get("memory/y_lock")?.owners).toEqual(["memory/P2"]);
    expect(m.stateAt(seqAtPosition(marks, 0, m.lastSeq)).resources.get("memory/x_lock")).toBeUndefined();
  });
});
