// The scenario editor: the topology drawn and edited on a cytoscape canvas
// (add, move, rename, delete nodes; draw and delete links), a side panel for
// the selected node (role, shared variables, resources, links) or link
// (latency, jitter, loss, duplication, reordering), and the code of the
// selected node in CodeMirror, a tab per thread and one for its setup (the side
// panel is drawn by editorSidePanel.ts).
// Every change goes through the Draft, so undo/redo covers all of them.

import { ROLES } from "../model/network";
import {
  addLink, addNode, addThread, moveNode, removeThread, renameThread, setCode, type Draft, type SpecProblem,
} from "../model/draft";
import type { ScenarioSpec } from "../model/spec";
import { CodeEditor } from "./codeEditor";
import { h, replaceChildren } from "./dom";
import { renderSidePanel, type SidePanelHost } from "./editorSidePanel";
import { apiReference } from "./apiReference";
import { TopologyView, type Selection } from "./topologyView";

export interface EditorActions {
  changed(): void; // the draft changed: the page redraws what depends on it
  save(): void;
  exportSpec(): void;
  importSpec(file: File): void;
  share(): void;
  close(): void;
}

export class ScenarioEditor {
  readonly root: HTMLElement;
  draft: Draft | null = null;
  private selection: Selection = null;
  private codeNode: string | null = null;
  private snippet = "main";
  private problems: SpecProblem[] = [];
  private readonly topology: TopologyView;
  private readonly code: CodeEditor;
  private readonly title = h("input", { class: "editor-title", "data-testid": "editor-title", "aria-label": "Scenario title" }) as HTMLInputElement;
  private readonly role = h("select", { "data-testid": "editor-role", "aria-label": "Role of the new node" },
    ROLES.map((r) => h("option", { value: r.role }, r.label))) as HTMLSelectElement;
  private readonly linkMode = h("button", { class: "btn small", "data-testid": "editor-link-mode", "aria-pressed": "false", title: "Click one node, then another" }, "→ Draw link");
  private readonly undoButton = h("button", { class: "btn small", "data-testid": "editor-undo", title: "Undo (Ctrl+Z outside the code)" }, "↶ Undo");
  private readonly redoButton = h("button", { class: "btn small", "data-testid": "editor-redo", title: "Redo (Ctrl+Shift+Z)" }, "↷ Redo");
  private readonly side = h("div", { class: "editor-side", "data-testid": "editor-side" });
  private readonly tabs = h("div", { class: "editor-tabs", role: "tablist", "data-testid": "editor-tabs" });
  private readonly codeHost = h("div", { class: "editor-code", "data-testid": "editor-code" });
  private readonly codeHead = h("div", { class: "editor-code-head" });
  private readonly problemList = h("ul", { class: "editor-problems", "data-testid": "editor-problems" });
  readonly note = h("span", { class: "muted", "data-testid": "editor-note", "aria-live": "polite" });
  private readonly sideHost: SidePanelHost = {
    selected: () => this.selection,
    change: (fn) => this.change(fn),
    select: (sel) => (this.selection = sel),
    renamedNode: (from, to) => {
      this.selection = { kind: "node", id: to };
      if (this.codeNode === from) this.codeNode = to;
    },
    deletedNode: (id) => {
      this.selection = null;
      if (this.codeNode === id) this.showCode(this.spec?.nodes[0]?.id ?? null, null);
    },
    say: (text) => (this.note.textContent = text),
    render: () => this.render(),
  };

