import { describe, expect, it } from "vitest";
import type { TraceEvent } from "../src/model/events";
import { SpaceTimeGrid } from "../src/model/spacetime";
import { DiagramFocus } from "../src/views/spacetime/focus";
import { DiagramGeometry } from "../src/views/spacetime/geometry";
import type { Palette } from "../src/views/spacetime/palette";
import { diagramSvg, frameFor, type PictureScene } from "../src/views/spacetime/pictures";
import { SvgContext, xmlText } from "../src/views/spacetime/svgContext";

const c = "#123456";
const palette: Palette = {
  bg: "#fff", fg: "#000", muted: "#666", line: "#ddd", band: "#eee", accent: "#00f", danger: "#f00", warn: "#fa0", ok: "#0a0",
  past: c, future: c, dup: c,
  kinds: { thread: c, var: c, sync: c, send: c, recv: c, drop: c, output: c, fail: c, fault: c, run: c, other: c },
};

function scene(events: TraceEvent[]): PictureScene {
  const grid = new SpaceTimeGrid(null);
  grid.append(events);
  const focus = new DiagramFocus();
  focus.addLanes(grid.lanes);
  const geometry = new DiagramGeometry();
  geometry.placeLanes(grid.lanes, focus.visibleLanes(), 800);
  return { grid, events, geometry, focus, cursor: null, palette };
}

function trace(extra = 0): TraceEvent[] {
  let seq = 0;
  const ev = (kind: string, thread: string | null, x: Partial<TraceEvent> = {}): TraceEvent =>
    ({ seq: ++seq, t: seq / 1000, kind, node: thread ? thread.split("/")[0] : null, thread, ...x });
  return [
    ev("run.started", null),
    ev("thread.started", "client/main"),
    ev("thread.started", "server/main"),
    ev("msg.send", "client/main", { id: "m1", from: "client", to: "server" }),
    ev("msg.send", "client/main", { id: "m2", from: "client", to: "server" }),
    ev("msg.drop", null, { id: "m2", from: "client", to: "server", reason: "loss" }),
    ev("msg.recv", "server/main", { id: "m1", from: "client", to: "server" }),
    ev("output", "server/main", { text: "<b>bold</b> & #35;\r\n\u0007" }),
    ...Array.from({ length: extra }, () => ev("var.write", "server/main", { name: "x", value: 1 })),
    ev("run.finished", null, { status: "completed" }),
  ];
}

describe("the space-time diagram as SVG", () => {
  it("draws every row: lanes with their node and thread, marks, the message arrow and the drop", async () => {
    const s = scene(trace(200)); // far more rows than any window
    const { blob, note } = diagramSvg(s);
    const svg = await blob.text();
    expect(note).toBeNull();
    expect(blob.type).toBe("image/svg+xml");
    expect(svg).toMatch(/^<\?xml[^>]*>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="[\d.]+" height="[\d.]+"/);
    for (const label of ["client", "server", ">main<", ">send m1<", ">recv m1<", ">lost m2<"]) expect(svg).toContain(label);
    // every row is drawn, far below any window: all 200 writes carry their label
    expect(svg.match(/>x=1</g)?.length).toBe(200);
    // one arrow (solid line and its head) and one dropped one (dashed, ends in a cross)
    expect(svg).toMatch(/stroke-dasharray="6 4"/);
    const height = Number(/height="([\d.]+)"/.exec(svg)![1]);
    expect(height).toBe(s.geometry.alongSize(s.grid!.length));
  });

  it("escapes what a run prints: markup stays text, control characters go", async () => {
    const svg = await diagramSvg(scene(trace())).blob.text();
    expect(svg).not.toContain("<b>");
    expect(svg).toContain("&lt;b&gt;bold&lt;/b&gt; &amp; #35");
    expect(svg).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(xmlText('a"b\r\nc\u0001')).toBe("a&quot;b  c\ufffd");
  });

  it("a diagram too long for the picture stops with a note saying where", () => {
    const s = scene(trace(100));
    const f = frameFor(s, s.geometry.alongSize(50), Infinity, "PNG", "The SVG has more rows.");
    expect(f.rows).toBe(50);
    expect(f.note).toBe(`This PNG stops at event 50 of ${s.grid!.length}. The SVG has more rows.`);
    expect(frameFor(s, Infinity).note).toBeNull();
  });

  it("records canvas calls as SVG: paths, arcs, rectangles, dashes, alpha, text anchors", () => {
    const ctx = new SvgContext(100, 50);
    ctx.globalAlpha = 0.5;
    ctx.strokeStyle = "red";
    ctx.setLineDash([2, 3]);
    ctx.beginPath();
    ctx.moveTo(0, 0);
    ctx.lineTo(10, 10);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;
    ctx.beginPath();
    ctx.arc(20, 20, 5, 0, Math.PI * 2);
    ctx.fill();
    ctx.font = "600 12px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.fillText("x", 5, 5);
    const out = ctx.toString();
    expect(out).toContain('<path d="M0 0L10 10" fill="none" stroke="red" stroke-width="1" stroke-dasharray="2 3" opacity="0.5"/>');
    expect(out).toContain('<path d="M25 20A5 5 0 1 1 15 20A5 5 0 1 1 25 20" fill="#000"/>');
    expect(out).toContain('<text x="5" y="5" font-family="system-ui, sans-serif" font-size="12" font-weight="600" fill="#000" text-anchor="middle">x</text>');
    expect(ctx.measureText("abcd").width).toBeGreaterThan(0);
  });
});
