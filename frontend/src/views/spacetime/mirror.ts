// The diagram in words, for tests and screen readers (the canvas itself is
// aria-hidden): counts as data-* attributes of [data-testid=spacetime], a
// summary line, what the selection relates to, and a list of the messages.

import type { SpaceTimeGrid } from "../../model/spacetime";
import { h, replaceChildren } from "../dom";
import type { DiagramFocus } from "./focus";

const MESSAGE_LIST_MAX = 400;

export class DiagramMirror {
  readonly summary = h("p", { class: "st-summary", "data-testid": "diagram-summary", "aria-live": "polite" });
  readonly selectionNote = h("span", { class: "st-selection", "data-testid": "diagram-selection" });
  readonly messageList = h("ol", { class: "sr-only", "data-testid": "message-list" });
  private shownArrows = -1;

  constructor(private readonly root: HTMLElement) {}

  /** A new run: the message list is written afresh. */
  reset(): void {
    this.shownArrows = -1;
  }

  /** The number of events the filter matches, "" without a filter. */
  showMatches(n: number | null): void {
    this.root.dataset.matches = n === null ? "" : String(n);
  }

  update(grid: SpaceTimeGrid | null, focus: DiagramFocus, cursor: number | null): void {
    const d = this.root.dataset;
    const c = grid?.counts();
    d.events = String(c?.events ?? 0);
    d.lanes = String(focus.order.length - focus.hidden.size);
    d.messages = String(c?.sends ?? 0);
    d.delivered = String(c?.delivered ?? 0);
    d.dropped = String(c?.dropped ?? 0);
    d.duplicates = String(c?.duplicates ?? 0);
    d.inFlight = String(c?.inFlight ?? 0);
    d.cursor = cursor === null ? "" : String(cursor);
    d.selected = focus.selected ? String(focus.selected.seq) : "";
    if (focus.relations) {
      const n = focus.relationCounts();
      d.past = String(n[2]);
      d.future = String(n[3]);
      d.concurrent = String(n[4]);
      this.selectionNote.textContent = `#${focus.selected!.seq}: ${n[2]} before it, ${n[3]} after it, ${n[4]} concurrent`;
    } else {
      delete d.past;
      delete d.future;
      delete d.concurrent;
      this.selectionNote.textContent = grid?.length ? "Click an event to see its causal past and future." : "";
    }
    if (c) {
      this.summary.textContent = `${c.events} events · ${c.sends} message${c.sends === 1 ? "" : "s"}: ${c.delivered} delivered, ${c.dropped} dropped` +
        `${c.duplicates ? `, ${c.duplicates} duplicated` : ""}${c.inFlight ? `, ${c.inFlight} in flight` : ""}`;
    } else this.summary.textContent = "";
    this.listMessages(grid);
  }

  private listMessages(grid: SpaceTimeGrid | null): void {
    if (!grid) return replaceChildren(this.messageList);
    const listed = grid.arrows.slice(0, MESSAGE_LIST_MAX);
    const signature = listed.length * 4 + listed.filter((a) => a.endSeq !== null).length; // grows on any change
    if (signature === this.shownArrows) return;
    this.shownArrows = signature;
    replaceChildren(this.messageList, listed.map((a) =>
      h("li", { "data-from": a.from, "data-to": a.to, "data-id": a.id, "data-fate": a.dropped ? "dropped" : a.endSeq === null ? "in-flight" : a.duplicate ? "duplicate" : "delivered" },
        `${a.id}: ${a.from} → ${a.to}, ${a.dropped ? `dropped (${a.reason ?? "?"})` : a.endSeq === null ? "in flight" : a.duplicate ? "delivered again" : "delivered"}`)));
  }
}
