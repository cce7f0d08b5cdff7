// Exactly-once delivery on top of an at-least-once, resumable stream:
// remember the last seq applied, drop repeats, and report a gap so the
// caller reconnects with ?after=last instead of applying events out of order.

import { isTraceEvent, type TraceEvent } from "../model/events";

export interface Accepted {
  fresh: TraceEvent[]; // contiguous, ascending, each seq = previous + 1
  gap: boolean; // something after `fresh` was missing; resume from `last`
}

export class SeqCursor {
  constructor(private lastSeq = 0) {}

  get last(): number {
    return this.lastSeq;
  }

  accept(batch: readonly unknown[]): Accepted {
    const fresh: TraceEvent[] = [];
    const sorted = batch.filter(isTraceEvent).sort((a, b) => a.seq - b.seq);
    for (const e of sorted) {
      if (e.seq <= this.lastSeq) continue; // a repeat
      if (e.seq !== this.lastSeq + 1) return { fresh, gap: true };
      fresh.push(e);
      this.lastSeq = e.seq;
    }
    return { fresh, gap: false };
  }
}

/** Exponential backoff with full jitter: a random delay in [base/2, cap) growing per attempt. */
export function backoffDelay(attempt: number, random: () => number = Math.random, baseMs = 250, capMs = 8000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}
