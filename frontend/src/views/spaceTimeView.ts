// The space-time diagram, drawn on a canvas from the precomputed layout of
// model/spacetime: a lane per thread grouped by node, time flowing down (or
// right), events as marks coloured by kind, messages as arrows (dropped ones
// end in a cross, duplicates dashed). Only the rows in view are drawn; a
// scroller with a spacer of the full size gives native scrolling. Hover shows
// an event with its clocks; a click shows its causal past and future; a
// double click moves the playback cursor there. Counts are mirrored into
// data-* attributes and a list of messages for tests and screen readers.

import { describe } from "../model/describe";
import type { TraceEvent } from "../model/events";
import { formatValue, type Namer } from "../model/names";
import {
  causalRelations, eventFilter, markKind, type Arrow, type MarkKind, type SpaceTimeLayout,
} from "../model/spacetime";
import { h, replaceChildren } from "./dom";

export type Orientation = "down" | "right";

export interface SpaceTimeActions {
  cursor(seq: number): void; // double click on an event: show the run at that moment
}

// Run-level events worth a rule across all lanes.
const RULED = new Set(["deadlock", "net.partition", "net.heal", "run.finished", "invariant.violated"]);
const MESSAGE_LIST_MAX = 400;

interface Palette {
  bg: string; fg: string; muted: string; line: string; band: string; accent: string; danger: string; warn: string; ok: string;
  kinds: Record<MarkKind, string>; past: string; future: string; dup: string;
}

export class SpaceTimeView {
  readonly root: HTMLElement;
  private readonly scroller = h("div", { class: "st-scroller", tabindex: "0", "aria-label": "Space-time diagram; scroll to move in time" });
  private readonly spacer = h("div", { class: "st-spacer" });
  private readonly canvas = h("canvas", { class: "st-canvas", "aria-hidden": "true" });
  private readonly tooltip = h("div", { class: "st-tooltip", role: "tooltip", "data-testid": "diagram-tooltip", hidden: true });
  private readonly summary = h("p", { class: "st-summary", "data-testid": "diagram-summary", "aria-live": "polite" });
  private readonly messageList = h("ol", { class: "sr-only", "data-testid": "message-list" });
  private readonly search = h("input", {
    type: "search", class: "st-search", placeholder: "Filter: thread:P1 kind:msg lock…", "data-testid": "diagram-search",
    "aria-label": "Filter events by thread, kind, resource or text",
  });
  private readonly matchNote = h("span", { class: "muted st-matches", "data-testid": "diagram-matches" });
  private readonly orientButton = h("button", { class: "btn small", "data-testid": "diagram-orientation", title: "Time flows down or to the right" });
  private readonly laneMenu = h("div", { class: "st-lanes", "data-testid": "diagram-lanes" });
  private readonly selectionNote = h("span", { class: "st-selection", "data-testid": "diagram-selection" });

  private layout: SpaceTimeLayout | null = null;
  private events: readonly TraceEvent[] = [];
  private name: Namer = (x) => x ?? "";
  private orientation: Orientation = "down";
  private rowSize = 22;
  private order: string[] = []; // lane ids in display order
  private readonly hidden = new Set<string>();
  private selected: TraceEvent | null = null;
  private relations: Uint8Array | null = null;
  private matches: Uint8Array | null = null;
  private matchedRows = 0;
  private filterQuery = "";
  private cursor: number | null = null;
  private follow = true;
  private shownRows = -1;
  private shownArrows = -1;
  private frame = 0;
  private palette: Palette | null = null;
  private laneAcross: number[] = []; // by lane index: across-axis centre, NaN when hidden
  private acrossSize = 0;
  private lastDraw = { rows: 0, arrows: 0 };

