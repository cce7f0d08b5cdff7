// Pictures of the whole space-time diagram, not just the window in view: every
// row drawn by the renderer's own code onto an offscreen canvas (PNG) or an
// SvgContext (SVG), with the lanes, marks, arrows, drops, selection and dimming
// the page shows. A picture is bounded (a PNG by its height in pixels, an SVG
// by its rows); one that had to stop says so in a band at its foot.

import type { SpaceTimeGrid } from "../../model/spacetime";
import type { Scene } from "./renderer";
import { paintDiagram } from "./renderer";
import { SvgContext, type Pen } from "./svgContext";

/** What the picture shows: the view's scene without its scrolling and size. */
export type PictureScene = Omit<Scene, "scrollAlong" | "scrollAcross" | "width" | "height">;

export interface Picture {
  blob: Blob;
  /** Set when the picture stops before the last row. */
  note: string | null;
}

/** Along-axis pixels a PNG may have (Chromium draws canvases up to 32,767 px a side). */
export const PNG_MAX_ALONG = 16_000;
/** Rows an SVG may have: past this the file gets too big for a viewer to open comfortably. */
export const SVG_MAX_ROWS = 20_000;
const NOTE_BAND = 30;
const LABEL_ROOM = 150; // the words beside the last lane's marks (time down)

interface Frame {
  width: number;
  height: number; // of the diagram, without the note's band
  rows: number; // rows drawn
  note: string | null;
}

/** The picture's size for at most `maxAlong` pixels along time. */
export function frameFor(s: PictureScene, maxAlong: number, maxRows = Infinity, what = "picture", other = ""): Frame {
  const g = s.geometry;
  const total = s.grid?.length ?? 0;
  const rowsFit = Math.max(1, Math.floor((maxAlong - g.alongSize(0)) / g.rowSize));
  const rows = Math.min(total, rowsFit, maxRows);
  const along = g.alongSize(rows);
  const across = Math.max(g.acrossSize + (g.down ? LABEL_ROOM : 0), 320);
  const note = rows < total
    ? `This ${what} stops at event ${rows.toLocaleString("en")} of ${total.toLocaleString("en")}.${other ? " " + other : ""}`
    : null;
  return { width: g.down ? across : along, height: g.down ? along : across, rows, note };
}

function paint(pen: Pen, s: PictureScene, f: Frame): void {
  // A grid that ends at the frame's last row (the same grid seen through a shorter length).
  const grid = s.grid && f.rows < s.grid.length
    ? Object.create(s.grid, { length: { value: f.rows } }) as SpaceTimeGrid
    : s.grid;
  paintDiagram(pen, { ...s, grid, scrollAlong: 0, scrollAcross: 0, width: f.width, height: f.height });
  if (!f.note) return;
  pen.globalAlpha = 1;
  pen.fillStyle = s.palette.band;
  pen.fillRect(0, f.height, f.width, NOTE_BAND);
  pen.fillStyle = s.palette.danger;
  pen.font = "600 12px system-ui, sans-serif";
  pen.textAlign = "left";
  pen.fillText(f.note, 10, f.height + 19);
}

/** An SVG of the whole diagram (up to SVG_MAX_ROWS rows). */
export function diagramSvg(s: PictureScene): Picture {
  const f = frameFor(s, Infinity, SVG_MAX_ROWS, "SVG");
  const svg = new SvgContext(f.width, f.height + (f.note ? NOTE_BAND : 0));
  paint(svg, s, f); // the renderer fills the background
  return { blob: new Blob([svg.toString()], { type: "image/svg+xml" }), note: f.note };
}

/** A PNG of the whole diagram (up to PNG_MAX_ALONG pixels along time), at twice the resolution when it fits. */
export function diagramPng(s: PictureScene): Promise<Picture> {
  const f = frameFor(s, PNG_MAX_ALONG, Infinity, "PNG", "The SVG has more rows.");
  const height = f.height + (f.note ? NOTE_BAND : 0);
  const scale = Math.max(f.width, height) * 2 <= PNG_MAX_ALONG ? 2 : 1;
  const canvas = document.createElement("canvas");
  canvas.width = Math.ceil(f.width * scale);
  canvas.height = Math.ceil(height * scale);
  const ctx = canvas.getContext("2d");
  if (!ctx) return Promise.reject(new Error("this browser cannot draw offscreen"));
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  paint(ctx, s, f); // the renderer fills the background
  return new Promise((resolve, reject) => canvas.toBlob((blob) => {
    canvas.width = canvas.height = 0; // frees the memory now, not at the next collection
    if (blob) resolve({ blob, note: f.note });
    else reject(new Error("the picture is too big for this browser"));
  }, "image/png"));
}
