// Draws the space-time diagram on a canvas: lane lines, rules for run-level
// events, message arrows (dropped ones end in a cross, duplicates dashed,
// in-flight dotted), event marks coloured by kind, the selection's causal
// past and future, the moment shown, the seq gutter and the lane labels.
// Only the rows in view are drawn. Positions come from DiagramGeometry,
// dimming from DiagramFocus; nothing here is kept between frames.

import type { TraceEvent } from "../../model/events";
import { formatValue } from "../../model/names";
import { markKind, type Arrow, type SpaceTimeGrid } from "../../model/spacetime";
import type { DiagramFocus } from "./focus";
import type { DiagramGeometry } from "./geometry";
import type { Palette } from "./palette";
import type { Pen } from "./svgContext";

// Run-level events worth a rule across all lanes.
const RULED = new Set(["deadlock", "net.partition", "net.heal", "run.finished", "invariant.violated"]);

export interface Scene {
  grid: SpaceTimeGrid | null;
  events: readonly TraceEvent[];
  geometry: DiagramGeometry;
  focus: DiagramFocus;
  cursor: number | null; // the moment shown: rows from here on are dimmed
  scrollAlong: number;
  scrollAcross: number;
  width: number; // of the view, CSS pixels
  height: number;
  palette: Palette;
}

/** What the last frame drew, for the benchmark and tests. */
export interface Drawn {
  rows: number;
  arrows: number;
}

type Axis = (along: number, across: number) => number;

export function drawDiagram(canvas: HTMLCanvasElement, s: Scene): Drawn {
  const W = s.width;
  const H = s.height;
  const dpr = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(W * dpr) || canvas.height !== Math.round(H * dpr)) {
    canvas.width = Math.round(W * dpr);
    canvas.height = Math.round(H * dpr);
    canvas.style.width = `${W}px`;
    canvas.style.height = `${H}px`;
  }
  const ctx = canvas.getContext("2d");
  if (!ctx) return { rows: 0, arrows: 0 };
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return paintDiagram(ctx, s);
}

/** Draws the scene with any pen: the view's canvas, an offscreen one (PNG), an SvgContext (SVG). */
export function paintDiagram(ctx: Pen, s: Scene): Drawn {
  const W = s.width;
  const H = s.height;
  const p = s.palette;
  ctx.fillStyle = p.bg;
  ctx.fillRect(0, 0, W, H);
  const grid = s.grid;
  if (!grid || !grid.length) {
    ctx.fillStyle = p.muted;
    ctx.font = "13px system-ui, sans-serif";
    ctx.fillText("Run the scenario: each thread becomes a lane, each message an arrow.", 16, 28);
    return { rows: 0, arrows: 0 };
  }
  const g = s.geometry;
  const down = g.down;
  const sAlong = s.scrollAlong;
  const sAcross = s.scrollAcross;
  const R = g.rowSize;
  const { first, last } = g.rowsInView(sAlong, down ? H : W, grid.length);
  // screen position of (along, across) in content coordinates
  const X: Axis = (along, across) => (down ? across - sAcross : along - sAlong);
  const Y: Axis = (along, across) => (down ? along - sAlong : across - sAcross);
  const alphaOf = (row: number) => s.focus.alpha(row, s.cursor);

  // lane lines
  ctx.lineWidth = 1;
  const laneStart = g.head - 4 - sAlong;
  const laneEnd = g.rowAlong(grid.length - 1) + R - sAlong;
  grid.lanes.forEach((_lane, i) => {
    const a = g.laneAcross[i];
    if (Number.isNaN(a)) return;
    ctx.strokeStyle = p.line;
    ctx.beginPath();
    if (down) {
      ctx.moveTo(a - sAcross + 0.5, Math.max(laneStart, 0));
      ctx.lineTo(a - sAcross + 0.5, Math.min(laneEnd, H));
    } else {
      ctx.moveTo(Math.max(laneStart, 0), a - sAcross + 0.5);
      ctx.lineTo(Math.min(laneEnd, W), a - sAcross + 0.5);
    }
    ctx.stroke();
  });

  // run-level rules
  ctx.font = "11px system-ui, sans-serif";
  for (let r = first; r <= last; r++) {
    if (grid.laneOfRow(r) >= 0) continue;
    const e = s.events[r];
    if (!e || !RULED.has(e.kind)) continue;
    const along = g.rowAlong(r);
    ctx.globalAlpha = alphaOf(r);
    ctx.strokeStyle = e.kind === "deadlock" || e.kind === "invariant.violated" ? p.danger : e.kind.startsWith("net.") ? p.warn : p.muted;
    ctx.setLineDash([4, 4]);
    ctx.beginPath();
    ctx.moveTo(X(along, g.gutter), Y(along, g.gutter));
    ctx.lineTo(X(along, g.acrossSize), Y(along, g.acrossSize));
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = ctx.strokeStyle;
    if (down) ctx.fillText(e.kind, X(along, g.gutter) + 4, Y(along, g.gutter) - 3);
  }
  ctx.globalAlpha = 1;

  const arrowIdx = grid.arrowsBetween(first, last);
  for (const i of arrowIdx) drawArrow(ctx, grid.arrows[i], s, X, Y, alphaOf);
  ctx.globalAlpha = 1;

  drawMarks(ctx, s, first, last, X, Y, alphaOf);

  // the moment shown
  const cursor = s.cursor;
  if (cursor !== null) {
    const along = g.head + cursor * R;
    const far = Math.max(g.acrossSize, down ? W : H) + sAcross;
    ctx.strokeStyle = p.accent;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(X(along, 0), Y(along, 0));
    ctx.lineTo(X(along, far), Y(along, far));
    ctx.stroke();
    ctx.lineWidth = 1;
  }

  drawGutter(ctx, s, first, last, X, Y);
  drawHeader(ctx, s);
  return { rows: last - first + 1, arrows: arrowIdx.length };
}

