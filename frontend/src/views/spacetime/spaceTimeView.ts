// The space-time diagram: a lane per thread grouped by node, time flowing down
// (or right), events as marks, messages as arrows. This class owns the DOM and
// the input (scroll, pointer, toolbar) and puts the parts together: the grid
// (model/spacetime) says which lane and row each event has, DiagramGeometry
// where that is in pixels, DiagramFocus what is shown, selected and dimmed,
// drawDiagram paints the rows in view on a canvas under a scroller whose
// spacer has the full size, and DiagramMirror says it all in words. Hover
// shows an event with its clocks; a click its causal past and future; a
// double click moves the playback cursor there.

import type { TraceEvent } from "../../model/events";
import type { Namer } from "../../model/names";
import type { SpaceTimeGrid } from "../../model/spacetime";
import { h } from "../dom";
import { DiagramFocus } from "./focus";
import { DiagramGeometry, type Orientation } from "./geometry";
import { DiagramMirror } from "./mirror";
import { legend, readPalette, type Palette } from "./palette";
import { diagramPng, diagramSvg, type Picture } from "./pictures";
import { drawDiagram, type Drawn } from "./renderer";
import { DiagramToolbar } from "./toolbar";
import { EventTooltip } from "./tooltip";

export interface SpaceTimeActions {
  cursor(seq: number): void; // double click on an event: show the run at that moment
  save(type: "svg" | "png"): void; // the toolbar's picture buttons
}

export class SpaceTimeView {
  readonly root: HTMLElement;
  private readonly scroller = h("div", { class: "st-scroller", tabindex: "0", "aria-label": "Space-time diagram; scroll to move in time" });
  private readonly spacer = h("div", { class: "st-spacer" });
  private readonly canvas = h("canvas", { class: "st-canvas", "aria-hidden": "true" });
  private readonly tooltip = new EventTooltip();
  private readonly toolbar: DiagramToolbar;
  private readonly mirror: DiagramMirror;
  private readonly geometry = new DiagramGeometry();
  private readonly focus = new DiagramFocus();

  private grid: SpaceTimeGrid | null = null;
  private events: readonly TraceEvent[] = [];
  private name: Namer = (x) => x ?? "";
  private cursor: number | null = null;
  private follow = true; // scrolled to the end: keep showing the latest rows
  private shownRows = -1;
  private frame = 0;
  private palette: Palette | null = null;
  private lastDraw: Drawn = { rows: 0, arrows: 0 };

  constructor(private readonly actions: SpaceTimeActions) {
    this.scroller.append(this.spacer);
    this.toolbar = new DiagramToolbar({
      filter: (query) => this.applyFilter(query),
      orient: () => this.setOrientation(this.geometry.down ? "right" : "down"),
      zoom: (f) => this.zoom(f),
      moveLane: (id, d) => {
        if (!this.focus.moveLane(id, d)) return;
        this.renderLaneMenu();
        this.resize();
        this.schedule();
      },
      showLane: (id, shown) => {
        this.focus.showLane(id, shown);
        this.resize();
        this.updateMirror();
        this.schedule();
      },
      save: (type) => this.actions.save(type),
    });
    this.root = h("div", { class: "spacetime", "data-testid": "spacetime" });
    this.mirror = new DiagramMirror(this.root);
    this.root.append(
      this.toolbar.root,
      h("div", { class: "st-stage" }, this.scroller, this.canvas, this.tooltip.root),
      h("div", { class: "st-footer" }, this.mirror.summary, this.mirror.selectionNote, legend()),
      this.mirror.messageList);
    this.setOrientation("down");
    this.scroller.addEventListener("scroll", () => {
      this.follow = this.atEnd();
      this.schedule();
    }, { passive: true });
    this.scroller.addEventListener("mousemove", (e) => this.hover(e));
    this.scroller.addEventListener("mouseleave", () => this.tooltip.hide());
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
    this.grid = null;
    this.events = [];
    this.focus.reset();
    this.mirror.reset();
    this.cursor = null;
    this.follow = true;
    this.shownRows = -1;
    this.scroller.scrollTop = 0;
    this.scroller.scrollLeft = 0;
    this.renderLaneMenu();
    this.schedule(true);
  }

  /** Called on every page render; cheap when nothing changed. `cursor` null = the end (follow). */
  update(grid: SpaceTimeGrid, events: readonly TraceEvent[], cursor: number | null, name: Namer): void {
    const grew = grid.length !== this.shownRows || grid !== this.grid;
    const moved = cursor !== this.cursor;
    this.grid = grid;
    this.events = events;
    this.name = name;
    if (!grew && !moved) return;
    if (grew) {
      if (this.focus.addLanes(grid.lanes)) this.renderLaneMenu();
      if (this.focus.query) this.applyFilter(this.focus.query, false);
      this.shownRows = grid.length;
      this.resize();
    }
    this.cursor = cursor;
    if (cursor === null && this.follow) this.scrollToRow(grid.length - 1, "end");
    else if (moved && cursor !== null) this.scrollToRow(Math.max(0, cursor - 1), "nearest");
    this.updateMirror();
    this.schedule();
  }

