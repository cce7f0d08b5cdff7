// The wait-for graph drawn with cytoscape.js: threads as ellipses, resources
// as rectangles, "waits for" and "held by" arrows; on deadlock the cycle's
// elements carry the class `cycle` (drawn red), and a sentence explains it.
// The canvas is mirrored into data-* attributes and a DOM list for tests
// and screen readers. cytoscape.js is fetched the first time there is
// something to draw (libs.ts). The graph at the moment shown can be saved as
// PNG (cy.png) or SVG (graphSvg.ts, from cytoscape's layout and styles).

import type cytoscape from "cytoscape";
import type { Core } from "cytoscape";
import type { CycleStep } from "../model/events";
import type { Namer } from "../model/names";
import type { WfGraph } from "../model/waitfor";
import { h, replaceChildren } from "./dom";
import type { DeadlockKind } from "../model/verdict";
import { graphToSvg } from "./graphSvg";
import { cytoscapeLib, loadFailed } from "./libs";

export class WaitForGraphView {
  private cy: Core | null = null;
  private shownKey = "";
  private latest: Parameters<WaitForGraphView["render"]> = [{ nodes: [], edges: [], deadlocked: false }, [], (x) => x ?? ""];
  private readonly canvas = h("div", { class: "wfg-canvas", "data-testid": "wait-for-graph" });
  private readonly explanation = h("div", { class: "wfg-explanation", "data-testid": "deadlock-explanation" });
  private readonly empty = h("p", { class: "muted wfg-empty" }, "Nobody holds or waits for anything yet.");
  private readonly saveButtons: HTMLButtonElement[];

  constructor(
    private readonly root: HTMLElement,
    private readonly onThread: (thread: string) => void = () => {},
    onSave: (type: "svg" | "png") => void = () => {},
  ) {
    const save = (type: "svg" | "png") => h("button", {
      class: "btn small", "data-testid": `graph-save-${type}`, disabled: true,
      title: `Save the graph at the moment shown as ${type.toUpperCase()}`, onclick: () => onSave(type),
    }, `⤓ Save ${type.toUpperCase()}`);
    this.saveButtons = [save("svg"), save("png")];
    replaceChildren(root, this.empty, this.canvas, this.explanation,
      h("div", { class: "wfg-tools", role: "group", "aria-label": "Save the wait-for graph as a picture" }, this.saveButtons));
  }

  /** The graph as shown, whole, as a picture; null when there is nothing to draw. */
  async picture(type: "svg" | "png"): Promise<Blob | null> {
    if (!this.cy) return null;
    const bg = getComputedStyle(document.documentElement).getPropertyValue("--panel").trim() || "#ffffff";
    if (type === "png") return this.cy.png({ output: "blob-promise", full: true, scale: 2, bg });
    return new Blob([graphToSvg(this.cy, bg)], { type: "image/svg+xml" });
  }

  /** `kind`: a deadlock's kind (a cycle, or waiting on what a finished or stuck thread holds). */
  render(graph: WfGraph, cycle: readonly CycleStep[], name: Namer, kind: DeadlockKind = "cycle"): void {
    const key = JSON.stringify([graph, cycle, kind]);
    this.latest = [graph, cycle, name, kind];
    if (key === this.shownKey) return;
    const isEmpty = graph.nodes.length === 0;
    this.empty.hidden = !isEmpty;
    this.canvas.hidden = isEmpty;
    this.root.classList.toggle("deadlocked", graph.deadlocked);
    this.explain(graph, cycle, name, kind);
    if (isEmpty) {
      this.shownKey = key;
      this.cy?.destroy();
      this.cy = null;
      this.mirror();
      return;
    }
    if (!cytoscapeLib.now()) {
      // Drawn with the latest arguments once the library is here.
      cytoscapeLib.load().then(() => this.render(...this.latest), () => this.canvas.replaceChildren(loadFailed("graph library")));
      return;
    }
    this.shownKey = key;
    this.draw(graph, cycle, name);
  }

  reset(): void {
    this.render({ nodes: [], edges: [], deadlocked: false }, [], (x) => x ?? "");
  }

  private draw(graph: WfGraph, cycle: readonly CycleStep[], name: Namer): void {
    const elements = [
      ...orderAlongCycle(graph, cycle).map((n) => ({
        group: "nodes" as const,
        data: { id: n.id, label: name(n.id), w: Math.max(56, name(n.id).length * 7.6 + 24) },
        classes: [n.type, n.inCycle && graph.deadlocked ? "cycle" : ""].join(" ").trim(),
      })),
      ...graph.edges.map((e) => ({
        group: "edges" as const,
        data: { id: e.id, source: e.source, target: e.target, label: e.type === "waits" ? "waits for" : "held by" },
        classes: [e.type, e.inCycle && graph.deadlocked ? "cycle" : ""].join(" ").trim(),
      })),
    ];
    const cytoscape = cytoscapeLib.now()!;
    this.cy?.destroy();
    this.canvas.querySelector(":scope > .load-failed")?.remove();
    this.cy = cytoscape({
      container: this.canvas,
      elements,
      style: graphStyle(),
      layout: { name: "circle", padding: 24, avoidOverlap: true, startAngle: -Math.PI / 2 },
      userZoomingEnabled: true,
      userPanningEnabled: true,
      boxSelectionEnabled: false,
      autoungrabify: false,
      minZoom: 0.3,
      maxZoom: 2.5,
    });
    // A thread clicked here is picked out in the space-time diagram.
    this.cy.on("tap", "node.thread", (e) => this.onThread(e.target.id()));
    this.cy.fit(undefined, 24);
    if (this.cy.zoom() > 1.15) {
      this.cy.zoom(1.15);
      this.cy.center();
    }
    this.mirror();
  }