function drawMarks(ctx: Pen, s: Scene, first: number, last: number, X: Axis, Y: Axis, alphaOf: (row: number) => number): void {
  const grid = s.grid!;
  const g = s.geometry;
  const p = s.palette;
  const rel = s.focus.relations;
  const r0 = g.markRadius();
  for (let r = first; r <= last; r++) {
    const lane = grid.laneOfRow(r);
    if (lane < 0) continue;
    const across = g.laneAcross[lane];
    if (Number.isNaN(across)) continue;
    const e = s.events[r];
    if (!e) continue;
    const along = g.rowAlong(r);
    const x = X(along, across);
    const y = Y(along, across);
    const kind = markKind(e.kind);
    ctx.globalAlpha = alphaOf(r);
    ctx.fillStyle = p.kinds[kind];
    ctx.strokeStyle = p.kinds[kind];
    if (kind === "drop") cross(ctx, x, y, r0 + 1.5, p.danger);
    else if (kind === "fault" || kind === "fail") {
      ctx.fillRect(x - r0, y - r0, r0 * 2, r0 * 2);
    } else {
      ctx.beginPath();
      ctx.arc(x, y, kind === "thread" ? r0 * 0.8 : r0, 0, Math.PI * 2);
      if (kind === "thread" || kind === "recv") {
        ctx.fillStyle = p.bg;
        ctx.fill();
        ctx.lineWidth = 2;
        ctx.stroke();
        ctx.lineWidth = 1;
      } else ctx.fill();
    }
    if (rel && (rel[r] === 2 || rel[r] === 3 || rel[r] === 1)) {
      ctx.globalAlpha = 1;
      ctx.strokeStyle = rel[r] === 2 ? p.past : rel[r] === 3 ? p.future : p.fg;
      ctx.lineWidth = rel[r] === 1 ? 3 : 2;
      ctx.beginPath();
      ctx.arc(x, y, r0 + (rel[r] === 1 ? 5 : 3), 0, Math.PI * 2);
      ctx.stroke();
      ctx.lineWidth = 1;
    }
    // a word beside the mark when there is room
    if (g.down && g.rowSize >= 18 && ctx.globalAlpha > 0.5) {
      const label = shortLabel(e);
      if (label) {
        ctx.font = "11px ui-monospace, Menlo, Consolas, monospace";
        const w = ctx.measureText(label).width;
        const a = ctx.globalAlpha;
        ctx.globalAlpha = a * 0.85;
        ctx.fillStyle = p.bg;
        ctx.fillRect(x + r0 + 4, y - 7, w + 4, 14);
        ctx.globalAlpha = a;
        ctx.fillStyle = p.muted;
        ctx.fillText(label, x + r0 + 6, y + 4);
      }
    }
  }
  ctx.globalAlpha = 1;
}

function drawArrow(ctx: Pen, a: Arrow, s: Scene, X: Axis, Y: Axis, alphaOf: (row: number) => number): void {
  const grid = s.grid!;
  const g = s.geometry;
  const p = s.palette;
  const sRow = a.sendSeq - 1;
  const sLane = grid.laneOfRow(sRow);
  const endRow = a.endSeq !== null ? a.endSeq - 1 : grid.length - 1;
  const eLane = a.endSeq !== null ? grid.laneOfRow(endRow) : grid.nodeLane(a.to);
  if (sLane < 0 || eLane < 0) return;
  const sAc = g.laneAcross[sLane];
  const eAc = g.laneAcross[eLane];
  if (Number.isNaN(sAc) || Number.isNaN(eAc)) return;
  const x1 = X(g.rowAlong(sRow), sAc);
  const y1 = Y(g.rowAlong(sRow), sAc);
  const x2 = X(g.rowAlong(endRow), eAc);
  const y2 = Y(g.rowAlong(endRow), eAc);
  ctx.globalAlpha = Math.min(alphaOf(sRow), a.endSeq !== null ? alphaOf(endRow) : 1);
  const color = a.dropped ? p.danger : a.duplicate ? p.dup : p.accent;
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = 1.6;
  if (a.dropped) ctx.setLineDash([6, 4]);
  else if (a.duplicate) ctx.setLineDash([2, 3]);
  else if (a.endSeq === null) ctx.setLineDash([1, 4]);
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x2, y2);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.lineWidth = 1;
  if (a.dropped) {
    cross(ctx, x2, y2, 7, p.danger);
    return;
  }
  if (a.endSeq === null) return;
  // arrowhead, stopping short of the mark
  const ang = Math.atan2(y2 - y1, x2 - x1);
  const back = Math.min(7, Math.hypot(x2 - x1, y2 - y1) / 2);
  const tx = x2 - Math.cos(ang) * back;
  const ty = y2 - Math.sin(ang) * back;
  ctx.beginPath();
  ctx.moveTo(tx, ty);
  ctx.lineTo(tx - Math.cos(ang - 0.4) * 9, ty - Math.sin(ang - 0.4) * 9);
  ctx.lineTo(tx - Math.cos(ang + 0.4) * 9, ty - Math.sin(ang + 0.4) * 9);
  ctx.closePath();
  ctx.fill();
  if (a.duplicate) {
    ctx.font = "bold 10px system-ui, sans-serif";
    ctx.fillText("dup", (x1 + x2) / 2 + 4, (y1 + y2) / 2 - 4);
  }
}