  constructor(private readonly actions: SpaceTimeActions) {
    this.scroller.append(this.spacer);
    const zoom = (f: number) => () => this.zoom(f);
    this.root = h("div", { class: "spacetime", "data-testid": "spacetime" },
      h("div", { class: "st-toolbar" },
        this.search, this.matchNote,
        h("span", { class: "st-tools" },
          this.orientButton,
          h("button", { class: "btn small", "data-testid": "diagram-zoom-out", title: "Less space per event", onclick: zoom(1 / 1.5) }, "−"),
          h("button", { class: "btn small", "data-testid": "diagram-zoom-in", title: "More space per event", onclick: zoom(1.5) }, "+"),
          h("details", { class: "st-lanes-menu" }, h("summary", { class: "btn small" }, "Lanes"), this.laneMenu))),
      h("div", { class: "st-stage" }, this.scroller, this.canvas, this.tooltip),
      h("div", { class: "st-footer" }, this.summary, this.selectionNote, legend()),
      this.messageList);
    this.orientButton.addEventListener("click", () => this.setOrientation(this.orientation === "down" ? "right" : "down"));
    this.setOrientation("down");
    let debounce: ReturnType<typeof setTimeout> | null = null;
    this.search.addEventListener("input", () => {
      if (debounce) clearTimeout(debounce);
      debounce = setTimeout(() => this.applyFilter(this.search.value), 120);
    });
    this.scroller.addEventListener("scroll", () => {
      this.follow = this.atEnd();
      this.schedule();
    }, { passive: true });
    this.scroller.addEventListener("mousemove", (e) => this.hover(e));
    this.scroller.addEventListener("mouseleave", () => (this.tooltip.hidden = true));
    this.scroller.addEventListener("click", (e) => this.select(this.hit(e)));
    this.scroller.addEventListener("dblclick", (e) => {
      const ev = this.hit(e);
      if (ev) this.actions.cursor(ev.seq);
    });
    new ResizeObserver(() => this.schedule(true)).observe(this.scroller);
    matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
      this.palette = null;
      this.schedule();
    });
  }

  /** A new run (or none): forget the selection, the filter results and the lane order. */
  reset(): void {
    this.layout = null;
    this.events = [];
    this.selected = null;
    this.relations = null;
    this.matches = null;
    this.order = [];
    this.hidden.clear();
    this.cursor = null;
    this.follow = true;
    this.shownRows = -1;
    this.shownArrows = -1;
    this.scroller.scrollTop = 0;
    this.scroller.scrollLeft = 0;
    this.renderLaneMenu();
    this.schedule(true);
  }

  /** Called on every page render; cheap when nothing changed. `cursor` null = the end (follow). */
  update(layout: SpaceTimeLayout, events: readonly TraceEvent[], cursor: number | null, name: Namer): void {
    const grew = layout.length !== this.shownRows || layout !== this.layout;
    const moved = cursor !== this.cursor;
    this.layout = layout;
    this.events = events;
    this.name = name;
    if (!grew && !moved) return;
    if (grew) {
      const before = this.order.length;
      for (const l of layout.lanes) if (!this.order.includes(l.id)) this.order.push(l.id);
      if (this.order.length !== before) this.renderLaneMenu();
      if (this.filterQuery) this.applyFilter(this.filterQuery, false);
      this.shownRows = layout.length;
      this.resize();
    }
    this.cursor = cursor;
    if (cursor === null && this.follow) this.scrollToRow(layout.length - 1, "end");
    else if (moved && cursor !== null) this.scrollToRow(Math.max(0, cursor - 1), "nearest");
    this.mirror();
    this.schedule();
  }

  /** Figures of the last frame, for the benchmark and tests. */
  drawn(): { rows: number; arrows: number } {
    return this.lastDraw;
  }

  selectThread(thread: string): void {
    this.search.value = `thread:${thread}`;
    this.applyFilter(this.search.value);
  }

  // --- geometry ----------------------------------------------------------

  private get down(): boolean {
    return this.orientation === "down";
  }

  /** Header band (lane labels) on the across axis start... and the seq gutter. */
  private get head(): number {
    return this.down ? 48 : 128; // along-axis offset of row 0 (down: top band; right: left band)
  }

  private get gutter(): number {
    return this.down ? 56 : 26; // across-axis offset of the first lane (down: seq labels on the left)
  }

  private resize(): void {
    const layout = this.layout;
    const lanes = layout?.lanes ?? [];
    const visible = this.order.filter((id) => !this.hidden.has(id));
    const nodeBreaks = new Set<number>();
    let prevNode: string | null = null;
    visible.forEach((id, i) => {
      const node = lanes.find((l) => l.id === id)?.node ?? null;
      if (i && node !== prevNode) nodeBreaks.add(i);
      prevNode = node;
    });
    const viewAcross = (this.down ? this.scroller.clientWidth : this.scroller.clientHeight) || 600;
    const breaksSize = nodeBreaks.size * 18;
    const minGap = this.down ? 96 : 40;
    const fit = visible.length ? (viewAcross - this.gutter - 24 - breaksSize) / visible.length : minGap;
    const gap = Math.max(minGap, Math.min(this.down ? 200 : 64, fit));
    this.laneAcross = lanes.map(() => NaN);
    let at = this.gutter + gap / 2;
    visible.forEach((id, i) => {
      if (nodeBreaks.has(i)) at += 18;
      const idx = lanes.findIndex((l) => l.id === id);
      if (idx >= 0) this.laneAcross[idx] = at;
      at += gap;
    });
    this.acrossSize = at - gap / 2 + 24;
    const along = this.head + (layout?.length ?? 0) * this.rowSize + 40;
    this.spacer.style.width = `${this.down ? this.acrossSize : along}px`;
    this.spacer.style.height = `${this.down ? along : this.acrossSize}px`;
  }

  private rowAlong(row: number): number {
    return this.head + row * this.rowSize + this.rowSize / 2;
  }

  private scrollToRow(row: number, where: "end" | "nearest"): void {
    if (row < 0) return;
    const along = this.rowAlong(row);
    const size = this.down ? this.scroller.clientHeight : this.scroller.clientWidth;
    const pos = this.down ? this.scroller.scrollTop : this.scroller.scrollLeft;
    let target = pos;
    if (where === "end") target = Math.max(0, along - size + this.rowSize * 2);
    else if (along < pos + this.head || along > pos + size - this.rowSize) target = Math.max(0, along - size / 2);
    if (target === pos) return;
    if (this.down) this.scroller.scrollTop = target;
    else this.scroller.scrollLeft = target;
  }

  private atEnd(): boolean {
    const s = this.scroller;
    return this.down ? s.scrollTop + s.clientHeight >= s.scrollHeight - this.rowSize * 3
      : s.scrollLeft + s.clientWidth >= s.scrollWidth - this.rowSize * 3;
  }

  private zoom(factor: number): void {
    const s = this.scroller;
    const centreRow = ((this.down ? s.scrollTop + s.clientHeight / 2 : s.scrollLeft + s.clientWidth / 2) - this.head) / this.rowSize;
    this.rowSize = Math.max(3, Math.min(60, this.rowSize * factor));
    this.resize();
    const along = this.head + centreRow * this.rowSize - (this.down ? s.clientHeight : s.clientWidth) / 2;
    if (this.down) s.scrollTop = along;
    else s.scrollLeft = along;
    this.root.dataset.rowSize = this.rowSize.toFixed(1);
    this.schedule();
  }

  private setOrientation(o: Orientation): void {
    this.orientation = o;
    this.root.dataset.orientation = o;
    this.orientButton.textContent = o === "down" ? "Time ↓" : "Time →";
    this.resize();
    if (this.follow) this.scrollToRow((this.layout?.length ?? 0) - 1, "end");
    this.schedule(true);
  }

  // --- interaction --------------------------------------------------------

  /** The event under the pointer, if a mark is within reach. */
  private hit(e: MouseEvent): TraceEvent | null {
    const layout = this.layout;
    if (!layout) return null;
    const rect = this.scroller.getBoundingClientRect();
    const x = e.clientX - rect.left + this.scroller.scrollLeft;
    const y = e.clientY - rect.top + this.scroller.scrollTop;
    const along = this.down ? y : x;
    const across = this.down ? x : y;
    const row = Math.floor((along - this.head) / this.rowSize);
    // The row itself, then its neighbours when rows are thin.
    const reach = Math.max(0, Math.ceil(6 / this.rowSize));
    let best: TraceEvent | null = null;
    let bestDist = 10;
    for (let r = row - reach; r <= row + reach; r++) {
      const lane = layout.laneOfRow(r);
      if (lane < 0 || Number.isNaN(this.laneAcross[lane])) continue;
      const d = Math.hypot(this.laneAcross[lane] - across, this.rowAlong(r) - along);
      if (d < bestDist) {
        bestDist = d;
        best = this.events[r] ?? null;
      }
    }
    return best;
  }

  private hover(e: MouseEvent): void {
    const ev = this.hit(e);
    this.scroller.style.cursor = ev ? "pointer" : "";
    if (!ev) {
      this.tooltip.hidden = true;
      return;
    }
    const name = this.name;
    const vc = ev.vc ? Object.entries(ev.vc).map(([k, v]) => `${k}:${v}`).join(" ") : "—";
    replaceChildren(this.tooltip,
      h("div", { class: "st-tip-head" }, h("span", { class: "kind" }, ev.kind), h("span", { class: "muted" }, `#${ev.seq} · ${(ev.t * 1000).toFixed(1)} ms`)),
      h("div", { class: "st-tip-what" }, describe(ev, name)),
      h("dl", null,
        h("dt", null, "thread"), h("dd", null, name(ev.thread) || ev.node || "run"),
        h("dt", null, "Lamport"), h("dd", { "data-testid": "tooltip-lamport" }, ev.lamport ?? "—"),
        h("dt", null, "vector"), h("dd", { "data-testid": "tooltip-vc" }, `[${vc}]`),
        ev.kind.startsWith("msg.") && ev.id ? [h("dt", null, "message"), h("dd", null, `${ev.id}${ev.content !== undefined ? ` ${formatValue(ev.content)}` : ""}`)] : null));
    const stage = this.tooltip.parentElement!.getBoundingClientRect();
    const left = Math.min(e.clientX - stage.left + 14, stage.width - 300);
    const top = e.clientY - stage.top + 14;
    this.tooltip.style.left = `${Math.max(4, left)}px`;
    this.tooltip.style.top = `${top > stage.height - 130 ? top - 150 : top}px`;
    this.tooltip.hidden = false;
  }

  private select(ev: TraceEvent | null): void {
    if (ev && this.selected?.seq === ev.seq) ev = null; // a second click clears
    this.selected = ev;
    this.relations = ev ? causalRelations(this.events, ev) : null;
    this.mirror();
    this.schedule();
  }

  private applyFilter(query: string, redraw = true): void {
    this.filterQuery = query.trim();
    const test = eventFilter(query);
    if (!test) {
      this.matches = null;
      this.matchedRows = 0;
    } else {
      const m = new Uint8Array(this.events.length);
      let n = 0;
      for (let i = 0; i < this.events.length; i++) if (test(this.events[i])) {
        m[i] = 1;
        n += 1;
      }
      this.matches = m;
      this.matchedRows = n;
    }
    this.matchNote.textContent = this.matches ? `${this.matchedRows} match${this.matchedRows === 1 ? "" : "es"}` : "";
    this.root.dataset.matches = this.matches ? String(this.matchedRows) : "";
    if (redraw) this.schedule();
  }

  private renderLaneMenu(): void {
    const lanes = this.order;
    if (!lanes.length) return replaceChildren(this.laneMenu, h("p", { class: "muted" }, "No lanes yet."));
    const move = (id: string, d: number) => () => {
      const i = this.order.indexOf(id);
      const j = i + d;
      if (j < 0 || j >= this.order.length) return;
      [this.order[i], this.order[j]] = [this.order[j], this.order[i]];
      this.renderLaneMenu();
      this.resize();
      this.schedule();
    };
    replaceChildren(this.laneMenu,
      h("ul", null, lanes.map((id, i) => {
        const box = h("input", { type: "checkbox", "data-testid": `lane-visible-${id}` }) as HTMLInputElement;
        box.checked = !this.hidden.has(id);
        box.addEventListener("change", () => {
          if (box.checked) this.hidden.delete(id);
          else this.hidden.add(id);
          this.resize();
          this.mirror();
          this.schedule();
        });
        return h("li", null,
          h("label", null, box, h("code", null, laneLabel(id, this.name))),
          h("button", { class: "btn small", title: "Move up", "aria-label": `Move ${id} up`, disabled: i === 0, onclick: move(id, -1) }, "↑"),
          h("button", { class: "btn small", title: "Move down", "aria-label": `Move ${id} down`, disabled: i === lanes.length - 1, onclick: move(id, 1) }, "↓"));
      })));
  }

  // --- mirror for tests and screen readers -------------------------------

  private mirror(): void {
    const layout = this.layout;
    const d = this.root.dataset;
    const c = layout?.counts();
    d.events = String(c?.events ?? 0);
    d.lanes = String(this.order.length - this.hidden.size);
    d.messages = String(c?.sends ?? 0);
    d.delivered = String(c?.delivered ?? 0);
    d.dropped = String(c?.dropped ?? 0);
    d.duplicates = String(c?.duplicates ?? 0);
    d.inFlight = String(c?.inFlight ?? 0);
    d.cursor = this.cursor === null ? "" : String(this.cursor);
    d.selected = this.selected ? String(this.selected.seq) : "";
    if (this.relations) {
      const n = [0, 0, 0, 0, 0];
      for (const r of this.relations) n[r] += 1;
      d.past = String(n[2]);
      d.future = String(n[3]);
      d.concurrent = String(n[4]);
      this.selectionNote.textContent = `#${this.selected!.seq}: ${n[2]} before it, ${n[3]} after it, ${n[4]} concurrent`;
    } else {
      delete d.past;
      delete d.future;
      delete d.concurrent;
      this.selectionNote.textContent = layout?.length ? "Click an event to see its causal past and future." : "";
    }
    if (c) {
      this.summary.textContent = `${c.events} events · ${c.sends} message${c.sends === 1 ? "" : "s"}: ${c.delivered} delivered, ${c.dropped} dropped` +
        `${c.duplicates ? `, ${c.duplicates} duplicated` : ""}${c.inFlight ? `, ${c.inFlight} in flight` : ""}`;
    } else this.summary.textContent = "";
    const listed = layout ? layout.arrows.slice(0, MESSAGE_LIST_MAX) : [];
    const signature = listed.length * 4 + listed.filter((a) => a.endSeq !== null).length; // grows on any change
    if (layout && signature !== this.shownArrows) {
      this.shownArrows = signature;
      replaceChildren(this.messageList, layout.arrows.slice(0, MESSAGE_LIST_MAX).map((a) =>
        h("li", { "data-from": a.from, "data-to": a.to, "data-id": a.id, "data-fate": a.dropped ? "dropped" : a.endSeq === null ? "in-flight" : a.duplicate ? "duplicate" : "delivered" },
          `${a.id}: ${a.from} → ${a.to}, ${a.dropped ? `dropped (${a.reason ?? "?"})` : a.endSeq === null ? "in flight" : a.duplicate ? "delivered again" : "delivered"}`)));
    } else if (!layout) replaceChildren(this.messageList);
  }

  // --- drawing -------------------------------------------------------------

  private schedule(resize = false): void {
    if (resize) this.resize();
    if (!this.frame) this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private colors(): Palette {
    if (this.palette) return this.palette;
    const css = getComputedStyle(document.documentElement);
    const v = (n: string, f: string) => css.getPropertyValue(n).trim() || f;
    const accent = v("--accent", "#3b5bdb");
    const danger = v("--danger", "#d03a3a");
    const muted = v("--muted", "#687086");
    this.palette = {
      bg: v("--code-bg", "#fbfbfd"), fg: v("--fg", "#1d2330"), muted, line: v("--line", "#e2e5ec"),
      band: v("--panel-2", "#f8f9fb"), accent, danger, warn: v("--warn", "#c27c0e"), ok: v("--ok", "#2f9e44"),
      past: v("--past", "#1c7ed6"), future: v("--future", "#e8590c"), dup: v("--dup", "#9c36b5"),
      kinds: {
        thread: muted, var: v("--ok", "#2f9e44"), sync: v("--resource", "#b7791f"), send: accent, recv: accent,
        drop: danger, output: v("--fg", "#1d2330"), fail: danger, fault: v("--warn", "#c27c0e"), run: muted, other: muted,
      },
    };
    return this.palette;
  }

  private draw(): void {
    const canvas = this.canvas;
    const W = this.scroller.clientWidth;
    const H = this.scroller.clientHeight;
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(W * dpr) || canvas.height !== Math.round(H * dpr)) {
      canvas.width = Math.round(W * dpr);
      canvas.height = Math.round(H * dpr);
      canvas.style.width = `${W}px`;
      canvas.style.height = `${H}px`;
    }
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const p = this.colors();
    ctx.fillStyle = p.bg;
    ctx.fillRect(0, 0, W, H);
    const layout = this.layout;
    if (!layout || !layout.length) {
      ctx.fillStyle = p.muted;
      ctx.font = "13px system-ui, sans-serif";
      ctx.fillText("Run the scenario: each thread becomes a lane, each message an arrow.", 16, 28);
      this.lastDraw = { rows: 0, arrows: 0 };
      return;
    }
    const down = this.down;
    const sAlong = down ? this.scroller.scrollTop : this.scroller.scrollLeft;
    const sAcross = down ? this.scroller.scrollLeft : this.scroller.scrollTop;
    const viewAlong = down ? H : W;
    const R = this.rowSize;
    const first = Math.max(0, Math.floor((sAlong - this.head) / R) - 1);
    const last = Math.min(layout.length - 1, Math.ceil((sAlong + viewAlong - this.head) / R) + 1);
    // screen position of (along, across) in content coordinates
    const X = (along: number, across: number) => (down ? across - sAcross : along - sAlong);
    const Y = (along: number, across: number) => (down ? along - sAlong : across - sAcross);
    const lanes = layout.lanes;

    // node bands and lane lines
    ctx.lineWidth = 1;
    const laneStart = this.head - 4 - sAlong;
    const laneEnd = this.rowAlong(layout.length - 1) + R - sAlong;
    lanes.forEach((_lane, i) => {
      const a = this.laneAcross[i];
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

    const rel = this.relations;
    const match = this.matches;
    const cursor = this.cursor;
    const alphaOf = (row: number) => {
      let a = 1;
      if (match && !match[row]) a *= 0.14;
      if (rel) {
        const r = rel[row];
        if (r === 4) a *= 0.16; // concurrent
        else if (r === 0) a *= 0.35; // no clock
      }
      if (cursor !== null && row >= cursor) a *= 0.3; // after the moment shown
      return a;
    };

    // run-level rules
    ctx.font = "11px system-ui, sans-serif";
    for (let r = first; r <= last; r++) {
      if (layout.laneOfRow(r) >= 0) continue;
      const e = this.events[r];
      if (!e || !RULED.has(e.kind)) continue;
      const along = this.rowAlong(r);
      ctx.globalAlpha = alphaOf(r);
      ctx.strokeStyle = e.kind === "deadlock" || e.kind === "invariant.violated" ? p.danger : e.kind.startsWith("net.") ? p.warn : p.muted;
      ctx.setLineDash([4, 4]);
      ctx.beginPath();
      ctx.moveTo(X(along, this.gutter), Y(along, this.gutter));
      ctx.lineTo(X(along, this.acrossSize), Y(along, this.acrossSize));
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = ctx.strokeStyle;
      if (down) ctx.fillText(e.kind, X(along, this.gutter) + 4, Y(along, this.gutter) - 3);
    }
    ctx.globalAlpha = 1;

    // arrows
    const arrowIdx = layout.arrowsBetween(first, last);
    for (const i of arrowIdx) this.drawArrow(ctx, layout.arrows[i], layout, p, X, Y, alphaOf);
    ctx.globalAlpha = 1;

    // marks
    const r0 = Math.max(2, Math.min(5.5, R * 0.32));
    for (let r = first; r <= last; r++) {
      const lane = layout.laneOfRow(r);
      if (lane < 0) continue;
      const across = this.laneAcross[lane];
      if (Number.isNaN(across)) continue;
      const e = this.events[r];
      if (!e) continue;
      const along = this.rowAlong(r);
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
      if (down && R >= 18 && ctx.globalAlpha > 0.5) {
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

    // the moment shown
    if (cursor !== null) {
      const along = this.head + cursor * R;
      ctx.strokeStyle = p.accent;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(X(along, 0), Y(along, 0));
      ctx.lineTo(X(along, Math.max(this.acrossSize, down ? W : H) + sAcross), Y(along, Math.max(this.acrossSize, down ? W : H) + sAcross));
      ctx.stroke();
      ctx.lineWidth = 1;
    }

    this.drawGutter(ctx, p, first, last, X, Y, W, H);
    this.drawHeader(ctx, p, W, H);
    this.lastDraw = { rows: last - first + 1, arrows: arrowIdx.length };
  }

  private drawArrow(
    ctx: CanvasRenderingContext2D, a: Arrow, layout: SpaceTimeLayout, p: Palette,
    X: (al: number, ac: number) => number, Y: (al: number, ac: number) => number, alphaOf: (row: number) => number,
  ): void {
    const sRow = a.sendSeq - 1;
    const sLane = layout.laneOfRow(sRow);
    const endRow = a.endSeq !== null ? a.endSeq - 1 : layout.length - 1;
    const eLane = a.endSeq !== null ? layout.laneOfRow(endRow) : layout.nodeLane(a.to);
    if (sLane < 0 || eLane < 0) return;
    const sAc = this.laneAcross[sLane];
    const eAc = this.laneAcross[eLane];
    if (Number.isNaN(sAc) || Number.isNaN(eAc)) return;
    const x1 = X(this.rowAlong(sRow), sAc);
    const y1 = Y(this.rowAlong(sRow), sAc);
    const x2 = X(this.rowAlong(endRow), eAc);
    const y2 = Y(this.rowAlong(endRow), eAc);
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

  private drawGutter(
    ctx: CanvasRenderingContext2D, p: Palette, first: number, last: number,
    X: (al: number, ac: number) => number, Y: (al: number, ac: number) => number, W: number, H: number,
  ): void {
    const down = this.down;
    ctx.fillStyle = p.band;
    if (down) ctx.fillRect(0, 0, this.gutter - 8, H);
    else ctx.fillRect(0, 0, W, this.gutter - 6);
    ctx.fillStyle = p.muted;
    ctx.font = "10.5px ui-monospace, Menlo, Consolas, monospace";
    const every = Math.max(1, niceStep(Math.ceil(28 / this.rowSize)));
    const start = Math.ceil(first / every) * every;
    for (let r = start; r <= last; r += every) {
      const along = this.rowAlong(r);
      const label = String(r + 1);
      if (down) ctx.fillText(label, 6, Y(along, 0) + 4);
      else ctx.fillText(label, X(along, 0) - ctx.measureText(label).width / 2, 16);
    }
  }

  private drawHeader(ctx: CanvasRenderingContext2D, p: Palette, W: number, H: number): void {
    const layout = this.layout!;
    const down = this.down;
    const sAcross = down ? this.scroller.scrollLeft : this.scroller.scrollTop;
    ctx.fillStyle = p.band;
    if (down) ctx.fillRect(0, 0, W, this.head - 6);
    else ctx.fillRect(0, 0, this.head - 8, H);
    ctx.strokeStyle = p.line;
    ctx.beginPath();
    if (down) {
      ctx.moveTo(0, this.head - 6.5);
      ctx.lineTo(W, this.head - 6.5);
    } else {
      ctx.moveTo(this.head - 8.5, 0);
      ctx.lineTo(this.head - 8.5, H);
    }
    ctx.stroke();
    let prevNode: string | null = null;
    const shown = this.order.map((id) => layout.lanes.findIndex((l) => l.id === id)).filter((i) => i >= 0 && !Number.isNaN(this.laneAcross[i]));
    for (const i of shown) {
      const lane = layout.lanes[i];
      const c = this.laneAcross[i] - sAcross;
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
      else ctx.fillText(thread, down ? c : 8, down ? 35 : c + 9);
    }
    ctx.textAlign = "left";
  }
}

function cross(ctx: CanvasRenderingContext2D, x: number, y: number, r: number, color: string): void {
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

function niceStep(n: number): number {
  for (const s of [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]) if (s >= n) return s;
  return 10000;
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

function laneLabel(id: string, name: Namer): string {
  return id.endsWith("/") ? id.slice(0, -1) : name(id);
}

function legend(): HTMLElement {
  const item = (cls: string, text: string) => h("span", { class: "st-key" }, h("i", { class: `st-swatch ${cls}` }), text);
  return h("div", { class: "st-legend", "aria-hidden": "true" },
    item("k-send", "message"), item("k-var", "variable"), item("k-sync", "lock/semaphore"), item("k-fault", "fault"),
    item("k-drop", "dropped"), item("k-dup", "duplicate"), item("k-past", "causal past"), item("k-future", "causal future"));
}
