// Controlled runs, step by step: who may take the next step in step mode
// and why the others may not, and the positions of a recorded run's steps
// for moving forwards and backwards through it.

import { blockedReason } from "./describe";
import type { TraceEvent } from "./events";
import type { Namer } from "./names";
import type { RunState } from "./state";

export interface StepChoice {
  thread: string; // node/thread
  canStep: boolean;
  reason: string | null; // why not, when it cannot
}

/** One button per thread: enabled when the run waits for the learner and the thread can go. */
export function stepChoices(state: RunState, name: Namer): StepChoice[] {
  const ready = state.ready;
  return [...state.threads.values()].map((t) => {
    if (t.status === "finished") return { thread: t.id, canStep: false, reason: "finished" };
    if (t.status === "failed") return { thread: t.id, canStep: false, reason: t.error ? `failed: ${t.error}` : "failed" };
    if (!ready) return { thread: t.id, canStep: false, reason: null };
    if (ready.enabled.includes(t.id)) return { thread: t.id, canStep: true, reason: null };
    const b = ready.blocked.find((x) => x.thread === t.id);
    return { thread: t.id, canStep: false, reason: b ? blockedReason(b, name) : "cannot go now" };
  });
}

/** The schedule an "undo" replays: every step but the last. */
export function undoSchedule(schedule: readonly string[]): string[] {
  return schedule.slice(0, -1);
}

/** "memory/P1 waits for memory/y_lock held by memory/P2" reads "P1 waits for y_lock held by P2" on one node. */
export function shortenNames(text: string, nodeIds: readonly string[]): string {
  if (nodeIds.length !== 1) return text;
  const node = nodeIds[0].replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return text.replace(new RegExp(`(^|[^\\w/])${node}/`, "g"), "$1");
}

export interface StepMark {
  seq: number; // the `step` event
  thread: string;
  index: number; // 1-based
}

/** The `step` events of a trace, in order. */
export function stepMarks(events: readonly TraceEvent[]): StepMark[] {
  const marks: StepMark[] = [];
  for (const e of events) {
    if (e.kind === "step" && e.thread) marks.push({ seq: e.seq, thread: e.thread, index: marks.length + 1 });
  }
  return marks;
}

/**
 * The seq whose state shows position `pos` of a finished run with these steps:
 * 0 is before the first step, k is after step k (its events, up to the next
 * step), and the last position is the end of the run (lastSeq).
 */
export function seqAtPosition(marks: readonly StepMark[], pos: number, lastSeq: number): number {
  if (!marks.length) return lastSeq;
  const p = clampPosition(marks, pos);
  if (p >= marks.length) return lastSeq;
  return marks[p].seq - 1;
}

export function clampPosition(marks: readonly StepMark[], pos: number): number {
  return Math.max(0, Math.min(marks.length, Math.round(pos)));
}

// Bookkeeping events that say nothing about what a thread did with shared state.
const NOT_ACTIONS = new Set(["step", "step.ready", "step.refused", "thread.started"]);

/** Each thread's latest action up to `seq` (what its last step did), for "last: read balance = 10". */
export function lastActions(events: readonly TraceEvent[], seq: number): Map<string, TraceEvent> {
  const last = new Map<string, TraceEvent>();
  for (const e of events) {
    if (e.seq > seq) break;
    if (e.thread && e.node && !NOT_ACTIONS.has(e.kind)) last.set(e.thread.includes("/") ? e.thread : `${e.node}/${e.thread}`, e);
  }
  return last;
}
