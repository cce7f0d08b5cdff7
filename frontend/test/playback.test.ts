import { describe, expect, it } from "vitest";
import { keyCommand, PlaybackClock } from "../src/model/playback";
import type { StepMark } from "../src/model/stepping";

const finished = { lastSeq: 20, finished: true };
const live = { lastSeq: 20, finished: false };
// Steps at seqs 5, 9 and 14 of a 20-event controlled run.
const marks: StepMark[] = [5, 9, 14].map((seq, i) => ({ seq, thread: "P1", index: i + 1 }));

describe("playback clock", () => {
  it("follows the latest event until moved, and again when moved to the end of a finished run", () => {
    const c = new PlaybackClock(10);
    expect(c.cursor).toBeNull();
    c.seek(7, finished);
    expect(c.cursor).toBe(7);
    expect(c.shown(20)).toBe(7);
    c.seek(20, finished);
    expect(c.cursor).toBeNull();
    c.seek(20, live); // a live run may grow past it: stay there
    expect(c.cursor).toBe(20);
    expect(c.shown(20)).toBeNull();
    c.seek(-3, live);
    expect(c.cursor).toBe(0);
    c.seek(99, live);
    expect(c.cursor).toBe(20);
  });

  it("steps one event back from the end and forward past the end back to following", () => {
    const c = new PlaybackClock(10);
    c.step(-1, finished);
    expect(c.cursor).toBe(19);
    c.step(-1, finished);
    expect(c.cursor).toBe(18);
    c.step(1, finished);
    c.step(1, finished);
    expect(c.cursor).toBeNull();
    c.step(-50, finished);
    expect(c.cursor).toBe(0);
  });

  it("moves by the steps of a controlled run", () => {
    const c = new PlaybackClock(10);
    expect(c.position(marks)).toBe(3);
    c.go(0, marks, finished);
    expect(c.cursor).toBe(4); // before the first step
    expect(c.position(marks)).toBe(0);
    c.go(2, marks, finished);
    expect(c.cursor).toBe(13); // after step 2, up to the next
    expect(c.position(marks)).toBe(2);
    c.go(7, marks, finished);
    expect(c.cursor).toBeNull();
  });

  it("plays from the beginning at its speed, carrying fractions, and stops at the end", () => {
    const c = new PlaybackClock(10);
    expect(c.toggle({ lastSeq: 0, finished: true }, 0)).toBe(false);
    expect(c.toggle(finished, 1000)).toBe(true);
    expect(c.playing).toBe(true);
    expect(c.cursor).toBe(0);
    expect(c.tick(1050, finished)).toBe(false); // half an event
    expect(c.tick(1100, finished)).toBe(true); // the other half
    expect(c.cursor).toBe(1);
    expect(c.tick(2100, finished)).toBe(true);
    expect(c.cursor).toBe(11);
    c.tick(3100, finished);
    expect(c.cursor).toBeNull(); // played to the end: follows it, and stops
    expect(c.playing).toBe(false);
    expect(c.tick(4100, finished)).toBe(false);
  });

  it("pauses where it is; a seek to the end stops it", () => {
    const c = new PlaybackClock(2000);
    c.seek(3, finished);
    c.toggle(finished, 0);
    expect(c.cursor).toBe(3);
    c.tick(1, finished);
    expect(c.cursor).toBe(5);
    c.toggle(finished, 2);
    expect(c.playing).toBe(false);
    expect(c.tick(500, finished)).toBe(false);
    c.toggle(finished, 600);
    c.seek(null, finished);
    expect(c.playing).toBe(false);
    c.reset();
    expect(c.cursor).toBeNull();
  });
});

describe("playback keys", () => {
  it("maps space, arrows, Home and End, with steps only when the step timeline is shown", () => {
    expect(keyCommand(" ", false, false)).toEqual({ kind: "toggle" });
    expect(keyCommand(" ", true, false)).toBeNull();
    expect(keyCommand("ArrowLeft", false, false)).toEqual({ kind: "event", delta: -1 });
    expect(keyCommand("ArrowRight", false, true)).toEqual({ kind: "step", delta: 1 });
    expect(keyCommand("ArrowRight", true, true)).toEqual({ kind: "event", delta: 1 });
    expect(keyCommand("Home", false, false)).toEqual({ kind: "seek", seq: 0 });
    expect(keyCommand("End", true, true)).toEqual({ kind: "seek", seq: null });
    expect(keyCommand("a", false, false)).toBeNull();
  });
});
