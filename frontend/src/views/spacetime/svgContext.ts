// A small SVG writer with the canvas's drawing calls: the subset of
// CanvasRenderingContext2D that the diagram's renderer uses (paths of lines and
// arcs, rectangles, text, alpha, dashes), recorded as SVG elements, so that the
// SVG of the diagram is the very picture the canvas shows, drawn by the same code.

/** What the renderer draws with: a canvas's 2D context, or an SvgContext. */
export type Pen = Pick<CanvasRenderingContext2D,
  "fillStyle" | "strokeStyle" | "lineWidth" | "globalAlpha" | "font" | "textAlign" |
  "setLineDash" | "beginPath" | "moveTo" | "lineTo" | "arc" | "closePath" | "stroke" | "fill" |
  "fillRect" | "fillText" | "measureText">;

type Paint = string | CanvasGradient | CanvasPattern;

const n = (x: number) => (Math.round(x * 100) / 100).toString();

/** Text as XML character data: markup escaped, characters XML 1.0 forbids replaced. */
export function xmlText(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]/g, "\ufffd")
    .replace(/[\t\n\r]/g, " ")
    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** "600 12px system-ui, sans-serif" as SVG attributes (weight, size, family). */
function fontAttrs(font: string): { attrs: string; size: number; mono: boolean } {
  const m = /^\s*(?:(normal|bold|\d{3})\s+)?([\d.]+)px\s+(.+)$/.exec(font);
  const size = m ? Number(m[2]) : 10;
  const family = m ? m[3] : "sans-serif";
  const weight = m?.[1] && m[1] !== "normal" ? ` font-weight="${m[1]}"` : "";
  return { attrs: ` font-family="${xmlText(family)}" font-size="${n(size)}"${weight}`, size, mono: /mono|Menlo|Consolas/i.test(family) };
}

export class SvgContext implements Pen {
  fillStyle: Paint = "#000";
  strokeStyle: Paint = "#000";
  lineWidth = 1;
  globalAlpha = 1;
  font = "10px sans-serif";
  textAlign: CanvasTextAlign = "start";
  private dash: number[] = [];
  private path = "";
  private readonly parts: string[] = [];

  constructor(readonly width: number, readonly height: number) {}

  setLineDash(segments: number[]): void {
    this.dash = [...segments];
  }

  beginPath(): void {
    this.path = "";
  }

  moveTo(x: number, y: number): void {
    this.path += `M${n(x)} ${n(y)}`;
  }

  lineTo(x: number, y: number): void {
    this.path += `${this.path ? "L" : "M"}${n(x)} ${n(y)}`;
  }

  closePath(): void {
    this.path += "Z";
  }

  arc(cx: number, cy: number, r: number, start: number, end: number, ccw = false): void {
    const full = Math.abs(end - start) >= Math.PI * 2 - 1e-9;
    const p = (a: number) => `${n(cx + r * Math.cos(a))} ${n(cy + r * Math.sin(a))}`;
    this.path += `${this.path ? "L" : "M"}${p(start)}`;
    if (full) {
      // two half circles: one arc command cannot close on its own start
      this.path += `A${n(r)} ${n(r)} 0 1 ${ccw ? 0 : 1} ${p(start + Math.PI)}A${n(r)} ${n(r)} 0 1 ${ccw ? 0 : 1} ${p(start)}`;
    } else {
      let sweep = ccw ? start - end : end - start;
      sweep = ((sweep % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
      this.path += `A${n(r)} ${n(r)} 0 ${sweep > Math.PI ? 1 : 0} ${ccw ? 0 : 1} ${p(end)}`;
    }
  }

  stroke(): void {
    if (!this.path) return;
    const dash = this.dash.length ? ` stroke-dasharray="${this.dash.map(n).join(" ")}"` : "";
    this.parts.push(`<path d="${this.path}" fill="none" stroke="${this.paint(this.strokeStyle)}" stroke-width="${n(this.lineWidth)}"${dash}${this.alpha()}/>`);
  }

  fill(): void {
    if (!this.path) return;
    this.parts.push(`<path d="${this.path}" fill="${this.paint(this.fillStyle)}"${this.alpha()}/>`);
  }

  fillRect(x: number, y: number, w: number, h: number): void {
    this.parts.push(`<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" fill="${this.paint(this.fillStyle)}"${this.alpha()}/>`);
  }

  fillText(text: string, x: number, y: number): void {
    const anchor = this.textAlign === "center" ? ` text-anchor="middle"` : this.textAlign === "right" || this.textAlign === "end" ? ` text-anchor="end"` : "";
    this.parts.push(`<text x="${n(x)}" y="${n(y)}"${fontAttrs(this.font).attrs} fill="${this.paint(this.fillStyle)}"${anchor}${this.alpha()}>${xmlText(text)}</text>`);
  }

  /** An estimate (no fonts here): the width the canvas would give, near enough for backgrounds and centring. */
  measureText(text: string): TextMetrics {
    const f = fontAttrs(this.font);
    return { width: [...text].length * f.size * (f.mono ? 0.6 : 0.55) } as TextMetrics;
  }

  /** The picture as an SVG document. */
  toString(): string {
    return `<?xml version="1.0" encoding="UTF-8"?>\n`
      + `<svg xmlns="http://www.w3.org/2000/svg" width="${n(this.width)}" height="${n(this.height)}" viewBox="0 0 ${n(this.width)} ${n(this.height)}">\n`
      + this.parts.join("\n") + "\n</svg>\n";
  }

  private paint(p: Paint): string {
    return xmlText(typeof p === "string" ? p : "#000");
  }

  private alpha(): string {
    return this.globalAlpha < 1 ? ` opacity="${n(Math.max(0, this.globalAlpha))}"` : "";
  }
}
