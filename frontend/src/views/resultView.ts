// The run's outcome: status, final shared variables and each thread's output.

import type { FinishedState } from "../model/state";
import { formatValue, type Namer } from "../model/names";
import { h, replaceChildren } from "./dom";

const STATUS_SENTENCE: Record<string, string> = {
  completed: "Every thread finished.",
  deadlock: "The threads deadlocked: each waits for a lock another one holds.",
  violated: "An invariant was broken.",
  failed: "The run failed.",
  timeout: "The run took too long and was stopped.",
  cancelled: "The run was cancelled.",
};

export function renderResult(root: HTMLElement, result: FinishedState | null, name: Namer): void {
  if (!result) {
    root.hidden = true;
    return replaceChildren(root);
  }
  root.hidden = false;
  const shared = Object.entries(result.shared).flatMap(([node, vars]) =>
    Object.entries(vars).map(([k, v]) => ({ node, name: k, value: v })));
  const outputs = Object.entries(result.outputs);
  replaceChildren(root,
    h("p", { class: `result-line status-${result.status}` },
      h("span", { class: `badge status-${result.status}`, "data-testid": "result-status" }, result.status),
      " ", STATUS_SENTENCE[result.status] ?? "",
      result.error ? h("span", { class: "error" }, ` ${result.error}`) : null),
    h("div", { class: "result-grid" },
      h("div", null,
        h("h3", null, "Final shared variables"),
        shared.length
          ? h("table", { class: "kv", "data-testid": "final-shared" },
              h("tbody", null, shared.map((v) =>
                h("tr", { "data-testid": `final-${v.node}-${v.name}` },
                  h("td", null, h("code", null, name(`${v.node}/${v.name}`))),
                  h("td", { class: "value" }, formatValue(v.value))))))
          : h("p", { class: "muted" }, "none")),
      h("div", null,
        h("h3", null, "Output"),
        outputs.length
          ? h("div", { class: "outputs", "data-testid": "outputs" }, outputs.map(([thread, lines]) =>
              h("div", { class: "output", "data-testid": `output-${thread}` },
                h("span", { class: "thread-name" }, name(thread)),
                h("pre", null, lines.length ? lines.join("\n") : "(nothing printed)"))))
          : h("p", { class: "muted" }, "Nothing printed."))));
}
