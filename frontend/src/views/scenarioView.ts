// The selected scenario: its summary, each node's memory and resources,
// its setup code and one column per thread, with the line each thread last
// reported marked while a run is shown.

import { makeNamer } from "../model/names";
import { formatValue } from "../model/names";
import type { NodeSpec, ResourceSpec, ScenarioSpec } from "../model/spec";
import type { RunState } from "../model/state";
import { clearMarks, codeBlock, markLine } from "./codeBlock";
import { h, replaceChildren } from "./dom";
import { markdownToHtml } from "./markdown";

/** The lesson's explanation of what happens: closed at first, so that a prediction is the learner's own. */
function explanationFold(markdown: string): HTMLDetailsElement {
  const body = h("div", { class: "summary explanation-body" });
  body.innerHTML = markdownToHtml(markdown);
  return h("details", { class: "explanation", "data-testid": "scenario-explanation" },
    h("summary", null, h("strong", null, "What happens, and why"),
      h("span", { class: "muted" }, " — opens after your first run or check; predict first")),
    body) as HTMLDetailsElement;
}

/** The scenario an uploaded trace was recorded from, as far as the page could find it. */
export interface CarriedScenario {
  slug: string;
  spec: ScenarioSpec | null; // null: the trace names a scenario this server does not have
  edit(): void;
  runAgain(): void;
}

interface Pane {
  key: string; // node/thread or node/setup
  block: HTMLElement;
}

export class ScenarioView {
  private panes: Pane[] = [];
  private runOnlyId: string | null = null;
  private runNodes: Set<string> | null = null; // a run on its own: the nodes its threads are on, as they appear
  private readonly nodesLine = h("p", { "data-testid": "trace-nodes" });
  private explanation: HTMLDetailsElement | null = null; // what happened, kept closed until the learner has tried

  /** `root`: the title and the explanation (at the top); `code`: the code, folded when long. */
  constructor(private readonly root: HTMLElement, private readonly code: HTMLElement) {}

  render(spec: ScenarioSpec): void {
    this.panes = [];
    this.runNodes = this.runOnlyId = null;
    const summary = h("div", { class: "summary", "data-testid": "scenario-summary" });
    summary.innerHTML = markdownToHtml(spec.summary ?? "");
    // A long explanation starts folded to its first lines, so Run stays near the top.
    const long = (spec.summary ?? "").length > LONG_SUMMARY;
    summary.classList.toggle("folded", long);
    const more = long ? h("button", { class: "linklike read-more", "data-testid": "read-more", onclick: () => {
      const folded = summary.classList.toggle("folded");
      more!.textContent = folded ? "Read the whole explanation ▾" : "Fold it ▴";
    } }, "Read the whole explanation ▾") : null;
    this.explanation = spec.explanation ? explanationFold(spec.explanation) : null;
    replaceChildren(this.root,
      h("div", { class: "scenario-head" },
        h("h2", { "data-testid": "scenario-title" }, spec.title),
        h("span", { class: "tags" }, (spec.tags ?? []).map((t) => h("span", { class: "tag" }, t)))),
      summary, more, this.explanation);
    const lines = spec.nodes.reduce((n, node) => n + lineCount(node.setup) + node.threads.reduce((m, t) => m + lineCount(t.code), 0), 0);
    this.code.hidden = false;
    replaceChildren(this.code,
      h("details", { class: "code-fold", "data-testid": "code-fold", open: lines <= LONG_CODE },
        h("summary", null, h("span", { class: "code-fold-title" }, "The code"),
          h("span", { class: "muted" }, ` ${spec.nodes.length} node${spec.nodes.length === 1 ? "" : "s"}, ${lines} lines${lines > LONG_CODE ? " — click to show" : ""}`)),
        spec.nodes.map((n) => this.nodeSection(n))));
  }

