// The run's state at a moment: threads, shared variables, resources.
// Each renders the whole (small) table from a RunState.

import { formatValue, type Namer } from "../model/names";
import type { Write } from "../model/history";
import type { RunState } from "../model/state";
import { h, replaceChildren } from "./dom";

export function renderThreads(root: HTMLElement, state: RunState, name: Namer): void {
  const threads = [...state.threads.values()];
  if (!threads.length) return replaceChildren(root, h("p", { class: "muted" }, "No threads yet."));
  replaceChildren(root,
    h("ul", { class: "threads", role: "list" },
      threads.map((t) =>
        h("li", { "data-testid": `thread-${t.id}`, "data-status": t.status },
          h("span", { class: "thread-name" }, name(t.id)),
          h("span", { class: `pill status-${t.status.replace(/ /g, "-")}` }, t.status),
          h("span", { class: "thread-detail", title: t.error ?? null },
            t.status === "blocked" && t.blockedOn ? `on ${name(t.blockedOn)}` : "",
            t.status === "failed" && t.error ? t.error : "",
            t.line !== null && t.status !== "finished" ? h("span", { class: "muted" }, ` line ${t.line}`) : null)))));
}

/** `history(key)`: the variable's last writes up to the moment shown, oldest first. */
export function renderVariables(root: HTMLElement, state: RunState, name: Namer, history?: (key: string) => Write[]): void {
  const vars = [...state.variables.values()];
  if (!vars.length) return replaceChildren(root, h("p", { class: "muted" }, "No shared variables."));
  replaceChildren(root,
    h("table", { class: "kv" },
      h("thead", null, h("tr", null, h("th", null, "variable"), h("th", null, "value"), h("th", null, "last write"))),
      h("tbody", null,
        vars.map((v) =>
          h("tr", {
            "data-testid": `var-${v.node}-${v.name}`,
            class: v.lastSeq > 0 && v.lastSeq === state.seq ? "flash" : null,
          },
            h("td", null, h("code", null, name(`${v.node}/${v.name}`))),
            h("td", { class: "value", "data-testid": `var-value-${v.node}-${v.name}` }, formatValue(v.value)),
            h("td", { class: "muted" },
              v.writer ? `${name(v.writer)}: ${formatValue(v.previous)} → ${formatValue(v.value)}` : "initial",
              historyChips(history?.(`${v.node}/${v.name}`) ?? [], name, `var-history-${v.node}-${v.name}`)))))));
}

function historyChips(writes: Write[], name: Namer, testid: string) {
  if (writes.length < 2) return null;
  return h("div", { class: "var-history", "data-testid": testid, title: "the last writes up to this moment" },
    writes.map((w, i) => [i ? h("span", { class: "arrow" }, "→") : null,
      h("span", { class: "chip", title: `#${w.seq}${w.writer ? ` by ${name(w.writer)}` : ""}` }, formatValue(w.value))]));
}

// A lock's "value" is just held-or-not, which the owners column already says.
const LOCKS = new Set(["lock", "rlock"]);

export function renderResources(root: HTMLElement, state: RunState, name: Namer): void {
  const res = [...state.resources.values()];
  if (!res.length) return replaceChildren(root, h("p", { class: "muted" }, "No locks, semaphores or conditions."));
  const who = (ids: string[]) => (ids.length ? ids.map((i) => h("span", { class: "chip" }, name(i))) : h("span", { class: "muted" }, "—"));
  replaceChildren(root,
    h("table", { class: "kv resources" },
      h("thead", null, h("tr", null, h("th", null, "resource"), h("th", null, "held by"), h("th", null, "waiting"), h("th", null, "value"))),
      h("tbody", null,
        res.map((r) =>
          h("tr", {
            "data-testid": `resource-${r.id}`,
            class: [r.owners.length ? "held" : "", r.waiting.length ? "contended" : "", r.lastSeq === state.seq ? "flash" : ""].join(" ").trim() || null,
          },
            h("td", null, h("code", null, name(r.id)), h("span", { class: "rtype" }, r.rtype)),
            h("td", { "data-testid": `resource-owners-${r.id}` }, who(r.owners)),
            h("td", { "data-testid": `resource-waiting-${r.id}` }, who(r.waiting)),
            h("td", null, r.value === null || LOCKS.has(r.rtype) ? h("span", { class: "muted" }, "—") : String(r.value)))))));
}
