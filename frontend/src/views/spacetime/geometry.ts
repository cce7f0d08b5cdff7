// Where the space-time diagram puts things, in pixels: the layout step between
// the grid of model/spacetime (lanes × rows) and the canvas. Time runs along one
// axis ("along": down or to the right), the lanes across the other ("across").
// Positions are in content coordinates (the scroller's full size); the view
// subtracts its scroll offsets. Pure: no DOM, unit-tested.

import type { Lane } from "../../model/spacetime";

export type Orientation = "down" | "right";

/** What geometry needs of the grid: its rows and the lane of each. */
export interface Rows {
  readonly length: number;
  laneOfRow(row: number): number;
}

const NODE_BREAK = 18; // extra room between two nodes' lanes
const MIN_ROW = 3;
const MAX_ROW = 60;
const HIT_RADIUS = 10; // how far from a mark a pointer still picks it

export class DiagramGeometry {
  orientation: Orientation = "down";
  rowSize = 22;
  /** By lane index: the lane's centre on the across axis, NaN when hidden. */
  laneAcross: number[] = [];
  /** Across-axis size of the content (lanes plus margins). */
  acrossSize = 0;

  get down(): boolean {
    return this.orientation === "down";
  }

  /** Along-axis offset of row 0 (down: the band of lane labels on top; right: on the left). */
  get head(): number {
    return this.down ? 48 : 128;
  }

  /** Across-axis offset of the first lane (down: the seq labels on the left). */
  get gutter(): number {
    return this.down ? 56 : 26;
  }

  /**
   * Spreads the visible lanes (ids in display order) over `viewAcross` pixels,
   * between a minimum and a maximum gap, with a little more room where the
   * node changes.
   */
  placeLanes(lanes: readonly Lane[], visible: readonly string[], viewAcross: number): void {
    const nodeBreaks = new Set<number>();
    let prevNode: string | null = null;
    visible.forEach((id, i) => {
      const node = lanes.find((l) => l.id === id)?.node ?? null;
      if (i && node !== prevNode) nodeBreaks.add(i);
      prevNode = node;
    });
    const breaksSize = nodeBreaks.size * NODE_BREAK;
    const minGap = this.down ? 96 : 40;
    const fit = visible.length ? (viewAcross - this.gutter - 24 - breaksSize) / visible.length : minGap;
    const gap = Math.max(minGap, Math.min(this.down ? 200 : 64, fit));
    this.laneAcross = lanes.map(() => NaN);
    let at = this.gutter + gap / 2;
    visible.forEach((id, i) => {
      if (nodeBreaks.has(i)) at += NODE_BREAK;
      const idx = lanes.findIndex((l) => l.id === id);
      if (idx >= 0) this.laneAcross[idx] = at;
      at += gap;
    });
    this.acrossSize = at - gap / 2 + 24;
  }

  /** Along-axis size of the content for `rows` rows. */
  alongSize(rows: number): number {
    return this.head + rows * this.rowSize + 40;
  }

  /** Centre of row `row` on the along axis. */
  rowAlong(row: number): number {
    return this.head + row * this.rowSize + this.rowSize / 2;
  }

  /** The rows to draw when the view starts at `scrollAlong` and is `viewAlong` long (one spare each side). */
  rowsInView(scrollAlong: number, viewAlong: number, rows: number): { first: number; last: number } {
    const R = this.rowSize;
    return {
      first: Math.max(0, Math.floor((scrollAlong - this.head) / R) - 1),
      last: Math.min(rows - 1, Math.ceil((scrollAlong + viewAlong - this.head) / R) + 1),
    };
  }

  /** Every how many rows a seq label fits in the gutter. */
  labelEvery(): number {
    return Math.max(1, niceStep(Math.ceil(28 / this.rowSize)));
  }

  /** The radius of an event's mark. */
  markRadius(): number {
    return Math.max(2, Math.min(5.5, this.rowSize * 0.32));
  }

  /**
   * Where to scroll so row `row` shows: at the end (following a live run) or,
   * when it is out of view, in the middle. Null when no scrolling is needed.
   */
  scrollFor(row: number, where: "end" | "nearest", scrollAlong: number, viewAlong: number): number | null {
    if (row < 0) return null;
    const along = this.rowAlong(row);
    let target = scrollAlong;
    if (where === "end") target = Math.max(0, along - viewAlong + this.rowSize * 2);
    else if (along < scrollAlong + this.head || along > scrollAlong + viewAlong - this.rowSize) target = Math.max(0, along - viewAlong / 2);
    return target === scrollAlong ? null : target;
  }

  /** Scrolled to (about) the end, so new rows are followed. */
  atEnd(scrollAlong: number, viewAlong: number, contentAlong: number): boolean {
    return scrollAlong + viewAlong >= contentAlong - this.rowSize * 3;
  }

  /** Scales the rows by `factor` (within bounds); returns the scroll offset that keeps the middle row in the middle. */
  zoom(factor: number, scrollAlong: number, viewAlong: number): number {
    const centreRow = (scrollAlong + viewAlong / 2 - this.head) / this.rowSize;
    this.rowSize = Math.max(MIN_ROW, Math.min(MAX_ROW, this.rowSize * factor));
    return this.head + centreRow * this.rowSize - viewAlong / 2;
  }

  /** The row whose mark is nearest the point (along, across) within reach, or null. */
  hit(rows: Rows, along: number, across: number): number | null {
    const row = Math.floor((along - this.head) / this.rowSize);
    // The row itself, then its neighbours when rows are thin.
    const reach = Math.max(0, Math.ceil(6 / this.rowSize));
    let best: number | null = null;
    let bestDist = HIT_RADIUS;
    for (let r = row - reach; r <= row + reach; r++) {
      const lane = rows.laneOfRow(r);
      if (lane < 0 || Number.isNaN(this.laneAcross[lane])) continue;
      const d = Math.hypot(this.laneAcross[lane] - across, this.rowAlong(r) - along);
      if (d < bestDist) {
        bestDist = d;
        best = r;
      }
    }
    return best;
  }
}

function niceStep(n: number): number {
  for (const s of [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]) if (s >= n) return s;
  return 10000;
}
