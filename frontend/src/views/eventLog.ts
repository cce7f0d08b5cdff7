// The live event log: one readable row per event, appended as events arrive.
// Only the newest MAX_ROWS rows stay in the DOM so a long run stays fluid.

import { describe } from "../model/describe";
import type { TraceEvent } from "../model/events";
import type { Namer } from "../model/names";
import { qualify } from "../model/state";
import { h, replaceChildren } from "./dom";

const MAX_ROWS = 500; // the diagram shows the whole run; the log, the latest events
const FLUSH_MS = 250;

export class EventLog {
  private readonly tbody = h("tbody");
  private readonly scroller: HTMLElement;
  private count = 0;
  private cursor: number | null = null;
  private cursorRows = 0;
  private pending: TraceEvent[] = [];
  private pendingCount = 0;
  private lastFlush = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stuckToBottom = true; // follows new rows unless the reader scrolled up

  constructor(
    private readonly root: HTMLElement,
    private readonly note: HTMLElement,
  ) {
    this.scroller = h("div", { class: "log-scroll" },
      h("table", { class: "log", "data-testid": "event-log" },
        h("thead", null, h("tr", null, h("th", null, "seq"), h("th", null, "t (ms)"), h("th", null, "thread"), h("th", null, "kind"), h("th", null, "what happened"))),
        this.tbody));
    this.scroller.addEventListener("scroll", () => {
      const el = this.scroller;
      this.stuckToBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - 24;
    }, { passive: true });
    this.clear();
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
    this.pendingCount = 0;
    this.stuckToBottom = true;
    this.count = 0;
    this.cursor = null;
    this.tbody.replaceChildren(
      h("tr", { class: "placeholder" }, h("td", { colspan: 5, class: "muted" }, "Press Run: every lock, variable access and thread step appears here.")));
    replaceChildren(this.root, this.scroller);
    this.note.textContent = "";
  }

  /** Dims the rows after `seq` (the moment shown while moving through a run); null shows all as past. */
  setCursor(seq: number | null): void {
    if (seq === this.cursor && this.cursorRows === this.count) return;
    this.cursor = seq;
    this.cursorRows = this.count;
    this.scroller.classList.toggle("has-cursor", seq !== null);
    for (const row of this.tbody.rows) {
      const s = Number(row.dataset.seq);
      row.classList.toggle("future", seq !== null && s > seq);
      row.classList.toggle("at-cursor", seq !== null && s === seq);
    }
  }

  append(events: readonly TraceEvent[], name: Namer): void {
    // A flood of events (a long run, a big trace) is written at most a few times a second,
    // since each write lays the table out again.
    if (events.length) this.pending.push(...events.slice(-MAX_ROWS));
    this.pendingCount += events.length;
    if (!this.pending.length) return;
    const now = performance.now();
    if (this.pendingCount > 50 && now - this.lastFlush < FLUSH_MS) {
      if (!this.timer) this.timer = setTimeout(() => {
        this.timer = null;
        this.append([], name);
      }, FLUSH_MS);
      return;
    }
    this.lastFlush = now;
    const batch = this.pending.slice(-MAX_ROWS);
    const total = this.pendingCount;
    this.pending = [];
    this.pendingCount = 0;
    this.write(batch, total, name);
    this.setCursor(this.cursor);
  }

  private write(events: readonly TraceEvent[], total: number, name: Namer): void {
    const atBottom = this.stuckToBottom;
    // Rows that would be trimmed at once are never built (a 100,000-event trace arrives in a few batches).
    const rows = events.slice(-MAX_ROWS).map((e) =>
      h("tr", { "data-seq": e.seq, "data-kind": e.kind, class: `kind-${e.kind.split(".")[0]} k-${e.kind.replace(".", "-")}` },
        h("td", { class: "num" }, e.seq),
        h("td", { class: "num" }, (e.t * 1000).toFixed(1)),
        h("td", null, name(e.thread ? qualify(e.node, e.thread) : null)),
        h("td", null, h("span", { class: "kind" }, e.kind)),
        h("td", { class: "what" }, describe(e, name))));
    if (!events.length) return;
    this.tbody.querySelector("tr.placeholder")?.remove();
    this.tbody.append(...rows);
    this.count += total;
    while (this.tbody.childElementCount > MAX_ROWS) this.tbody.firstElementChild?.remove();
    this.note.textContent = `${this.count} event${this.count === 1 ? "" : "s"}${this.count > MAX_ROWS ? ` (latest ${MAX_ROWS} shown)` : ""}`;
    if (atBottom) this.scroller.scrollTop = this.scroller.scrollHeight;
  }
}
