// What the learner has chosen to look at in the space-time diagram: which
// lanes are shown and in what order, the search filter's matches, and the
// selected event with its causal past and future. Rows are dimmed from
// these. Pure: no DOM, unit-tested.

import type { TraceEvent } from "../../model/events";
import { causalRelations, eventFilter, type Lane } from "../../model/spacetime";

/** Codes of causalRelations (model/spacetime RELATION_OF_CODE). */
const NONE = 0;
const CONCURRENT = 4;

export class DiagramFocus {
  /** Lane ids in display order. */
  readonly order: string[] = [];
  readonly hidden = new Set<string>();
  selected: TraceEvent | null = null;
  /** By row: the relation code of each event to the selected one. */
  relations: Uint8Array | null = null;
  /** By row: 1 when the event matches the filter; null without a filter. */
  matches: Uint8Array | null = null;
  matchedRows = 0;
  query = "";

  /** A new run: every lane shown, in the grid's order; nothing selected. The filter's words stay. */
  reset(): void {
    this.order.length = 0;
    this.hidden.clear();
    this.selected = null;
    this.relations = null;
    this.matches = null;
  }

  /** Appends lanes not seen before; true if there were any. */
  addLanes(lanes: readonly Lane[]): boolean {
    const before = this.order.length;
    for (const l of lanes) if (!this.order.includes(l.id)) this.order.push(l.id);
    return this.order.length !== before;
  }

  visibleLanes(): string[] {
    return this.order.filter((id) => !this.hidden.has(id));
  }

  /** Moves a lane `delta` places; false when it cannot go further. */
  moveLane(id: string, delta: number): boolean {
    const i = this.order.indexOf(id);
    const j = i + delta;
    if (i < 0 || j < 0 || j >= this.order.length) return false;
    [this.order[i], this.order[j]] = [this.order[j], this.order[i]];
    return true;
  }

  showLane(id: string, shown: boolean): void {
    if (shown) this.hidden.delete(id);
    else this.hidden.add(id);
  }

  /** Selects `ev` (null clears); selecting the selected event again clears it. */
  select(events: readonly TraceEvent[], ev: TraceEvent | null): void {
    if (ev && this.selected?.seq === ev.seq) ev = null;
    this.selected = ev;
    this.relations = ev ? causalRelations(events, ev) : null;
  }

  /** Marks the events matching `query` (see eventFilter); an empty query matches everything. */
  filter(events: readonly TraceEvent[], query: string): void {
    this.query = query.trim();
    const test = eventFilter(query);
    if (!test) {
      this.matches = null;
      this.matchedRows = 0;
      return;
    }
    const m = new Uint8Array(events.length);
    let n = 0;
    for (let i = 0; i < events.length; i++) if (test(events[i])) {
      m[i] = 1;
      n += 1;
    }
    this.matches = m;
    this.matchedRows = n;
  }

  /** How opaque row `row` is drawn: dimmed when filtered out, concurrent with the selection, or after the moment shown. */
  alpha(row: number, cursor: number | null): number {
    let a = 1;
    if (this.matches && !this.matches[row]) a *= 0.14;
    if (this.relations) {
      const r = this.relations[row];
      if (r === CONCURRENT) a *= 0.16;
      else if (r === NONE) a *= 0.35; // no clock
    }
    if (cursor !== null && row >= cursor) a *= 0.3;
    return a;
  }

  /** How many events are of each relation code to the selected one (all zero without a selection). */
  relationCounts(): number[] {
    const n = [0, 0, 0, 0, 0];
    if (this.relations) for (const r of this.relations) n[r] += 1;
    return n;
  }
}