  private mirror(): void {
    const cy = this.cy;
    for (const b of this.saveButtons) b.disabled = !cy;
    this.canvas.dataset.nodes = String(cy ? cy.nodes().length : 0);
    this.canvas.dataset.cycleNodes = String(cy ? cy.nodes(".cycle").length : 0);
    this.canvas.dataset.cycleEdges = String(cy ? cy.edges(".cycle").length : 0);
  }

  private explain(graph: WfGraph, cycle: readonly CycleStep[], name: Namer, kind: DeadlockKind): void {
    this.explanation.dataset.kind = graph.deadlocked ? kind : "";
    if (graph.deadlocked && cycle.length && kind !== "cycle") {
      // Not a circle: the holder finished (or is itself stuck) and will never release.
      replaceChildren(this.explanation,
        h("p", { class: "deadlock-sentence" },
          h("strong", null, "Stuck. "),
          cycle.map((c, i) => [
            i ? "; " : "",
            kind === "held-by-finished"
              ? `${name(c.thread)} waits forever for ${name(c.waits_for)}, which ${name(c.held_by)} still held when it finished`
              : `${name(c.thread)} waits for ${name(c.waits_for)}, held by ${name(c.held_by)}, which can never go on`,
          ]),
          ". There is no circle here: nobody left will ever release it."));
      return;
    }
    if (graph.deadlocked && cycle.length) {
      const threads = cycle.map((c) => name(c.thread));
      replaceChildren(this.explanation,
        h("p", { class: "deadlock-sentence" },
          h("strong", null, "Deadlock. "),
          cycle.map((c, i) => [
            i ? "; " : "",
            `${name(c.thread)} waits for ${name(c.waits_for)}, which ${name(c.held_by)} holds`,
          ]),
          `. ${listWords(threads)} wait for each other in a circle, so none of them can ever go on.`),
        h("ol", { class: "cycle-path", "data-testid": "deadlock-cycle" },
          cycle.map((c) => h("li", { class: "cycle" },
            h("span", { class: "chip thread" }, name(c.thread)), " → ",
            h("span", { class: "chip resource" }, name(c.waits_for)), " → ",
            h("span", { class: "chip thread" }, name(c.held_by))))));
      return;
    }
    const waits = graph.edges.filter((e) => e.type === "waits");
    if (!waits.length) return replaceChildren(this.explanation);
    const holder = (r: string) => graph.edges.filter((e) => e.type === "holds" && e.source === r).map((e) => name(e.target));
    replaceChildren(this.explanation,
      h("p", null, waits.map((w, i) => {
        const held = holder(w.target);
        return [i ? "; " : "", `${name(w.source)} waits for ${name(w.target)}${held.length ? ` held by ${listWords(held)}` : ""}`];
      }), "."));
  }
}

function listWords(xs: string[]): string {
  return xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`;
}

/** Puts the cycle's nodes first, in cycle order, so a circle layout draws the loop as a ring. */
function orderAlongCycle(graph: WfGraph, cycle: readonly CycleStep[]) {
  const order = cycle.flatMap((c) => [c.thread, c.waits_for]);
  const rank = (id: string) => {
    const i = order.indexOf(id);
    return i < 0 ? order.length : i;
  };
  return [...graph.nodes].sort((a, b) => rank(a.id) - rank(b.id));
}

function graphStyle(): cytoscape.StylesheetJson {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const fg = v("--fg", "#1d2330");
  const muted = v("--muted", "#687086");
  const thread = v("--thread", "#3b6fd8");
  const resource = v("--resource", "#b7791f");
  const danger = v("--danger", "#d03a3a");
  const bg = v("--panel", "#ffffff");
  return [
    {
      selector: "node",
      style: {
        label: "data(label)",
        "font-family": v("--font-mono", "monospace"),
        "font-size": 12,
        color: fg,
        "text-valign": "center",
        "text-halign": "center",
        "border-width": 2,
        "background-color": bg,
        width: "data(w)",
        height: 34,
      },
    },
    { selector: "node.thread", style: { shape: "ellipse", "border-color": thread, "background-color": thread, "background-opacity": 0.14 } },
    {
      selector: "node.resource",
      style: { shape: "round-rectangle", "border-color": resource, "background-color": resource, "background-opacity": 0.14, height: 28 },
    },
    {
      selector: "edge",
      style: {
        width: 2,
        "curve-style": "bezier",
        "target-arrow-shape": "triangle",
        "line-color": muted,
        "target-arrow-color": muted,
        label: "data(label)",
        "font-size": 10,
        color: muted,
        "text-background-color": bg,
        "text-background-opacity": 1,
        "text-background-padding": "2px",
        "text-rotation": "autorotate",
      },
    },
    { selector: "edge.waits", style: { "line-style": "dashed" } },
    { selector: "node.cycle", style: { "border-color": danger, "border-width": 3, "background-color": danger, "background-opacity": 0.16 } },
    { selector: "edge.cycle", style: { "line-color": danger, "target-arrow-color": danger, color: danger, width: 3 } },
  ];
}
