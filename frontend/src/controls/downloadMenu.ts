// The download menu of the run bar: "Download trace" saves the JSONL at once;
// its ▾ opens every format the server exports, each with a line saying which
// tool opens it, and pictures of the space-time diagram and of the wait-for
// graph (SVG and PNG). Owns the DOM; the app says what a picture is.

import type { ExportFormat } from "../model/exports";
import { traceFileName } from "../model/exports";
import { h, replaceChildren } from "../views/dom";

export type Picture = "diagram" | "graph";
export type PictureType = "svg" | "png";

export interface DownloadActions {
  traceUrl(runId: number | string, format: string): string;
  picture(which: Picture, type: PictureType): void;
}

const PICTURES: { which: Picture; type: PictureType; label: string; note: string }[] = [
  { which: "diagram", type: "svg", label: "Space-time diagram — SVG", note: "Every row; scales without blur, edits in Inkscape or a browser." },
  { which: "diagram", type: "png", label: "Space-time diagram — PNG", note: "The whole diagram as an image for slides and reports." },
  { which: "graph", type: "svg", label: "Wait-for graph — SVG", note: "The graph at the moment shown." },
  { which: "graph", type: "png", label: "Wait-for graph — PNG", note: "The graph at the moment shown, as an image." },
];

export class DownloadMenu {
  readonly root: HTMLElement;
  private readonly main: HTMLAnchorElement;
  private readonly menu: HTMLDetailsElement;
  private readonly summary: HTMLElement;
  private readonly list = h("div", { class: "dl-formats", "data-testid": "download-formats" });
  private formats: readonly ExportFormat[] = [];
  private runId: number | string | null = null;
  private shownFor: string | null = null;

  constructor(private readonly actions: DownloadActions) {
    this.main = h("a", { class: "btn link split-main", "data-testid": "download-trace", download: "", title: "The run's events as JSON Lines (playground.event/1)" }, "⤓ Download trace");
    this.summary = h("summary", { class: "btn split-more", "data-testid": "download-menu-button", title: "Every format, and pictures of the diagram and the graph", "aria-label": "More formats and pictures" }, "▾");
    this.menu = h("details", { class: "dl-menu", "data-testid": "download-menu" }, this.summary,
      h("div", { class: "dl-panel", role: "menu" },
        h("h3", null, "Trace, in the format of your tool"), this.list,
        h("h3", null, "Pictures"),
        h("div", { class: "dl-pictures" }, PICTURES.map((p) => h("button", {
          class: "dl-item", role: "menuitem", "data-testid": `download-${p.which}-${p.type}`,
          onclick: () => {
            this.menu.open = false;
            actions.picture(p.which, p.type);
          },
        }, h("span", { class: "dl-title" }, p.label), h("span", { class: "dl-note" }, p.note))))));
    this.summary.addEventListener("click", (e) => {
      if (this.runId === null) e.preventDefault(); // nothing to download yet
    });
    // A click elsewhere, or Escape, closes it.
    document.addEventListener("click", (e) => {
      if (this.menu.open && !this.menu.contains(e.target as Node)) this.menu.open = false;
    });
    this.menu.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && this.menu.open) {
        this.menu.open = false;
        this.summary.focus();
      }
    });
    this.root = h("span", { class: "split-button" }, this.main, this.menu);
    this.update(null);
  }

  /** The formats to list (the server's, or the built-in ones). */
  setFormats(formats: readonly ExportFormat[], fromServer: boolean): void {
    this.formats = formats;
    this.list.dataset.source = fromServer ? "server" : "builtin";
    this.shownFor = null;
    this.update(this.runId);
  }

  /** The run whose trace the links fetch; null disables the menu. */
  update(runId: number | string | null): void {
    this.runId = runId;
    const on = runId !== null;
    this.main.classList.toggle("disabled", !on);
    this.summary.classList.toggle("disabled", !on);
    if (on) {
      this.main.href = this.actions.traceUrl(runId, "jsonl");
      this.main.download = traceFileName(runId, { extension: "jsonl" });
      this.main.removeAttribute("aria-disabled");
      this.summary.removeAttribute("aria-disabled");
    } else {
      this.main.removeAttribute("href");
      this.main.setAttribute("aria-disabled", "true");
      this.summary.setAttribute("aria-disabled", "true");
      this.menu.open = false;
    }
    const key = on ? String(runId) : "";
    if (key === this.shownFor) return;
    this.shownFor = key;
    replaceChildren(this.list, this.formats.map((f) => h("a", {
      class: "dl-item", role: "menuitem", "data-testid": `download-format-${f.format}`, "data-format": f.format,
      href: on ? this.actions.traceUrl(runId, f.format) : null, download: on ? traceFileName(runId, f) : null,
      onclick: () => setTimeout(() => (this.menu.open = false), 0),
    },
    h("span", { class: "dl-title" }, f.title, " ", h("code", { class: "dl-ext" }, `.${f.extension}`)),
    h("span", { class: "dl-note" }, f.opens_with))));
  }
}
