// Faults during a live run, offered for what was clicked in the topology:
// a node can be crashed or restarted; a link cut both ways or one way,
// healed, or given other latency, loss, duplication and reordering on the fly.
// Each button sends one control message over the run's WebSocket.

import { linkKey, type NetworkState } from "../model/network";
import type { LinkSetting, LinkSpec } from "../model/spec";
import type { Selection } from "../views/topologyView";
import { h, replaceChildren } from "../views/dom";

export type FaultMessage = { type: "fault"; action: string; [k: string]: unknown };

export interface FaultState {
  selection: Selection;
  live: boolean;
  net: NetworkState;
  link: LinkSpec | null; // the selected link's spec
}

const FIELDS: { key: LinkSetting; label: string; max: number; step: number; unit: string }[] = [
  { key: "latency_ms", label: "latency", max: 2000, step: 10, unit: "ms" },
  { key: "jitter_ms", label: "jitter", max: 1000, step: 5, unit: "ms" },
  { key: "loss", label: "loss", max: 1, step: 0.05, unit: "" },
  { key: "duplicate", label: "duplicate", max: 1, step: 0.05, unit: "" },
  { key: "reorder", label: "reorder", max: 1, step: 0.05, unit: "" },
];

export class FaultControls {
  private shown = "";

  constructor(private readonly root: HTMLElement, private readonly send: (m: FaultMessage) => void) {}

  render(s: FaultState): void {
    const key = JSON.stringify([s.selection, s.live, [...s.net.crashed], [...s.net.cut], [...s.net.settings], s.link]);
    if (key === this.shown) return;
    this.shown = key;
    const sel = s.selection;
    if (!sel) {
      replaceChildren(this.root, h("p", { class: "muted topo-hint" },
        s.live ? "Click a node to crash or restart it, a link to cut it or change its faults." : "During a run, click a node to crash it or a link to cut it."));
      return;
    }
    if (sel.kind === "node") {
      const down = s.net.crashed.has(sel.id);
      replaceChildren(this.root, h("div", { class: "fault-box", "data-testid": "fault-node" },
        h("p", null, h("strong", null, sel.id), down ? h("span", { class: "pill status-failed" }, "crashed") : null),
        h("div", { class: "fault-actions" },
          h("button", { class: "btn small danger", "data-testid": "fault-crash", disabled: !s.live || down, onclick: () => this.send({ type: "fault", action: "crash", node: sel.id }) }, "✖ Crash"),
          h("button", { class: "btn small", "data-testid": "fault-restart", disabled: !s.live || !down, onclick: () => this.send({ type: "fault", action: "restart", node: sel.id }) }, "↻ Restart")),
        s.live ? null : h("p", { class: "muted" }, "Start a run to inject faults.")));
      return;
    }
    const { a, b } = sel;
    const cutAB = s.net.cut.has(`${a}>${b}`);
    const cutBA = s.net.cut.has(`${b}>${a}`);
    const current = { ...(s.link ?? { a, b }), ...(s.net.settings.get(linkKey(a, b)) ?? {}) } as LinkSpec;
    const inputs = FIELDS.map((f) => {
      const input = h("input", {
        type: "number", min: "0", max: String(f.max), step: String(f.step), value: String(current[f.key] ?? 0),
        "data-testid": `fault-link-${f.key}`, "aria-label": f.label,
      }) as HTMLInputElement;
      return { f, input };
    });
    replaceChildren(this.root, h("div", { class: "fault-box", "data-testid": "fault-link" },
      h("p", null, h("strong", null, `${a} – ${b}`), cutAB || cutBA ? h("span", { class: "pill status-failed" }, cutAB && cutBA ? "cut" : cutAB ? `${a}→${b} cut` : `${b}→${a} cut`) : null),
      h("div", { class: "fault-actions" },
        h("button", { class: "btn small danger", "data-testid": "fault-partition", disabled: !s.live, title: "No message crosses this link either way",
          onclick: () => this.send({ type: "fault", action: "partition", cut: [[a, b], [b, a]] }) }, "✂ Cut both ways"),
        h("button", { class: "btn small", "data-testid": "fault-cut-ab", disabled: !s.live, onclick: () => this.send({ type: "fault", action: "partition", cut: [[a, b]] }) }, `${a} ↛ ${b}`),
        h("button", { class: "btn small", "data-testid": "fault-cut-ba", disabled: !s.live, onclick: () => this.send({ type: "fault", action: "partition", cut: [[b, a]] }) }, `${b} ↛ ${a}`),
        h("button", { class: "btn small", "data-testid": "fault-heal", disabled: !s.live, title: "Heal every cut", onclick: () => this.send({ type: "fault", action: "heal" }) }, "Heal")),
      h("div", { class: "fault-settings" },
        inputs.map(({ f, input }) => h("label", null, h("span", null, f.label, f.unit ? ` (${f.unit})` : ""), input)),
        h("button", {
          class: "btn small", "data-testid": "fault-link-apply", disabled: !s.live,
          onclick: () => this.send({
            type: "fault", action: "link", a, b,
            settings: Object.fromEntries(inputs.map(({ f, input }) => [f.key, clamp(Number(input.value), f.max)])),
          }),
        }, "Apply now")),
      s.live ? null : h("p", { class: "muted" }, "Start a run to change the link on the fly.")));
  }
}

function clamp(x: number, max: number): number {
  return Number.isFinite(x) ? Math.max(0, Math.min(max, x)) : 0;
}
