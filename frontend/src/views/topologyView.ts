// The scenario's topology drawn with cytoscape.js: nodes shaped and coloured
// by role, links labelled with their faults; during a run, crashed nodes and
// cut links are shown as such. A tap selects a node or a link; in the editor
// nodes can be dragged, and in "link" mode a tap on one node then another
// draws a link. Mirrored into data-* attributes and a list of buttons (with
// each node's position on the canvas) for tests and keyboard users.
// cytoscape.js is fetched the first time there is a topology to draw (libs.ts).

import type cytoscape from "cytoscape";
import type { Core, EventObject } from "cytoscape";
import { linkKey, roleLook, type NetworkState } from "../model/network";
import type { LinkSpec, ScenarioSpec } from "../model/spec";
import { h, replaceChildren } from "./dom";
import { cytoscapeLib, loadFailed } from "./libs";

export type Selection = { kind: "node"; id: string } | { kind: "link"; a: string; b: string } | null;

export interface TopologyActions {
  select(sel: Selection): void;
  moved?(id: string, x: number, y: number): void;
  linkDrawn?(a: string, b: string): void;
  backgroundDoubleTap?(x: number, y: number): void;
}

export class TopologyView {
  readonly root: HTMLElement;
  private readonly canvas = h("div", { class: "topo-canvas", "data-testid": "topology" });
  private readonly list = h("ul", { class: "sr-only topo-list", "data-testid": "topology-list" });
  private cy: Core | null = null;
  private shownKey = "";
  private linkSource: string | null = null;
  private fittedCount = -1;
  private latest: Parameters<TopologyView["render"]> = [null, null, null];
  linkMode = false;

  constructor(private readonly actions: TopologyActions, private readonly editable: boolean) {
    this.root = h("div", { class: "topology" }, this.canvas, this.list);
    // Shown again or resized (a panel appearing, a narrower window): fit the drawing to it.
    new ResizeObserver(() => {
      if (this.canvas.clientWidth && this.cy) this.fit();
    }).observe(this.canvas);
  }