  /**
   * No scenario, only a run (an uploaded trace): what it is, its nodes, and,
   * when the scenario it names can be had, buttons to edit it and run it again.
   */
  renderRunOnly(runId: string, carried: CarriedScenario | null = null): void {
    this.panes = [];
    replaceChildren(this.code);
    this.code.hidden = true;
    if (this.runOnlyId !== runId) {
      this.runOnlyId = runId;
      this.runNodes = new Set();
      this.nodesLine.replaceChildren();
    }
    replaceChildren(this.root,
      h("div", { class: "scenario-head" }, h("h2", { "data-testid": "scenario-title" }, "An uploaded trace")),
      h("p", { class: "muted" }, `Run ${runId}: the events below come from a trace file, not from a scenario in the library.`),
      this.nodesLine,
      carried?.slug ? h("div", { class: "carried", "data-testid": "carried-scenario" },
        carried.spec
          ? [h("p", null, "It was recorded from ", h("strong", null, carried.spec.title), ` (${carried.slug}).`),
            h("div", { class: "row" },
              h("button", { class: "btn small primary", "data-testid": "trace-run-again", title: "Run the same scenario again: a new run, its own interleaving", onclick: () => carried.runAgain() }, "▶ Run it again"),
              h("button", { class: "btn small", "data-testid": "trace-edit", title: "Open the scenario in the editor to change it and run it", onclick: () => carried.edit() }, "✎ Open in the editor"))]
          : h("p", { class: "muted" }, "It names the scenario ", h("code", null, carried.slug), ", which this server does not have (or you may not see): only its events can be replayed."))
        : null);
  }

  /** Marks each thread's current line (from the run state) in the code. */
  showProgress(state: RunState | null, checked = false): void {
    for (const p of this.panes) clearMarks(p.block);
    if (checked || state?.finished) this.revealExplanation();
    if (!state) return;
    if (this.runNodes) this.showRunNodes(state);
    const name = makeNamer([...new Set([...state.threads.values()].map((t) => t.node))]);
    for (const th of state.threads.values()) {
      if (th.line === null || th.status === "finished") continue;
      const pane = this.panes.find((p) => p.key === `${th.node}/${th.snippet ?? ""}`);
      if (pane) markLine(pane.block, th.line, name(th.id), th.status);
    }
  }

  /** The learner has run the lesson or checked a challenge: what happened opens (once; they may close it again). */
  revealExplanation(): void {
    const fold = this.explanation;
    if (!fold || fold.dataset.revealed) return;
    fold.dataset.revealed = "yes";
    fold.open = true;
  }

  /** A run on its own: its nodes, gathered as its threads appear (playing back does not take them away). */
  private showRunNodes(state: RunState): void {
    const nodes = this.runNodes!;
    const before = nodes.size;
    for (const t of state.threads.values()) if (t.node) nodes.add(t.node);
    if (nodes.size === before && this.nodesLine.childNodes.length) return;
    replaceChildren(this.nodesLine, nodes.size ? ["Nodes: ", [...nodes].map((n, i) => [i ? ", " : "", h("code", null, n)])] : null);
  }

  private nodeSection(node: NodeSpec): HTMLElement {
    const shared = Object.entries(node.shared ?? {});
    const resources = node.resources ?? [];
    const pane = (snippet: string, code: string, extra = "") => {
      const block = codeBlock(code, `code-${node.id}-${snippet}`);
      this.panes.push({ key: `${node.id}/${snippet}`, block });
      return h("figure", { class: `snippet ${extra}`.trim(), "data-testid": `snippet-${node.id}-${snippet}` },
        h("figcaption", null, snippet === "setup" ? h("em", null, "setup — runs once before the threads") : h("span", { class: "thread-name" }, snippet)),
        block);
    };

    return h("section", { class: "node", "data-testid": `node-${node.id}` },
      h("div", { class: "node-head" },
        h("h3", null, node.id),
        node.role ? h("span", { class: "role" }, node.role) : null,
        h("span", { class: "muted" }, `${node.threads.length} thread${node.threads.length === 1 ? "" : "s"}`)),
      shared.length || resources.length
        ? h("dl", { class: "node-facts" },
            shared.length ? [h("dt", null, "shared"), h("dd", null, shared.map(([k, v]) => h("code", { class: "chip" }, `${k} = ${formatValue(v)}`)))] : null,
            resources.length ? [h("dt", null, "resources"), h("dd", null, resources.map((r) => h("code", { class: "chip" }, resourceLabel(r))))] : null)
        : null,
      node.setup?.trim() ? pane("setup", node.setup, "setup") : null,
      h("div", { class: "thread-columns" }, node.threads.map((t) => pane(t.name, t.code))));
  }
}

// Characters of explanation shown unfolded.
const LONG_SUMMARY = 900;
// Longer than this, the code starts folded: the lesson's text and Run come first.
const LONG_CODE = 30;

function lineCount(code: string | undefined): number {
  return code?.trim() ? code.trim().split("\n").length : 0;
}

function resourceLabel(r: ResourceSpec): string {
  const arg = typeof r.value === "number" ? `(${r.value})` : typeof r.parties === "number" ? `(${r.parties})` : "";
  return `${r.name}: ${r.type}${arg}`;
}
