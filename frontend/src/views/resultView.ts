// The run's outcome: the verdict (what the lesson's point was, in the
// learner's words: a lost update, a deadlock cycle, a thread stuck on a lock a
// finished one kept…), the seed of a free run, the final shared variables and
// each thread's output.

import type { FinishedState } from "../model/state";
import { formatValue, type Namer } from "../model/names";
import { STATUS_SENTENCE, textAfterTitle, verdictTone } from "../model/verdict";
import { h, replaceChildren } from "./dom";

/** `onSeed`: a free run's seed can be used again (its seed is shown only then). */
export function renderResult(root: HTMLElement, result: FinishedState | null, name: Namer, onSeed?: (seed: number) => void): void {
  if (!result) {
    root.hidden = true;
    return replaceChildren(root);
  }
  root.hidden = false;
  const shared = Object.entries(result.shared).flatMap(([node, vars]) =>
    Object.entries(vars).map(([k, v]) => ({ node, name: k, value: v })));
  const outputs = Object.entries(result.outputs);
  const v = result.verdict ?? null;
  const tone = verdictTone(v, result.status);
  root.dataset.tone = tone;
  replaceChildren(root,
    h("div", { class: `verdict tone-${tone}`, "data-testid": "verdict", "data-kind": v?.kind ?? result.status, "data-ok": String(v ? v.ok : result.status === "completed") },
      h("span", { class: `badge status-${result.status}`, "data-testid": "result-status" }, result.status),
      v ? h("strong", { class: "verdict-title", "data-testid": "verdict-title" }, v.title) : null,
      h("span", { class: "verdict-text", "data-testid": "verdict-text" }, v ? textAfterTitle(v) : STATUS_SENTENCE[result.status] ?? ""),
      result.error && !v?.text.includes(result.error) ? h("span", { class: "error" }, ` ${result.error}`) : null),
    typeof result.seed === "number" && onSeed
      ? h("p", { class: "muted seed-line", "data-testid": "result-seed" }, `Seed ${result.seed}. `,
          onSeed ? h("button", { class: "linklike", "data-testid": "reuse-seed", title: "Put this seed in the seed field: the next Run repeats this run",
            onclick: () => onSeed(result.seed!) }, "Use it again") : null)
      : null,
    h("div", { class: "result-grid" },
      h("div", null,
        h("h3", null, "Final shared variables"),
        shared.length
          ? h("table", { class: "kv", "data-testid": "final-shared" },
              h("tbody", null, shared.map((x) =>
                h("tr", { "data-testid": `final-${x.node}-${x.name}` },
                  h("td", null, h("code", null, name(`${x.node}/${x.name}`))),
                  h("td", { class: "value" }, formatValue(x.value))))))
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