  render(spec: ScenarioSpec | null, net: NetworkState | null, selected: Selection): void {
    const key = JSON.stringify([spec?.nodes.map((n) => [n.id, n.role, n.x, n.y]), spec?.links, net && [[...net.crashed], [...net.cut], [...net.settings]], selected, this.linkMode, this.linkSource]);
    this.latest = [spec, net, selected];
    if (key === this.shownKey) return;
    if (!spec) {
      this.shownKey = key;
      this.cy?.destroy();
      this.cy = null;
      replaceChildren(this.list);
      return;
    }
    const cytoscape = cytoscapeLib.now();
    if (!cytoscape) {
      // Drawn with the latest arguments once the library is here.
      cytoscapeLib.load().then(() => this.render(...this.latest), () => this.canvas.replaceChildren(loadFailed("graph library")));
      return;
    }
    this.shownKey = key;
    const links = spec.links ?? [];
    const n = spec.nodes.length;
    const elements = [
      ...spec.nodes.map((node, i) => {
        const look = roleLook(node.role);
        const angle = (2 * Math.PI * i) / Math.max(1, n) - Math.PI / 2;
        return {
          group: "nodes" as const,
          data: { id: node.id, label: node.id, role: node.role ?? "process", color: look.color, shape: look.shape },
          position: { x: node.x ?? 200 + 140 * Math.cos(angle), y: node.y ?? 160 + 110 * Math.sin(angle) },
          classes: [
            net?.crashed.has(node.id) ? "crashed" : "",
            selected?.kind === "node" && selected.id === node.id ? "selected-el" : "",
            this.linkSource === node.id ? "link-source" : "",
          ].join(" ").trim(),
        };
      }),
      ...links.map((l) => {
        const settings = { ...l, ...(net?.settings.get(linkKey(l.a, l.b)) ?? {}) };
        const cutAB = net?.cut.has(`${l.a}>${l.b}`);
        const cutBA = net?.cut.has(`${l.b}>${l.a}`);
        return {
          group: "edges" as const,
          data: { id: `link:${linkKey(l.a, l.b)}`, source: l.a, target: l.b, label: linkLabel(settings) },
          classes: [
            cutAB && cutBA ? "cut" : cutAB ? "cut-forward" : cutBA ? "cut-backward" : "",
            selected?.kind === "link" && linkKey(selected.a, selected.b) === linkKey(l.a, l.b) ? "selected-el" : "",
            (settings.loss ?? 0) > 0 || (settings.duplicate ?? 0) > 0 || (settings.reorder ?? 0) > 0 ? "lossy" : "",
          ].join(" ").trim(),
        };
      }),
    ];
    const pan = this.cy?.pan();
    const zoom = this.cy?.zoom();
    // A new or removed node refits the view, so every node stays on the canvas.
    const first = !this.cy || spec.nodes.length !== this.fittedCount;
    this.fittedCount = spec.nodes.length;
    this.cy?.destroy();
    this.canvas.querySelector(":scope > .load-failed")?.remove();
    this.cy = cytoscape({
      container: this.canvas,
      elements,
      style: topologyStyle(),
      layout: { name: "preset" },
      userZoomingEnabled: true,
      userPanningEnabled: true,
      boxSelectionEnabled: false,
      autoungrabify: !this.editable,
      minZoom: 0.3,
      maxZoom: 2.5,
    });
    if (first || !pan || !zoom) {
      this.cy.fit(undefined, 30);
      if (this.cy.zoom() > 1.2) {
        this.cy.zoom(1.2);
        this.cy.center();
      }
    } else {
      this.cy.zoom(zoom);
      this.cy.pan(pan);
    }
    this.readableLabels();
    this.cy.on("zoom", () => this.readableLabels());
    this.cy.on("tap", "node", (e: EventObject) => this.tapNode(e.target.id()));
    this.cy.on("tap", "edge", (e: EventObject) => {
      const d = e.target.data();
      this.actions.select({ kind: "link", a: d.source, b: d.target });
    });
    this.cy.on("tap", (e: EventObject) => {
      if (e.target === this.cy) this.actions.select(null);
    });
    this.cy.on("dbltap", (e: EventObject) => {
      if (e.target === this.cy && this.actions.backgroundDoubleTap) this.actions.backgroundDoubleTap(Math.round(e.position.x), Math.round(e.position.y));
    });
    this.cy.on("dragfree", "node", (e: EventObject) => {
      const p = e.target.position();
      this.actions.moved?.(e.target.id(), Math.round(p.x), Math.round(p.y));
    });
    this.mirror(spec, links, net);
  }

  /** Refits after the container changed size (e.g. shown again). */
  fit(): void {
    const cy = this.cy;
    if (!cy) return;
    cy.resize();
    cy.fit(undefined, 30);
    if (cy.zoom() > 1.2) {
      cy.zoom(1.2);
      cy.center();
    }
    this.readableLabels();
  }

  /** Zoomed out to fit a big topology, labels keep a readable size on the screen (about 12 px). */
  private readableLabels(): void {
    const cy = this.cy;
    if (!cy) return;
    const z = Math.min(1, cy.zoom());
    cy.batch(() => {
      cy.nodes().style("font-size", Math.round(12 / z));
      cy.edges().style("font-size", Math.round(11 / z));
    });
  }

  setLinkMode(on: boolean): void {
    this.linkMode = on;
    this.linkSource = null;
    this.canvas.classList.toggle("link-mode", on);
    this.shownKey = "";
  }

  private tapNode(id: string): void {
    if (this.linkMode && this.actions.linkDrawn) {
      if (!this.linkSource || this.linkSource === id) {
        this.linkSource = id;
        this.shownKey = "";
        this.actions.select({ kind: "node", id });
        return;
      }
      const a = this.linkSource;
      this.linkSource = null;
      this.shownKey = "";
      this.actions.linkDrawn(a, id);
      return;
    }
    this.actions.select({ kind: "node", id });
  }

