import { describe, expect, it } from "vitest";
import { backoffDelay, SeqCursor } from "../src/transport/cursor";
import { counterTrace } from "./fixtures";

const ev = counterTrace(10);

describe("SeqCursor", () => {
  it("passes contiguous events through and remembers the last seq", () => {
    const c = new SeqCursor();
    expect(c.accept(ev.slice(0, 3)).fresh.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(c.last).toBe(3);
  });

  it("drops repeats, such as a replay overlapping the live stream", () => {
    const c = new SeqCursor();
    c.accept(ev.slice(0, 5));
    const r = c.accept(ev.slice(2, 8));
    expect(r.fresh.map((e) => e.seq)).toEqual([6, 7, 8]);
    expect(r.gap).toBe(false);
  });

  it("stops at a gap and reports it, so the caller resumes from the last seq", () => {
    const c = new SeqCursor(2);
    const r = c.accept([ev[2], ev[3], ev[6], ev[7]]);
    expect(r.fresh.map((e) => e.seq)).toEqual([3, 4]);
    expect(r.gap).toBe(true);
    expect(c.last).toBe(4);
  });

  it("starts after the seq it resumes from and ignores things that are not events", () => {
    const c = new SeqCursor(5);
    const r = c.accept([{ hello: 1 }, null, ev[4], ev[5]]);
    expect(r.fresh.map((e) => e.seq)).toEqual([6]);
  });

  it("sorts a batch that arrived out of order", () => {
    const c = new SeqCursor();
    expect(c.accept([ev[1], ev[0], ev[2]]).fresh.map((e) => e.seq)).toEqual([1, 2, 3]);
  });
});

describe("backoffDelay", () => {
  it("grows with the attempt, is capped, and is jittered", () => {
    expect(backoffDelay(0, () => 0)).toBe(125);
    expect(backoffDelay(0, () => 0.999)).toBeLessThan(250);
    expect(backoffDelay(3, () => 0)).toBe(1000);
    expect(backoffDelay(30, () => 0.999)).toBeLessThanOrEqual(8000);
    expect(backoffDelay(30, () => 0)).toBe(4000);
  });
});
