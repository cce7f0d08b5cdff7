// The lesson library: one card per scenario with its title, tags and summary.

import { duplicateSpec, emptySpec } from "../model/draft";
import type { ScenarioSpec, ScenarioSummary } from "../model/spec";
import { h, replaceChildren } from "./dom";
import { markdownToHtml } from "./markdown";

export class LibraryList {
  constructor(
    private readonly root: HTMLElement,
    private readonly onSelect: (slug: string) => void,
  ) {}

  showError(message: string): void {
    replaceChildren(this.root, h("p", { class: "error", "data-testid": "library-error" }, message));
  }

  render(items: readonly ScenarioSummary[], selected: string | null): void {
    if (!items.length) {
      replaceChildren(this.root, h("p", { class: "muted" }, "The library is empty. Load it with `manage.py load_library`."));
      return;
    }
    replaceChildren(
      this.root,
      h("ul", { class: "library", role: "list" },
        items.map((s) => {
          const summary = h("div", { class: "card-summary" });
          summary.innerHTML = markdownToHtml(firstParagraph(s.summary ?? ""));
          return h("li", null,
            h("button", {
              class: "card" + (s.slug === selected ? " selected" : ""),
              "data-testid": `scenario-${s.slug}`,
              "aria-current": s.slug === selected ? "true" : null,
              onclick: () => this.onSelect(s.slug),
            },
              h("span", { class: "card-title" }, s.title),
              h("span", { class: "tags" }, (s.tags ?? []).map((t) => h("span", { class: "tag" }, t))),
              summary));
        })));
    this.root.querySelector<HTMLElement>(".card.selected")?.scrollIntoView({ block: "nearest" });
  }
}

function firstParagraph(md: string): string {
  return md.trim().split(/\n\s*\n/)[0] ?? "";
}

/** + New scenario, Duplicate, and the scenarios saved in this browser; `edit` opens one in the editor. */
export function renderScenarioActions(
  root: HTMLElement, spec: ScenarioSpec | null, editing: boolean, local: readonly { spec: ScenarioSpec }[], edit: (spec: ScenarioSpec) => void,
): void {
  replaceChildren(root,
    h("div", { class: "row" },
      h("button", { class: "btn small primary", "data-testid": "new-scenario", title: "Draw a scenario from an empty canvas", onclick: () => edit(emptySpec()) }, "+ New scenario"),
      h("button", { class: "btn small", "data-testid": "duplicate-scenario", title: "Copy this lesson into the editor", disabled: !spec || editing,
        onclick: () => spec && edit(duplicateSpec(spec)) }, "Duplicate")),
    local.length ? h("div", { class: "local-list" },
      h("h3", null, "In this browser"),
      h("ul", null, local.map((l) => h("li", null, h("button", { class: "linklike", "data-testid": `local-${l.spec.slug}`, onclick: () => edit(l.spec) }, l.spec.title))))) : null);
}