  /** Figures of the last frame, for the benchmark and tests. */
  drawn(): Drawn {
    return this.lastDraw;
  }

  /** The whole diagram (every row, as the page shows it: lanes, selection, dimming) as a picture; null before a run. */
  picture(type: "svg" | "png"): Promise<Picture> | null {
    if (!this.grid?.length) return null;
    this.palette ??= readPalette();
    const scene = { grid: this.grid, events: this.events, geometry: this.geometry, focus: this.focus, cursor: this.cursor, palette: this.palette };
    return type === "svg" ? Promise.resolve(diagramSvg(scene)) : diagramPng(scene);
  }

  selectThread(thread: string): void {
    this.toolbar.setQuery(`thread:${thread}`);
    this.applyFilter(`thread:${thread}`);
  }

  // --- scrolling: along is the time axis, across the lanes' ----------------

  private get scrollAlong(): number {
    return this.geometry.down ? this.scroller.scrollTop : this.scroller.scrollLeft;
  }

  private set scrollAlong(value: number) {
    if (this.geometry.down) this.scroller.scrollTop = value;
    else this.scroller.scrollLeft = value;
  }

  private get viewAlong(): number {
    return this.geometry.down ? this.scroller.clientHeight : this.scroller.clientWidth;
  }

  private resize(): void {
    const g = this.geometry;
    const viewAcross = (g.down ? this.scroller.clientWidth : this.scroller.clientHeight) || 600;
    g.placeLanes(this.grid?.lanes ?? [], this.focus.visibleLanes(), viewAcross);
    const along = g.alongSize(this.grid?.length ?? 0);
    this.spacer.style.width = `${g.down ? g.acrossSize : along}px`;
    this.spacer.style.height = `${g.down ? along : g.acrossSize}px`;
  }

  private scrollToRow(row: number, where: "end" | "nearest"): void {
    const target = this.geometry.scrollFor(row, where, this.scrollAlong, this.viewAlong);
    if (target !== null) this.scrollAlong = target;
  }

  private atEnd(): boolean {
    const s = this.scroller;
    return this.geometry.atEnd(this.scrollAlong, this.viewAlong, this.geometry.down ? s.scrollHeight : s.scrollWidth);
  }

  private zoom(factor: number): void {
    const along = this.geometry.zoom(factor, this.scrollAlong, this.viewAlong);
    this.resize();
    this.scrollAlong = along;
    this.root.dataset.rowSize = this.geometry.rowSize.toFixed(1);
    this.schedule();
  }

  private setOrientation(o: Orientation): void {
    this.geometry.orientation = o;
    this.root.dataset.orientation = o;
    this.toolbar.showOrientation(o);
    this.resize();
    if (this.follow) this.scrollToRow((this.grid?.length ?? 0) - 1, "end");
    this.schedule(true);
  }

  // --- pointer, filter, selection -----------------------------------------

  /** The event under the pointer, if a mark is within reach. */
  private hit(e: MouseEvent): TraceEvent | null {
    if (!this.grid) return null;
    const rect = this.scroller.getBoundingClientRect();
    const x = e.clientX - rect.left + this.scroller.scrollLeft;
    const y = e.clientY - rect.top + this.scroller.scrollTop;
    const down = this.geometry.down;
    const row = this.geometry.hit(this.grid, down ? y : x, down ? x : y);
    return row === null ? null : this.events[row] ?? null;
  }

  private hover(e: MouseEvent): void {
    const ev = this.hit(e);
    this.scroller.style.cursor = ev ? "pointer" : "";
    if (ev) this.tooltip.show(ev, this.name, e.clientX, e.clientY);
    else this.tooltip.hide();
  }

  private select(ev: TraceEvent | null): void {
    this.focus.select(this.events, ev);
    this.updateMirror();
    this.schedule();
  }

  private applyFilter(query: string, redraw = true): void {
    this.focus.filter(this.events, query);
    const matched = this.focus.matches ? this.focus.matchedRows : null;
    this.toolbar.showMatches(matched);
    this.mirror.showMatches(matched);
    if (redraw) this.schedule();
  }

  private renderLaneMenu(): void {
    this.toolbar.renderLanes(this.focus.order, this.focus.hidden, this.name);
  }

  private updateMirror(): void {
    this.mirror.update(this.grid, this.focus, this.cursor);
  }

  // --- drawing -------------------------------------------------------------

  private schedule(resize = false): void {
    if (resize) this.resize();
    if (!this.frame) this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const down = this.geometry.down;
    this.palette ??= readPalette();
    this.lastDraw = drawDiagram(this.canvas, {
      grid: this.grid,
      events: this.events,
      geometry: this.geometry,
      focus: this.focus,
      cursor: this.cursor,
      scrollAlong: this.scrollAlong,
      scrollAcross: down ? this.scroller.scrollLeft : this.scroller.scrollTop,
      width: this.scroller.clientWidth,
      height: this.scroller.clientHeight,
      palette: this.palette,
    });
  }
}
