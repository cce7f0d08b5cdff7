// An exploration: progress while it runs, then one bar per distinct outcome
// with its count and a readable label, deadlocks and broken invariants
// marked, and whether every schedule was tried. Clicking an outcome asks
// for its witness schedule to be replayed.

import { explainCycle } from "../model/describe";
import type { Outcome } from "../model/events";
import { formatValue, type Namer } from "../model/names";
import { outcomeViews } from "../model/outcomes";
import type { ExploreState } from "../model/state";
import { readVerdict } from "../model/verdict";
import { h, replaceChildren } from "./dom";

export class OutcomesView {
  private shownKey = "";

  constructor(
    private readonly root: HTMLElement,
    private readonly note: HTMLElement,
    private readonly onOpen: (outcome: Outcome) => void,
  ) {}

  /** `selected`: the key of the outcome whose witness is shown; `running`: the exploration is still going. */
  render(explore: ExploreState | null, running: boolean, status: string, selected: string | null, name: Namer): void {
    const key = JSON.stringify([explore, running, status, selected]);
    if (key === this.shownKey) return;
    this.shownKey = key;
    const result = explore?.result ?? null;
    if (!result) {
      this.note.textContent = "";
      replaceChildren(this.root,
        h("p", { class: "explore-progress", "data-testid": "explore-progress" },
          running ? h("span", { class: "spinner", "aria-hidden": "true" }) : null,
          explore
            ? `Explored ${explore.explored} schedule${explore.explored === 1 ? "" : "s"} so far, ${explore.distinct} distinct outcome${explore.distinct === 1 ? "" : "s"}…`
            : running ? "Trying every interleaving…" : `The exploration ended without a result (${status}).`));
      return;
    }
    const views = outcomeViews(result.outcomes, name);
    this.note.textContent = `${views.length} outcome${views.length === 1 ? "" : "s"}`;
    replaceChildren(this.root,
      h("p", { class: "explore-summary", "data-testid": "explore-summary" },
        result.exhaustive
          ? h("span", { class: "badge status-completed", "data-testid": "explore-exhaustive", "data-exhaustive": "true" }, "exhaustive")
          : h("span", { class: "badge status-timeout", "data-testid": "explore-exhaustive", "data-exhaustive": "false" }, "not exhaustive"),
        " ",
        `${result.explored} schedule${result.explored === 1 ? "" : "s"} explored`,
        result.states !== null ? `, ${result.states} states` : "",
        ` → ${views.length} distinct outcome${views.length === 1 ? "" : "s"}. `,
        result.exhaustive
          ? "Every interleaving was covered (equivalent orders of independent steps are tried once)."
          : `Stopped early${result.stoppedBy ? ` (${result.stoppedBy})` : ""}: there may be more outcomes.`),
      h("p", { class: "muted explore-hint" }, "Click an outcome to replay one schedule that leads to it, step by step."),
      h("ol", { class: "outcomes", "data-testid": "outcomes" },
        views.map((v) => {
          const o = v.outcome;
          return h("li", null,
            h("button", {
              class: `outcome${v.problem ? ` problem-${v.problem}` : ""}${o.key === selected ? " selected" : ""}`,
              "data-testid": "outcome", "data-status": o.status, "data-count": o.count, "data-label": v.label,
              "aria-pressed": o.key === selected ? "true" : "false",
              title: `${o.count} explored schedule${o.count === 1 ? "" : "s"} ended like this — click to replay one`,
              onclick: () => this.onOpen(o),
            },
              h("span", { class: "outcome-text" },
                h("span", { class: "outcome-label", "data-testid": "outcome-label" }, v.label),
                v.problem ? " " : null,
                v.problem ? h("span", { class: `badge status-${v.problem === "non-serial" ? "violated" : v.problem}`, "data-testid": "outcome-problem" }, v.problem === "non-serial" ? "not serial" : v.problem) : null,
                problemDetail(o, name)),
              h("span", { class: "outcome-bar", "aria-hidden": "true" },
                h("span", { class: "outcome-fill", style: `width: ${Math.max(2, Math.round(v.share * 100))}%` })),
              h("span", { class: "outcome-count", "data-testid": "outcome-count" }, `×${o.count}`)));
        })));
  }
}

function problemDetail(o: Outcome, name: Namer): HTMLElement | null {
  if (o.status === "deadlock" && o.deadlock?.length) {
    return h("span", { class: "outcome-detail" }, explainCycle({ cycle: o.deadlock }, name));
  }
  if (o.status === "violated" && o.violation) {
    const values = Object.entries(o.violation.values ?? {}).map(([k, x]) => `${k} = ${formatValue(x)}`).join(", ");
    return h("span", { class: "outcome-detail" }, h("code", null, o.violation.invariant), ` broken${values ? ` (${values})` : ""}`);
  }
  if (o.status === "failed" && o.error) return h("span", { class: "outcome-detail" }, o.error);
  // Not serial (a lost update, say): the witness's verdict says what happened.
  const verdict = readVerdict(o.verdict);
  if (verdict && !verdict.ok && verdict.text) return h("span", { class: "outcome-detail", "data-testid": "outcome-verdict" }, verdict.text);
  return null;
}
