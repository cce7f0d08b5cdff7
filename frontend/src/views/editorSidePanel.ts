// The scenario editor's side panel: what can be changed of the selected node
// (name, role, shared variables, resources, links) or link (latency, jitter,
// loss, duplication, reordering). Every change goes through the editor's Draft.

import { RESOURCE_TYPES } from "../model/contract.gen";
import { ROLES } from "../model/network";
import {
  addLink, addResource, deleteLink, deleteNode, removeResource, renameNode, setLink, setShared,
} from "../model/draft";
import { LINK_SETTINGS, type LinkSetting, type ScenarioSpec } from "../model/spec";
import { h, replaceChildren } from "./dom";
import type { Selection } from "./topologyView";

export interface SidePanelHost {
  selected(): Selection;
  change(fn: (s: ScenarioSpec) => void): boolean; // false when the draft refused it
  select(selection: Selection): void;
  renamedNode(from: string, to: string): void;
  deletedNode(id: string): void;
  say(note: string): void;
  render(): void;
}

const LINK_LABELS: Record<LinkSetting, string> = {
  latency_ms: "latency (ms)", jitter_ms: "jitter (ms)", loss: "loss (0–1)", duplicate: "duplicate (0–1)", reorder: "reorder (0–1)",
};

/** Draws the panel of the selected node or link (or a hint when nothing is selected) into `el`. */
export function renderSidePanel(el: HTMLElement, spec: ScenarioSpec, host: SidePanelHost): void {
  const sel = host.selected();
  if (!sel) {
    replaceChildren(el,
      h("h3", null, spec.nodes.length ? "Nothing selected" : "An empty canvas"),
      h("p", { class: "muted" }, spec.nodes.length
        ? "Click a node to edit its role, memory, resources, links and code; click a link to set its faults."
        : "Choose a role and press + Node (or double-click the canvas). Then link nodes with → Draw link or from a node's panel."));
    return;
  }
  if (sel.kind === "link") {
    const l = (spec.links ?? []).find((x) => (x.a === sel.a && x.b === sel.b) || (x.a === sel.b && x.b === sel.a));
    if (!l) return replaceChildren(el);
    replaceChildren(el,
      h("h3", null, `Link ${l.a} – ${l.b}`),
      h("div", { class: "form-grid" }, LINK_SETTINGS.map((key) => {
        const input = h("input", {
          type: "number", min: "0", max: key.endsWith("_ms") ? "10000" : "1", step: key.endsWith("_ms") ? "5" : "0.05",
          value: String(l[key] ?? 0), "data-testid": `editor-link-${key}`,
        }) as HTMLInputElement;
        input.addEventListener("change", () => host.change((s) => setLink(s, l.a, l.b, key, Number(input.value))));
        return h("label", { class: "field" }, h("span", null, LINK_LABELS[key]), input);
      })),
      h("button", { class: "btn small danger", "data-testid": "editor-delete-link", onclick: () => {
        if (host.change((s) => deleteLink(s, l.a, l.b))) host.select(null);
        host.render();
      } }, "Delete link"));
    return;
  }
  const n = spec.nodes.find((x) => x.id === sel.id);
  if (!n) return replaceChildren(el);
  const idInput = h("input", { value: n.id, "data-testid": "editor-node-id", "aria-label": "Node name" }) as HTMLInputElement;
  idInput.addEventListener("change", () => {
    const to = idInput.value.trim();
    if (host.change((s) => renameNode(s, n.id, to))) host.renamedNode(n.id, to);
    else host.say(`“${to}” cannot be used: letters, digits, - or _, and not another node's name.`);
    host.render();
  });
  const roleSelect = h("select", { "data-testid": "editor-node-role" }, ROLES.map((r) => h("option", { value: r.role }, r.label))) as HTMLSelectElement;
  roleSelect.value = n.role ?? "process";
  roleSelect.addEventListener("change", () => host.change((s) => {
    s.nodes.find((x) => x.id === n.id)!.role = roleSelect.value;
  }));
  const shared = h("textarea", { rows: 2, "data-testid": "editor-node-shared", spellcheck: "false", "aria-label": "Shared variables (JSON)" }) as HTMLTextAreaElement;
  shared.value = JSON.stringify(n.shared ?? {});
  shared.addEventListener("change", () => {
    if (!host.change((s) => setShared(s, n.id, shared.value))) host.say("Shared variables: a JSON object such as {\"balance\": 10}.");
  });
  const others = spec.nodes.filter((x) => x.id !== n.id && !(spec.links ?? []).some((l) => (l.a === n.id && l.b === x.id) || (l.b === n.id && l.a === x.id)));
  const linkTarget = h("select", { "data-testid": "editor-link-target", "aria-label": "Node to link to" }, others.map((x) => h("option", { value: x.id }, x.id))) as HTMLSelectElement;
  const rName = h("input", { placeholder: "name", "data-testid": "editor-resource-name", "aria-label": "Resource name" }) as HTMLInputElement;
  const rType = h("select", { "data-testid": "editor-resource-type", "aria-label": "Resource type" }, RESOURCE_TYPES.map((t) => h("option", { value: t }, t))) as HTMLSelectElement;
  const rValue = h("input", { type: "number", min: "0", value: "1", class: "narrow", "data-testid": "editor-resource-value", "aria-label": "Value or parties" }) as HTMLInputElement;
  replaceChildren(el,
    h("h3", null, "Node"),
    h("div", { class: "form-grid" },
      h("label", { class: "field" }, h("span", null, "name"), idInput),
      h("label", { class: "field" }, h("span", null, "role"), roleSelect)),
    h("label", { class: "field" }, h("span", null, "shared variables (JSON)"), shared),
    h("div", { class: "field" }, h("span", null, "resources"),
      h("ul", { class: "chips" }, (n.resources ?? []).map((r) => h("li", { class: "chip" }, `${r.name}: ${r.type}${r.value !== undefined ? `(${r.value})` : r.parties !== undefined ? `(${r.parties})` : ""}`,
        h("button", { class: "chip-x", title: `Remove ${r.name}`, "aria-label": `Remove ${r.name}`, onclick: () => host.change((s) => removeResource(s, n.id, r.name)) }, "×")))),
      h("div", { class: "row" }, rName, rType, rValue,
        h("button", { class: "btn small", "data-testid": "editor-add-resource", onclick: () => {
          const type = rType.value;
          const v = Number(rValue.value);
          const r = { name: rName.value.trim(), type, ...(type === "semaphore" ? { value: v } : type === "barrier" ? { parties: v } : {}) };
          if (!host.change((s) => addResource(s, n.id, r))) host.say("A resource needs a new Python name.");
        } }, "Add"))),
    h("div", { class: "field" }, h("span", null, "links"),
      h("ul", { class: "chips" }, (spec.links ?? []).filter((l) => l.a === n.id || l.b === n.id).map((l) => {
        const other = l.a === n.id ? l.b : l.a;
        return h("li", null, h("button", { class: "chip", onclick: () => {
          host.select({ kind: "link", a: l.a, b: l.b });
          host.render();
        } }, `↔ ${other}`));
      })),
      others.length ? h("div", { class: "row" }, linkTarget,
        h("button", { class: "btn small", "data-testid": "editor-add-link", onclick: () => host.change((s) => addLink(s, n.id, linkTarget.value)) }, "Link")) : null),
    h("button", { class: "btn small danger", "data-testid": "editor-delete-node", onclick: () => {
      if (host.change((s) => deleteNode(s, n.id))) host.deletedNode(n.id);
      host.render();
    } }, "Delete node"));
}
