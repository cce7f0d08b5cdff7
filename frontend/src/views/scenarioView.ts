// The selected scenario: its summary, each node's memory and resources,
// and the code of its setup and threads in tabs, with the line each thread
// last reported marked while a run is shown.

import { makeNamer } from "../model/names";
import { formatValue } from "../model/names";
import type { NodeSpec, ScenarioSpec } from "../model/spec";
import type { RunState } from "../model/state";
import { codeBlock, markLine } from "./codeBlock";
import { h, replaceChildren } from "./dom";
import { markdownToHtml } from "./markdown";

interface Tab {
  key: string; // node/thread or node/setup
  node: string;
  snippet: string; // "setup" or the thread's name
  button: HTMLButtonElement;
  block: HTMLElement;
}

export class ScenarioView {
  private tabs: Tab[] = [];
  private active: string | null = null;

  constructor(private readonly root: HTMLElement) {}

  render(spec: ScenarioSpec): void {
    this.tabs = [];
    const summary = h("div", { class: "summary" });
    summary.innerHTML = markdownToHtml(spec.summary ?? "");
    replaceChildren(this.root,
      h("div", { class: "scenario-head" },
        h("h2", { "data-testid": "scenario-title" }, spec.title),
        h("span", { class: "tags" }, (spec.tags ?? []).map((t) => h("span", { class: "tag" }, t)))),
      summary,
      spec.nodes.map((n) => this.nodeSection(n, spec.nodes.length > 1)));
    const first = this.tabs.find((t) => t.snippet !== "setup") ?? this.tabs[0];
    if (first) this.select(first.node, first.key);
  }

  /** Marks each thread's current line (from the run state) in the code. */
  showProgress(state: RunState | null): void {
    for (const tab of this.tabs) markLine(tab.block, null, "");
    if (!state) return;
    const name = makeNamer([...new Set([...state.threads.values()].map((t) => t.node))]);
    for (const th of state.threads.values()) {
      if (th.line === null || th.status === "finished") continue;
      const key = `${th.node}/${th.snippet ?? ""}`;
      const tab = this.tabs.find((t) => t.key === key);
      if (tab) markLine(tab.block, th.line, `${name(th.id)} is here (${th.status})`);
    }
  }

  private nodeSection(node: NodeSpec, multi: boolean): HTMLElement {
    const shared = Object.entries(node.shared ?? {});
    const resources = node.resources ?? [];
    const snippets: { snippet: string; label: string; code: string }[] = [];
    if (node.setup?.trim()) snippets.push({ snippet: "setup", label: "setup", code: node.setup });
    for (const t of node.threads) snippets.push({ snippet: t.name, label: t.name, code: t.code });

    const tablist = h("div", { class: "tabs", role: "tablist" });
    const panes = h("div", { class: "tab-panes" });
    for (const s of snippets) {
      const key = `${node.id}/${s.snippet}`;
      const block = codeBlock(s.code, `code-${node.id}-${s.snippet}`);
      const button = h("button", {
        class: "tab" + (s.snippet === "setup" ? " setup" : ""),
        role: "tab",
        "data-testid": `tab-${node.id}-${s.snippet}`,
        onclick: () => this.select(node.id, key),
      }, s.label);
      tablist.append(button);
      panes.append(block);
      this.tabs.push({ key, node: node.id, snippet: s.snippet, button, block });
    }

    return h("section", { class: "node", "data-testid": `node-${node.id}` },
      h("div", { class: "node-head" },
        h("h3", null, node.id),
        node.role ? h("span", { class: "role" }, node.role) : null,
        multi ? null : h("span", { class: "muted" }, `${node.threads.length} thread${node.threads.length === 1 ? "" : "s"}`)),
      shared.length || resources.length
        ? h("dl", { class: "node-facts" },
            shared.length ? [h("dt", null, "shared"), h("dd", null, shared.map(([k, v]) => h("code", { class: "chip" }, `${k} = ${formatValue(v)}`)))] : null,
            resources.length ? [h("dt", null, "resources"), h("dd", null, resources.map((r) => h("code", { class: "chip" }, `${r.name}: ${r.type}${r.value !== undefined ? `(${r.value})` : ""}`)))] : null)
        : null,
      tablist,
      panes);
  }

  private select(node: string, key: string): void {
    this.active = key;
    for (const t of this.tabs.filter((t) => t.node === node)) {
      const on = t.key === key;
      t.button.classList.toggle("active", on);
      t.button.setAttribute("aria-selected", String(on));
      t.block.hidden = !on;
    }
  }

  get activeTab(): string | null {
    return this.active;
  }
}
