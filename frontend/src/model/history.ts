// Each shared variable's writes, indexed as events arrive, so a panel can
// show "its last few values up to the moment shown" without rescanning the
// trace; and the playback arithmetic (where a step or a tick of play lands).

import type { TraceEvent } from "./events";
import { qualify } from "./state";

export interface Write {
  seq: number;
  value: unknown;
  writer: string | null;
}

export class VariableHistory {
  private readonly writes = new Map<string, Write[]>(); // node/name -> writes in seq order

  append(events: readonly TraceEvent[]): void {
    for (const e of events) {
      if (e.kind !== "var.write" || !e.name || !e.node) continue;
      const key = qualify(e.node, e.name);
      let list = this.writes.get(key);
      if (!list) this.writes.set(key, (list = []));
      if (list.length && list[list.length - 1].seq >= e.seq) continue; // a repeat
      list.push({ seq: e.seq, value: e.value, writer: e.thread ? qualify(e.node, e.thread) : null });
    }
  }

  /** The last `n` writes of `key` at or before `seq`, oldest first. */
  before(key: string, seq: number, n = 4): Write[] {
    const list = this.writes.get(key) ?? [];
    // binary search: first write after seq
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return list.slice(Math.max(0, lo - n), lo);
  }

  count(key: string, seq: number): number {
    return this.before(key, seq, Number.MAX_SAFE_INTEGER).length;
  }
}

/** Where the cursor lands after playing for `dtMs` at `perSecond` events per second. */
export function advance(cursor: number, dtMs: number, perSecond: number, last: number, carry = 0): { cursor: number; carry: number } {
  const exact = carry + (dtMs / 1000) * perSecond;
  const whole = Math.floor(exact);
  return { cursor: Math.min(last, cursor + whole), carry: exact - whole };
}

/** The cursor a step of `delta` events from `cursor` (null = the end) lands on, within 0..last. */
export function stepCursor(cursor: number | null, delta: number, last: number): number {
  const from = cursor ?? last;
  return Math.max(0, Math.min(last, from + delta));
}
