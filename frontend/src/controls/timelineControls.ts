// Moving forwards and backwards through a finished controlled run (a witness
// replay, or a run stepped by hand): first, back, forward, last, and one chip
// per step to jump to it. The app maps positions to seqs and handles ←/→.

import type { Namer } from "../model/names";
import type { StepMark } from "../model/stepping";
import { h, replaceChildren } from "../views/dom";

export interface TimelineActions {
  go(position: number): void;
}

export class TimelineControls {
  private shownKey = "";

  constructor(
    private readonly root: HTMLElement,
    private readonly note: HTMLElement,
    private readonly actions: TimelineActions,
  ) {}

  /** `position`: 0 = before the first step, marks.length = the end. */
  render(marks: readonly StepMark[], position: number, title: string, name: Namer): void {
    const key = JSON.stringify([marks, position, title]);
    if (key === this.shownKey) return;
    this.shownKey = key;
    const n = marks.length;
    const go = (p: number) => () => this.actions.go(p);
    this.note.textContent = "← → keys move one step";
    const here = position === 0
      ? "before the first step"
      : position >= n
        ? `after step ${n} of ${n} (${name(marks[n - 1].thread)}) — the end`
        : `after step ${position} of ${n} (${name(marks[position - 1].thread)})`;
    replaceChildren(this.root,
      h("p", { class: "timeline-title", "data-testid": "timeline-title" }, title),
      h("div", { class: "timeline-bar" },
        h("button", { class: "btn", "data-testid": "timeline-first", disabled: position <= 0, title: "Before the first step", onclick: go(0) }, "⇤ First"),
        h("button", { class: "btn", "data-testid": "timeline-back", disabled: position <= 0, title: "One step back (←)", onclick: go(position - 1) }, "◀ Back"),
        h("button", { class: "btn", "data-testid": "timeline-forward", disabled: position >= n, title: "One step forward (→)", onclick: go(position + 1) }, "Forward ▶"),
        h("button", { class: "btn", "data-testid": "timeline-last", disabled: position >= n, title: "The end of the run", onclick: go(n) }, "Last ⇥"),
        h("span", { class: "timeline-position", "data-testid": "timeline-position", "data-position": position, "data-steps": n }, here)),
      h("ol", { class: "schedule timeline-steps", "data-testid": "timeline-steps" },
        marks.map((m, i) =>
          h("li", null,
            h("button", {
              class: `chip thread schedule-step${i < position ? " done" : ""}${i === position - 1 ? " current" : ""}`,
              "data-thread": m.thread, title: `go to just after step ${i + 1} (${name(m.thread)})`,
              "aria-current": i === position - 1 ? "step" : null,
              onclick: go(i + 1),
            }, h("span", { class: "step-no" }, i + 1), name(m.thread))))));
  }

  reset(): void {
    this.shownKey = "";
  }
}
