import { describe, expect, it } from "vitest";
import { challengeState, fromItems, lessonProgress, merge, record, startingSpec, toItems, type Lesson } from "../src/model/curriculum";
import { readDeadlockKind, readVerdict, verdictTone } from "../src/model/verdict";
import type { ScenarioSpec } from "../src/model/spec";

const lesson: Lesson = {
  slug: "bank", number: "1.2", title: "Bank", summary: "", tags: [], next: null,
  challenges: [
    { id: "p", kind: "predict", text: "", hints: [] },
    { id: "b", kind: "break", text: "", hints: [] },
    { id: "f", kind: "fix", text: "", hints: [] },
  ],
};

describe("progress through the course", () => {
  it("a challenge is not tried, then tried, then passed; a pass is never undone", () => {
    let p = {};
    expect(challengeState(p, "bank", "b")).toBe("not tried");
    p = record(p, "bank", "b", "tried");
    expect(challengeState(p, "bank", "b")).toBe("tried");
    p = record(p, "bank", "b", "passed");
    p = record(p, "bank", "b", "tried");
    expect(challengeState(p, "bank", "b")).toBe("passed");
    expect(lessonProgress(p, lesson)).toEqual({ passed: 1, tried: 0, total: 3 });
  });

  it("merges the browser's and the account's, the better state kept", () => {
    const a = record(record({}, "bank", "p", "passed"), "bank", "f", "tried");
    const b = record(record({}, "bank", "p", "tried"), "bank", "f", "passed");
    const m = merge(a, b);
    expect(challengeState(m, "bank", "p")).toBe("passed");
    expect(challengeState(m, "bank", "f")).toBe("passed");
  });

  it("goes to and from the API's items, dropping what is not a state", () => {
    const p = record({}, "shared-x#race", "p", "tried");
    expect(fromItems(toItems(p))).toEqual(p);
    expect(fromItems([{ scenario: "x", challenge: "y", state: "won" as never }])).toEqual({});
  });
});

describe("the code a fix starts from", () => {
  const spec = {
    slug: "bank", title: "Bank", nodes: [{ id: "bank", setup: "good", threads: [{ name: "P1", code: "a" }] }],
    challenges: [{ id: "repair", start: { node: "bank", setup: "broken", threads: { P1: "b" } } }, { id: "plain" }],
  } as ScenarioSpec;

  it("replaces the node's setup and threads with the challenge's start, leaving the lesson alone", () => {
    const s = startingSpec(spec, "repair");
    expect(s.nodes[0].setup).toBe("broken");
    expect(s.nodes[0].threads[0].code).toBe("b");
    expect(spec.nodes[0].setup).toBe("good");
  });

  it("is the lesson's own code without a start", () => {
    expect(startingSpec(spec, "plain").nodes[0].setup).toBe("good");
  });
});

describe("verdicts", () => {
  it("reads a verdict and tells its tone", () => {
    const v = readVerdict({ kind: "stuck", ok: false, title: "Stuck", text: "P2 waits forever", details: {} });
    expect(v?.title).toBe("Stuck");
    expect(verdictTone(v, "deadlock")).toBe("bad");
    expect(verdictTone(readVerdict({ kind: "completed", ok: true }), "completed")).toBe("ok");
    expect(readVerdict(null)).toBeNull();
    expect(verdictTone(null, "cancelled")).toBe("neutral");
  });

  it("reads a deadlock's kind, a cycle when the server does not say", () => {
    expect(readDeadlockKind("held-by-finished")).toBe("held-by-finished");
    expect(readDeadlockKind(undefined)).toBe("cycle");
  });
});
