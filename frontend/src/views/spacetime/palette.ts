// The diagram's colours, read from the page's CSS variables (so light and dark
// themes apply to the canvas too), and the legend that names them.

import type { MarkKind } from "../../model/spacetime";
import { h } from "../dom";

export interface Palette {
  bg: string; fg: string; muted: string; line: string; band: string; accent: string; danger: string; warn: string; ok: string;
  kinds: Record<MarkKind, string>; past: string; future: string; dup: string;
}

export function readPalette(): Palette {
  const css = getComputedStyle(document.documentElement);
  const v = (n: string, f: string) => css.getPropertyValue(n).trim() || f;
  const accent = v("--accent", "#3b5bdb");
  const danger = v("--danger", "#d03a3a");
  const muted = v("--muted", "#687086");
  return {
    bg: v("--code-bg", "#fbfbfd"), fg: v("--fg", "#1d2330"), muted, line: v("--line", "#e2e5ec"),
    band: v("--panel-2", "#f8f9fb"), accent, danger, warn: v("--warn", "#c27c0e"), ok: v("--ok", "#2f9e44"),
    past: v("--past", "#1c7ed6"), future: v("--future", "#e8590c"), dup: v("--dup", "#9c36b5"),
    kinds: {
      thread: muted, var: v("--ok", "#2f9e44"), sync: v("--resource", "#b7791f"), send: accent, recv: accent,
      drop: danger, output: v("--fg", "#1d2330"), fail: danger, fault: v("--warn", "#c27c0e"), run: muted, other: muted,
    },
  };
}

export function legend(): HTMLElement {
  const item = (cls: string, text: string) => h("span", { class: "st-key" }, h("i", { class: `st-swatch ${cls}` }), text);
  return h("div", { class: "st-legend", "aria-hidden": "true" },
    item("k-send", "message"), item("k-var", "variable"), item("k-sync", "lock/semaphore"), item("k-fault", "fault"),
    item("k-drop", "dropped"), item("k-dup", "duplicate"), item("k-past", "causal past"), item("k-future", "causal future"));
}