  constructor(private readonly actions: EditorActions) {
    this.topology = new TopologyView({
      select: (sel) => {
        this.selection = sel;
        if (sel?.kind === "node") this.showCode(sel.id, null);
        this.render();
      },
      moved: (id, x, y) => this.change((s) => moveNode(s, id, x, y), `move:${id}`),
      linkDrawn: (a, b) => {
        if (this.change((s) => addLink(s, a, b))) this.selection = { kind: "link", a, b };
        this.render();
      },
      backgroundDoubleTap: (x, y) => this.addNodeAt(x, y),
    }, true);
    const importInput = h("input", { type: "file", accept: ".json,.jsonl,.ndjson,application/json,application/x-ndjson", class: "sr-only", "data-testid": "editor-import" }) as HTMLInputElement;
    importInput.addEventListener("change", () => {
      const f = importInput.files?.[0];
      if (f) this.actions.importSpec(f);
      importInput.value = "";
    });
    this.title.addEventListener("change", () => this.change((s) => {
      s.title = this.title.value.trim() || "Untitled scenario";
    }));
    this.linkMode.addEventListener("click", () => {
      const on = !this.topology.linkMode;
      this.topology.setLinkMode(on);
      this.linkMode.setAttribute("aria-pressed", String(on));
      this.linkMode.classList.toggle("on", on);
      this.render();
    });
    this.undoButton.addEventListener("click", () => this.undo());
    this.redoButton.addEventListener("click", () => this.redo());
    this.code = new CodeEditor(this.codeHost, (code) => {
      if (this.codeNode) this.change((s) => setCode(s, this.codeNode!, this.snippet, code), `code:${this.codeNode}/${this.snippet}`, false);
    });
    this.root = h("section", { class: "panel editor", "data-testid": "editor", hidden: true },
      h("div", { class: "editor-head" },
        this.title,
        h("div", { class: "editor-file" },
          h("button", { class: "btn small primary", "data-testid": "editor-save", onclick: () => this.actions.save() }, "Save"),
          h("button", { class: "btn small", "data-testid": "editor-share", onclick: () => this.actions.share() }, "Share link"),
          h("button", { class: "btn small", "data-testid": "editor-export", onclick: () => this.actions.exportSpec() }, "⤓ Export"),
          h("label", { class: "btn small", title: "Open a scenario file (JSON), or a trace (.jsonl) to replay" }, "⤒ Import", importInput),
          h("button", { class: "btn small", "data-testid": "editor-close", title: "Back to the lessons", onclick: () => this.actions.close() }, "✕"))),
      h("div", { class: "editor-toolbar" },
        h("label", { class: "field inline" }, "role ", this.role),
        h("button", { class: "btn small", "data-testid": "editor-add-node", onclick: () => this.addNodeAt() }, "+ Node"),
        this.linkMode, this.undoButton, this.redoButton, this.note),
      h("div", { class: "editor-body" },
        h("div", { class: "editor-canvas" }, this.topology.root, h("p", { class: "muted editor-hint" }, "Double-click the canvas to add a node there; drag nodes to move them.")),
        this.side),
      h("div", { class: "editor-code-section" }, this.codeHead, this.tabs, this.codeHost, this.problemList, apiReference()));
    document.addEventListener("keydown", (e) => {
      if (this.root.hidden || !(e.ctrlKey || e.metaKey) || e.key.toLowerCase() !== "z") return;
      if ((e.target as HTMLElement | null)?.closest("input, textarea, .cm-editor")) return;
      e.preventDefault();
      if (e.shiftKey) this.redo();
      else this.undo();
    });
  }

  open(draft: Draft): void {
    this.draft = draft;
    this.selection = null;
    this.problems = [];
    this.topology.setLinkMode(false);
    this.linkMode.setAttribute("aria-pressed", "false");
    this.linkMode.classList.remove("on");
    this.showCode(draft.spec.nodes[0]?.id ?? null, null);
    this.root.hidden = false;
    this.note.textContent = "";
    this.render();
    requestAnimationFrame(() => this.topology.fit());
  }

  get spec(): ScenarioSpec | null {
    return this.draft?.spec ?? null;
  }

  /** Validation errors from the server, placed at their node, snippet and line. */
  showProblems(problems: SpecProblem[]): void {
    this.problems = problems;
    const first = problems.find((p) => p.node && p.snippet);
    if (first) this.showCode(first.node, first.snippet);
    this.render();
  }

  // --- changes --------------------------------------------------------------

  private change(fn: (s: ScenarioSpec) => void, coalesce: string | null = null, redraw = true): boolean {
    if (!this.draft) return false;
    const changed = this.draft.change(fn, coalesce);
    if (changed) {
      if (!coalesce?.startsWith("code:")) this.problems = this.problems.filter((p) => p.snippet);
      this.actions.changed();
      if (redraw) this.render();
      else this.renderButtons();
    }
    return changed;
  }

  private undo(): void {
    if (this.draft?.undo()) this.afterHistory();
  }

  private redo(): void {
    if (this.draft?.redo()) this.afterHistory();
  }

  private afterHistory(): void {
    const spec = this.spec!;
    if (this.selection?.kind === "node" && !spec.nodes.some((n) => n.id === (this.selection as { id: string }).id)) this.selection = null;
    if (this.codeNode && !spec.nodes.some((n) => n.id === this.codeNode)) this.showCode(spec.nodes[0]?.id ?? null, null);
    this.actions.changed();
    this.render();
  }

