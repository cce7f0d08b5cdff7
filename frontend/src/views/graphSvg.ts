// The wait-for graph as SVG, written from what cytoscape has laid out and styled:
// each node's shape, size, colours and label, each edge's end points, colour, dash
// and label, with an arrowhead. (Written here rather than taken from cytoscape-svg,
// whose GPL licence does not fit the project.)

import type { Core, EdgeSingular, NodeSingular } from "cytoscape";

const esc = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const num = (value: number) => (Math.round(value * 10) / 10).toString();

function nodeSvg(n: NodeSingular): string {
  const { x, y } = n.position();
  const w = n.outerWidth(), hgt = n.outerHeight();
  const fill = n.style("background-color"), stroke = n.style("border-color");
  const opacity = n.style("background-opacity"), border = parseFloat(n.style("border-width")) || 1;
  const label = String(n.data("label") ?? n.id());
  const shape = n.style("shape") === "ellipse"
    ? `<ellipse cx="${num(x)}" cy="${num(y)}" rx="${num(w / 2)}" ry="${num(hgt / 2)}"`
    : `<rect x="${num(x - w / 2)}" y="${num(y - hgt / 2)}" width="${num(w)}" height="${num(hgt)}" rx="6"`;
  return `${shape} fill="${fill}" fill-opacity="${opacity}" stroke="${stroke}" stroke-width="${border}"/>`
    + `<text x="${num(x)}" y="${num(y)}" text-anchor="middle" dominant-baseline="central" fill="${n.style("color")}"`
    + ` font-size="${parseFloat(n.style("font-size")) || 12}">${esc(label)}</text>`;
}

function edgeSvg(e: EdgeSingular, index: number): string {
  const from = e.sourceEndpoint(), to = e.targetEndpoint();
  const colour = e.style("line-color"), width = parseFloat(e.style("width")) || 1.5;
  const dash = e.style("line-style") === "dashed" ? ` stroke-dasharray="6 4"` : "";
  const label = String(e.data("label") ?? "");
  const marker = `a${index}`;
  return `<defs><marker id="${marker}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">`
    + `<path d="M0,0 L10,5 L0,10 z" fill="${colour}"/></marker></defs>`
    + `<line x1="${num(from.x)}" y1="${num(from.y)}" x2="${num(to.x)}" y2="${num(to.y)}" stroke="${colour}" stroke-width="${width}"${dash} marker-end="url(#${marker})"/>`
    + (label ? `<text x="${num((from.x + to.x) / 2)}" y="${num((from.y + to.y) / 2 - 4)}" text-anchor="middle" fill="${e.style("color")}" font-size="11">${esc(label)}</text>` : "");
}

/** The whole graph (not just the part in view) as an SVG document. */
export function graphToSvg(cy: Core, background: string): string {
  const box = cy.elements().boundingBox({});
  const pad = 12;
  const x = box.x1 - pad, y = box.y1 - pad, w = box.w + 2 * pad, hgt = box.h + 2 * pad;
  const body = cy.edges().map((e, i) => edgeSvg(e, i)).join("") + cy.nodes().map(nodeSvg).join("");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="${num(x)} ${num(y)} ${num(w)} ${num(hgt)}"`
    + ` width="${num(w)}" height="${num(hgt)}" font-family="system-ui, sans-serif">`
    + `<rect x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${num(hgt)}" fill="${background}"/>${body}</svg>\n`;
}
