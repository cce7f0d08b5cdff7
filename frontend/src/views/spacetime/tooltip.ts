// The box shown beside the event under the pointer: what happened, its
// thread, its Lamport and vector clocks, and a message's id and content.

import { describe } from "../../model/describe";
import type { TraceEvent } from "../../model/events";
import { formatValue, type Namer } from "../../model/names";
import { h, replaceChildren } from "../dom";

export class EventTooltip {
  readonly root = h("div", { class: "st-tooltip", role: "tooltip", "data-testid": "diagram-tooltip", hidden: true });

  hide(): void {
    this.root.hidden = true;
  }

  /** Shows `ev` near the pointer at (clientX, clientY), kept inside its stage. */
  show(ev: TraceEvent, name: Namer, clientX: number, clientY: number): void {
    const vc = ev.vc ? Object.entries(ev.vc).map(([k, v]) => `${k}:${v}`).join(" ") : "—";
    replaceChildren(this.root,
      h("div", { class: "st-tip-head" }, h("span", { class: "kind" }, ev.kind), h("span", { class: "muted" }, `#${ev.seq} · ${(ev.t * 1000).toFixed(1)} ms`)),
      h("div", { class: "st-tip-what" }, describe(ev, name)),
      h("dl", null,
        h("dt", null, "thread"), h("dd", null, name(ev.thread) || ev.node || "run"),
        h("dt", null, "Lamport"), h("dd", { "data-testid": "tooltip-lamport" }, ev.lamport ?? "—"),
        h("dt", null, "vector"), h("dd", { "data-testid": "tooltip-vc" }, `[${vc}]`),
        ev.kind.startsWith("msg.") && ev.id ? [h("dt", null, "message"), h("dd", null, `${ev.id}${ev.content !== undefined ? ` ${formatValue(ev.content)}` : ""}`)] : null));
    const stage = this.root.parentElement!.getBoundingClientRect();
    const left = Math.min(clientX - stage.left + 14, stage.width - 300);
    const top = clientY - stage.top + 14;
    this.root.style.left = `${Math.max(4, left)}px`;
    this.root.style.top = `${top > stage.height - 130 ? top - 150 : top}px`;
    this.root.hidden = false;
  }
}