function drawGutter(ctx: Pen, s: Scene, first: number, last: number, X: Axis, Y: Axis): void {
  const g = s.geometry;
  const p = s.palette;
  ctx.fillStyle = p.band;
  if (g.down) ctx.fillRect(0, 0, g.gutter - 8, s.height);
  else ctx.fillRect(0, 0, s.width, g.gutter - 6);
  ctx.fillStyle = p.muted;
  ctx.font = "10.5px ui-monospace, Menlo, Consolas, monospace";
  const every = g.labelEvery();
  const start = Math.ceil(first / every) * every;
  for (let r = start; r <= last; r += every) {
    const along = g.rowAlong(r);
    const label = String(r + 1);
    if (g.down) ctx.fillText(label, 6, Y(along, 0) + 4);
    else ctx.fillText(label, X(along, 0) - ctx.measureText(label).width / 2, 16);
  }
}

function drawHeader(ctx: Pen, s: Scene): void {
  const grid = s.grid!;
  const g = s.geometry;
  const p = s.palette;
  const { width: W, height: H } = s;
  const down = g.down;
  ctx.fillStyle = p.band;
  if (down) ctx.fillRect(0, 0, W, g.head - 6);
  else ctx.fillRect(0, 0, g.head - 8, H);
  ctx.strokeStyle = p.line;
  ctx.beginPath();
  if (down) {
    ctx.moveTo(0, g.head - 6.5);
    ctx.lineTo(W, g.head - 6.5);
  } else {
    ctx.moveTo(g.head - 8.5, 0);
    ctx.lineTo(g.head - 8.5, H);
  }
  ctx.stroke();
  let prevNode: string | null = null;
  const shown = s.focus.order.map((id) => grid.lanes.findIndex((l) => l.id === id)).filter((i) => i >= 0 && !Number.isNaN(g.laneAcross[i]));
  for (const i of shown) {
    const lane = grid.lanes[i];
    const c = g.laneAcross[i] - s.scrollAcross;
    const thread = lane.id.slice(lane.id.indexOf("/") + 1) || lane.node;
    ctx.textAlign = down ? "center" : "left";
    if (lane.node !== prevNode) {
      ctx.fillStyle = p.fg;
      ctx.font = "600 12px system-ui, sans-serif";
      if (down) ctx.fillText(lane.node, c, 18);
      else ctx.fillText(lane.node, 8, c - 6);
      prevNode = lane.node;
    }
    ctx.fillStyle = p.kinds.send;
    ctx.font = "12px ui-monospace, Menlo, Consolas, monospace";
    if (down) ctx.fillText(thread, c, 35);
    else ctx.fillText(thread, 8, c + 9);
  }
  ctx.textAlign = "left";
}

function cross(ctx: Pen, x: number, y: number, r: number, color: string): void {
  ctx.strokeStyle = color;
  ctx.lineWidth = 2.4;
  ctx.beginPath();
  ctx.moveTo(x - r, y - r);
  ctx.lineTo(x + r, y + r);
  ctx.moveTo(x + r, y - r);
  ctx.lineTo(x - r, y + r);
  ctx.stroke();
  ctx.lineWidth = 1;
}

function shortLabel(e: TraceEvent): string {
  switch (e.kind) {
    case "msg.send": return `send ${e.id ?? ""}`;
    case "msg.recv": return `recv ${e.id ?? ""}`;
    case "msg.drop": return `lost ${e.id ?? ""}`;
    case "var.write": return `${e.name}=${formatValue(e.value)}`.slice(0, 18);
    case "var.read": return `${e.name}?`;
    case "sync.acquire": return `⊢ ${e.resource}`;
    case "sync.release": return `⊣ ${e.resource}`;
    case "sync.request": return `… ${e.resource}`;
    case "output": return `“${String(e.text ?? "")}”`.slice(0, 18);
    case "thread.failed": return "failed";
    case "node.crash": return "crash";
    case "node.restart": return "restart";
    default: return "";
  }
}
