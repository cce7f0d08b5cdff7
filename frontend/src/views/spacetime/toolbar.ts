// The diagram's toolbar: the search box (debounced), its count of matches,
// time down or to the right, zoom, the Lanes menu (show, hide, reorder), and
// saving the whole diagram as SVG or PNG.
// It holds no state of its own: it reports what the learner asked for.

import type { Namer } from "../../model/names";
import { h, replaceChildren } from "../dom";
import type { Orientation } from "./geometry";

export interface ToolbarActions {
  filter(query: string): void;
  orient(): void; // flip between down and right
  zoom(factor: number): void;
  moveLane(id: string, delta: number): void;
  showLane(id: string, shown: boolean): void;
  save(type: "svg" | "png"): void; // a picture of the whole diagram
}

const DEBOUNCE_MS = 120;

export class DiagramToolbar {
  readonly root: HTMLElement;
  private readonly search = h("input", {
    type: "search", class: "st-search", placeholder: "Filter: thread:P1 kind:msg lock…", "data-testid": "diagram-search",
    "aria-label": "Filter events by thread, kind, resource or text",
  });
  private readonly matchNote = h("span", { class: "muted st-matches", "data-testid": "diagram-matches" });
  private readonly orientButton = h("button", { class: "btn small", "data-testid": "diagram-orientation", title: "Time flows down or to the right" });
  private readonly laneMenu = h("div", { class: "st-lanes", "data-testid": "diagram-lanes" });

  constructor(private readonly actions: ToolbarActions) {
    const zoom = (f: number) => () => actions.zoom(f);
    this.root = h("div", { class: "st-toolbar" },
      this.search, this.matchNote,
      h("span", { class: "st-tools" },
        this.orientButton,
        h("button", { class: "btn small", "data-testid": "diagram-zoom-out", title: "Less space per event", onclick: zoom(1 / 1.5) }, "−"),
        h("button", { class: "btn small", "data-testid": "diagram-zoom-in", title: "More space per event", onclick: zoom(1.5) }, "+"),
        h("details", { class: "st-lanes-menu" }, h("summary", { class: "btn small" }, "Lanes"), this.laneMenu),
        h("span", { class: "st-save", role: "group", "aria-label": "Save the whole diagram as a picture" },
          h("button", { class: "btn small", "data-testid": "diagram-save-svg", title: "Save the whole diagram (every row, not just this window) as SVG", onclick: () => actions.save("svg") }, "⤓ Save SVG"),
          h("button", { class: "btn small", "data-testid": "diagram-save-png", title: "Save the whole diagram (every row, not just this window) as PNG", onclick: () => actions.save("png") }, "⤓ Save PNG"))));
    this.orientButton.addEventListener("click", () => actions.orient());
    let debounce: ReturnType<typeof setTimeout> | null = null;
    this.search.addEventListener("input", () => {
      if (debounce) clearTimeout(debounce);
      debounce = setTimeout(() => actions.filter(this.search.value), DEBOUNCE_MS);
    });
  }

  /** Puts words in the search box (the filter itself is the caller's). */
  setQuery(query: string): void {
    this.search.value = query;
  }

  showOrientation(o: Orientation): void {
    this.orientButton.textContent = o === "down" ? "Time ↓" : "Time →";
  }

  /** The number of events the filter matches; null without a filter. */
  showMatches(n: number | null): void {
    this.matchNote.textContent = n === null ? "" : `${n} match${n === 1 ? "" : "es"}`;
  }

  renderLanes(order: readonly string[], hidden: ReadonlySet<string>, name: Namer): void {
    if (!order.length) return replaceChildren(this.laneMenu, h("p", { class: "muted" }, "No lanes yet."));
    replaceChildren(this.laneMenu,
      h("ul", null, order.map((id, i) => {
        const box = h("input", { type: "checkbox", "data-testid": `lane-visible-${id}` });
        box.checked = !hidden.has(id);
        box.addEventListener("change", () => this.actions.showLane(id, box.checked));
        return h("li", null,
          h("label", null, box, h("code", null, laneLabel(id, name))),
          h("button", { class: "btn small", title: "Move up", "aria-label": `Move ${id} up`, disabled: i === 0, onclick: () => this.actions.moveLane(id, -1) }, "↑"),
          h("button", { class: "btn small", title: "Move down", "aria-label": `Move ${id} down`, disabled: i === order.length - 1, onclick: () => this.actions.moveLane(id, 1) }, "↓"));
      })));
  }
}

function laneLabel(id: string, name: Namer): string {
  return id.endsWith("/") ? id.slice(0, -1) : name(id);
}
