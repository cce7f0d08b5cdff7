// The event list of one run and the state at any seq. Keeps the head state
// up to date as events are appended and checkpoints every CHECKPOINT_EVERY
// events, so stateAt(seq) replays at most that many events.

import type { TraceEvent } from "./events";
import type { ScenarioSpec } from "./spec";
import { applyEvent, cloneState, initialState, type RunState } from "./state";

const CHECKPOINT_EVERY = 500;

export class TraceModel {
  readonly events: TraceEvent[] = [];
  private head: RunState;
  private readonly checkpoints: RunState[] = [];

  constructor(readonly spec: ScenarioSpec | null = null) {
    this.head = initialState(spec);
    this.checkpoints.push(cloneState(this.head));
  }

  get lastSeq(): number {
    return this.events.length;
  }

  /**
   * Appends events that continue the trace: seq must be lastSeq + 1, + 2, ...
   * Repeats are ignored; an event after a gap throws, since the state would be wrong.
   * Returns the events actually appended.
   */
  append(events: readonly TraceEvent[]): TraceEvent[] {
    const added: TraceEvent[] = [];
    for (const e of events) {
      if (e.seq <= this.lastSeq) continue;
      if (e.seq !== this.lastSeq + 1) {
        throw new Error(`gap in trace: expected seq ${this.lastSeq + 1}, got ${e.seq}`);
      }
      this.events.push(e);
      applyEvent(this.head, e);
      if (e.seq % CHECKPOINT_EVERY === 0) this.checkpoints.push(cloneState(this.head));
      added.push(e);
    }
    return added;
  }

  /** The live state after the last event. Views must not mutate it. */
  current(): RunState {
    return this.head;
  }

  /** The state right after event `seq` (0 = before any event); a fresh copy. */
  stateAt(seq: number): RunState {
    const target = Math.max(0, Math.min(seq, this.lastSeq));
    const base = this.checkpoints[Math.floor(target / CHECKPOINT_EVERY)];
    const state = cloneState(base);
    for (let s = base.seq + 1; s <= target; s++) applyEvent(state, this.events[s - 1]);
    return state;
  }

  event(seq: number): TraceEvent | undefined {
    return this.events[seq - 1];
  }
}