  private mirror(spec: ScenarioSpec, links: LinkSpec[], net: NetworkState | null): void {
    const cy = this.cy!;
    const d = this.canvas.dataset;
    d.nodes = String(spec.nodes.length);
    d.links = String(links.length);
    d.crashed = [...(net?.crashed ?? [])].sort().join(" ");
    d.cut = [...(net?.cut ?? [])].sort().join(" ");
    replaceChildren(this.list,
      spec.nodes.map((n) => {
        const p = cy.getElementById(n.id).renderedPosition();
        return h("li", null, h("button", {
          "data-testid": `topology-node-${n.id}`, "data-x": Math.round(p.x), "data-y": Math.round(p.y), "data-role": n.role ?? "process",
          "data-crashed": net?.crashed.has(n.id) ? "true" : "false",
          onclick: () => this.tapNode(n.id),
        }, `${n.id} (${n.role ?? "process"})${net?.crashed.has(n.id) ? ", crashed" : ""}`));
      }),
      links.map((l) => {
        const mid = cy.getElementById(`link:${linkKey(l.a, l.b)}`).renderedMidpoint();
        return h("li", null, h("button", {
          "data-testid": `topology-link-${l.a}-${l.b}`, "data-x": Math.round(mid.x), "data-y": Math.round(mid.y),
          onclick: () => this.actions.select({ kind: "link", a: l.a, b: l.b }),
        }, `link ${l.a} – ${l.b}`));
      }));
  }
}

export function linkLabel(l: Partial<LinkSpec>): string {
  const parts: string[] = [];
  if (l.latency_ms) parts.push(`${l.latency_ms}${l.jitter_ms ? `±${l.jitter_ms}` : ""} ms`);
  if (l.loss) parts.push(`loss ${pct(l.loss)}`);
  if (l.duplicate) parts.push(`dup ${pct(l.duplicate)}`);
  if (l.reorder) parts.push(`reorder ${pct(l.reorder)}`);
  return parts.join(" · ");
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function topologyStyle(): cytoscape.StylesheetJson {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const fg = v("--fg", "#1d2330");
  const muted = v("--muted", "#687086");
  const danger = v("--danger", "#d03a3a");
  const accent = v("--accent", "#3b5bdb");
  const bg = v("--panel", "#ffffff");
  return [
    {
      selector: "node",
      style: {
        label: "data(label)", shape: "data(shape)" as never, "background-color": "data(color)", "background-opacity": 0.2,
        "border-color": "data(color)", "border-width": 2.5, width: 46, height: 46, color: fg, "font-size": 12,
        "font-family": v("--font-mono", "monospace"), "text-valign": "bottom", "text-margin-y": 6,
        "text-background-color": bg, "text-background-opacity": 0.8, "text-background-padding": "2px",
      },
    },
    { selector: "node.crashed", style: { "background-color": danger, "border-color": danger, "border-style": "dashed", opacity: 0.75, label: "data(label)" } },
    { selector: "node.selected-el", style: { "border-width": 4, "overlay-color": accent, "overlay-opacity": 0.12, "overlay-padding": 6 } },
    { selector: "node.link-source", style: { "border-color": accent, "border-width": 5 } },
    {
      selector: "edge",
      style: {
        width: 2.5, "curve-style": "bezier", "line-color": muted, label: "data(label)", "font-size": 10, color: muted,
        "text-background-color": bg, "text-background-opacity": 1, "text-background-padding": "2px", "text-rotation": "autorotate",
      },
    },
    { selector: "edge.lossy", style: { "line-style": "dashed" } },
    { selector: "edge.cut", style: { "line-color": danger, "line-style": "dotted", width: 3, color: danger } },
    { selector: "edge.cut-forward", style: { "line-color": danger, "target-arrow-shape": "tee", "target-arrow-color": danger, "line-style": "dotted" } },
    { selector: "edge.cut-backward", style: { "line-color": danger, "source-arrow-shape": "tee", "source-arrow-color": danger, "line-style": "dotted" } },
    { selector: "edge.selected-el", style: { width: 4.5, "overlay-color": accent, "overlay-opacity": 0.12, "overlay-padding": 4 } },
  ];
}
