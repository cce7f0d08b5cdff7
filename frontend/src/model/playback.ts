// The moment of a run that the page shows, and the clock that plays it: the
// cursor (every view draws the state right after event `cursor`; null follows
// the latest event), one event or one step back and forth, play at a speed
// from a frame's timestamp, and which key does what. Plain state and
// arithmetic: no DOM, no timers; app/playbackController.ts drives it.

import { advance, stepCursor } from "./history";
import { clampPosition, seqAtPosition, type StepMark } from "./stepping";

/** What the clock needs to know of the run being shown. */
export interface Played {
  readonly lastSeq: number;
  readonly finished: boolean;
}

export class PlaybackClock {
  /** The moment shown: right after event `cursor`; null = the latest event (live). */
  cursor: number | null = null;
  playing = false;
  private lastFrame = 0; // timestamp of the frame the clock last moved at
  private carry = 0; // the fraction of an event owed to the next frame

  constructor(public speed: number) {}

  /** A new run: follow its latest event. */
  reset(): void {
    this.cursor = null;
    this.playing = false;
  }

  /** Shows the run right after event `seq` (0 = before the first event); null, or the end of a finished run, follows the latest. */
  seek(seq: number | null, run: Played): void {
    this.cursor = seq === null || seq >= run.lastSeq && run.finished ? null : Math.max(0, Math.min(seq, run.lastSeq));
    if (seq === null) this.playing = false;
  }

  /** `delta` events forward or back; forward past the latest follows it again. */
  step(delta: number, run: Played): void {
    this.playing = false;
    const next = stepCursor(this.cursor, delta, run.lastSeq);
    this.seek(next >= run.lastSeq && delta > 0 ? null : next, run);
  }

  /** Moves to step `position` of a finished controlled run (0 = before the first step, the number of steps = the end). */
  go(position: number, marks: readonly StepMark[], run: Played): void {
    const p = clampPosition(marks, position);
    this.seek(p >= marks.length ? null : seqAtPosition(marks, p, run.lastSeq), run);
  }

  /** The step the cursor is at (the number of steps when following the end). */
  position(marks: readonly StepMark[]): number {
    const cursor = this.cursor;
    return cursor === null ? marks.length : marks.filter((m) => m.seq <= cursor).length;
  }

  /** The seq shown, or null when that is the latest event. */
  shown(lastSeq: number): number | null {
    return this.cursor !== null && this.cursor < lastSeq ? this.cursor : null;
  }

  /** Play or pause at time `now` (ms); from the end, play starts at the beginning. False when there is nothing to play. */
  toggle(run: Played, now: number): boolean {
    if (!run.lastSeq) return false;
    this.playing = !this.playing;
    if (this.playing) {
      if (this.cursor === null) this.cursor = 0;
      this.lastFrame = now;
      this.carry = 0;
    }
    return true;
  }

  /** A frame at time `now` (ms) while playing; true if the cursor moved. */
  tick(now: number, run: Played): boolean {
    if (!this.playing || this.cursor === null) return false;
    const { cursor, carry } = advance(this.cursor, now - this.lastFrame, this.speed, run.lastSeq, this.carry);
    this.lastFrame = now;
    this.carry = carry;
    if (cursor === this.cursor) return false;
    this.cursor = cursor;
    if (cursor >= run.lastSeq) {
      // Played up to the latest event: a live run is followed from here, a finished one stops at its end.
      this.cursor = null;
      this.playing = false;
    }
    return true;
  }
}

export type KeyCommand =
  | { kind: "step"; delta: number } // one step of a controlled run
  | { kind: "event"; delta: number } // one event
  | { kind: "toggle" }
  | { kind: "seek"; seq: number | null };

/**
 * Space plays and pauses; ←/→ move one step of a finished controlled run
 * when its step-by-step panel is shown, one event otherwise; Shift+←/→
 * always one event; Home and End go to the beginning and the latest event.
 */
export function keyCommand(key: string, shift: boolean, stepsShown: boolean): KeyCommand | null {
  const arrows = key === "ArrowLeft" ? -1 : key === "ArrowRight" ? 1 : 0;
  if (arrows) return stepsShown && !shift ? { kind: "step", delta: arrows } : { kind: "event", delta: arrows };
  if (key === " " && !shift) return { kind: "toggle" };
  if (key === "Home") return { kind: "seek", seq: 0 };
  if (key === "End") return { kind: "seek", seq: null };
  return null;
}