  private addNodeAt(x?: number, y?: number): void {
    let id = "";
    if (this.change((s) => (id = addNode(s, this.role.value, x, y)))) {
      this.selection = { kind: "node", id };
      this.showCode(id, null);
      this.render();
    }
  }

  private showCode(node: string | null, snippet: string | null): void {
    this.codeNode = node;
    const n = this.spec?.nodes.find((x) => x.id === node);
    this.snippet = snippet ?? n?.threads[0]?.name ?? "setup";
  }

  // --- drawing ----------------------------------------------------------------

  render(): void {
    const spec = this.spec;
    if (!spec) return;
    if (document.activeElement !== this.title) this.title.value = spec.title;
    this.topology.render(spec, null, this.selection);
    this.renderButtons();
    renderSidePanel(this.side, spec, this.sideHost);
    this.renderCode(spec);
  }

  private renderButtons(): void {
    this.undoButton.disabled = !this.draft?.canUndo;
    this.redoButton.disabled = !this.draft?.canRedo;
    this.root.dataset.nodes = String(this.spec?.nodes.length ?? 0);
    this.root.dataset.links = String(this.spec?.links?.length ?? 0);
  }

  private renderCode(spec: ScenarioSpec): void {
    const n = spec.nodes.find((x) => x.id === this.codeNode);
    this.codeHost.hidden = !n;
    if (!n) {
      replaceChildren(this.codeHead, h("p", { class: "muted" }, "The code of a node shows here once there is one."));
      replaceChildren(this.tabs);
      replaceChildren(this.problemList);
      return;
    }
    if (this.snippet !== "setup" && !n.threads.some((t) => t.name === this.snippet)) this.snippet = n.threads[0]?.name ?? "setup";
    const problemsHere = (snippet: string) => this.problems.filter((p) => p.node === n.id && p.snippet === snippet);
    const tab = (name: string, label: string) => h("button", {
      class: `tab${name === this.snippet ? " on" : ""}${problemsHere(name).length ? " has-problem" : ""}`, role: "tab",
      "aria-selected": String(name === this.snippet), "data-testid": `editor-tab-${name}`,
      onclick: () => {
        this.snippet = name;
        this.render();
      },
    }, label);
    const isThread = this.snippet !== "setup";
    const threadName = h("input", { value: isThread ? this.snippet : "", "data-testid": "editor-thread-name", "aria-label": "Thread name", class: "narrow" }) as HTMLInputElement;
    threadName.addEventListener("change", () => {
      const from = this.snippet;
      const to = threadName.value.trim();
      if (this.change((s) => renameThread(s, n.id, from, to))) this.snippet = to;
      else this.note.textContent = `“${to}” cannot name a thread here.`;
      this.render();
    });
    replaceChildren(this.codeHead,
      h("h3", null, "Code of ", h("code", null, n.id)),
      isThread ? h("span", { class: "row" }, h("span", { class: "muted" }, "thread"), threadName,
        h("button", { class: "btn small danger", "data-testid": "editor-remove-thread", disabled: n.threads.length <= 1 && false, onclick: () => {
          this.change((s) => removeThread(s, n.id, this.snippet));
          this.render();
        } }, "Remove thread")) : h("span", { class: "muted" }, "setup runs once per node before its threads (define functions here)"));
    replaceChildren(this.tabs,
      tab("setup", "setup"),
      n.threads.map((t) => tab(t.name, t.name)),
      h("button", { class: "tab add", "data-testid": "editor-add-thread", title: "Add a thread to this node", onclick: () => {
        let name = "";
        if (this.change((s) => (name = addThread(s, n.id)))) this.snippet = name;
        this.render();
      } }, "+ thread"));
    const code = this.snippet === "setup" ? n.setup ?? "" : n.threads.find((t) => t.name === this.snippet)?.code ?? "";
    this.code.setDoc(code);
    this.codeHost.dataset.node = n.id;
    this.codeHost.dataset.snippet = this.snippet;
    const here = problemsHere(this.snippet);
    this.code.showProblems(here.filter((p) => p.line !== null).map((p) => ({ line: p.line!, message: p.message })));
    replaceChildren(this.problemList, this.problems.map((p) => h("li", { class: "error" },
      p.node ? h("button", { class: "linklike", onclick: () => {
        this.showCode(p.node, p.snippet);
        this.render();
      } }, `${p.node}${p.snippet ? ` / ${p.snippet}` : ""}${p.line ? ` line ${p.line}` : ""}`) : h("code", null, p.path),
      `: ${p.message}`)));
  }
}
