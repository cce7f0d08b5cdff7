// Small pieces the classroom pages share: the header, answers as text, the tally
// and the real distribution of outcomes drawn as bars side by side.

import { h, type Children } from "../views/dom";
import type { Exploration, Reveal, Tally } from "./classroomApi";

export function shell(title: string, right: Children[]): HTMLElement {
  return h("header", { class: "topbar cr-topbar" },
    h("div", { class: "brand" }, h("a", { class: "logo", href: "/", title: "The playground" }, "⇄"), h("span", { class: "cr-brand-title" }, "Playground"),
      h("span", { class: "tagline" }, title)),
    h("div", { class: "cr-topbar-right" }, right));
}

export function answerText(a: unknown): string {
  return typeof a === "string" ? a : JSON.stringify(a);
}

export function modeLabel(mode: string): string {
  return mode === "predict" ? "Predict, then run" : mode === "break" ? "Break it" : mode === "fix" ? "Fix it" : "Run it";
}

/** Horizontal bars: one per item, its share of the largest. */
export function bars(items: { label: string; count: number; tone?: string }[], testid: string, unit: string): HTMLElement {
  const max = Math.max(1, ...items.map((i) => i.count));
  const total = items.reduce((n, i) => n + i.count, 0);
  return h("ul", { class: "cr-bars", "data-testid": testid, role: "list" }, items.map((i) =>
    h("li", { class: `cr-bar${i.tone ? ` tone-${i.tone}` : ""}`, "data-label": i.label, "data-count": String(i.count) },
      h("span", { class: "cr-bar-label" }, i.label),
      h("span", { class: "cr-bar-track" }, h("span", { class: "cr-bar-fill", style: `width:${(100 * i.count) / max}%` })),
      h("span", { class: "cr-bar-count" }, `${i.count}${total ? ` · ${Math.round((100 * i.count) / total)}%` : ""}`))),
    items.length ? null : h("li", { class: "muted" }, `no ${unit} yet`));
}

export function tallyView(t: Tally, testid = `tally-${t.vote}`): HTMLElement {
  return h("div", { class: "cr-tally", "data-testid": testid },
    h("h3", null, `Vote ${t.vote}`, h("span", { class: "muted" }, ` · ${t.total} answer${t.total === 1 ? "" : "s"}`)),
    bars(t.counts.map((c) => ({ label: c.answer, count: c.count })), `${testid}-bars`, "answers"));
}

export function explorationView(e: Exploration | null, testid = "exploration"): HTMLElement | null {
  if (!e) return null;
  if (!e.outcomes) return h("div", { class: "cr-tally", "data-testid": testid, "data-status": e.status },
    h("h3", null, "What really happens"), h("p", { class: "muted" }, h("span", { class: "spinner" }), " Trying every interleaving…"));
  const schedules = e.outcomes.reduce((n, o) => n + o.count, 0);
  return h("div", { class: "cr-tally", "data-testid": testid, "data-status": e.status },
    h("h3", null, "What really happens", h("span", { class: "muted" }, ` · ${schedules} schedule${schedules === 1 ? "" : "s"}${e.exhaustive ? ", every interleaving" : ""}`)),
    bars(e.outcomes.map((o) => ({ label: o.label, count: o.count, tone: o.status === "completed" ? undefined : "bad" })), `${testid}-bars`, "outcomes"));
}

/** The revealed votes beside the real distribution of outcomes. */
export function revealView(r: Reveal): HTMLElement {
  return h("div", { class: "cr-reveal-grid", "data-testid": "revealed" },
    r.tallies.map((t) => tallyView(t)),
    explorationView(r.exploration));
}
