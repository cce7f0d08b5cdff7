// The snippet API at hand under the code editor: what a thread may call,
// grouped, folded until opened (the editor also completes these names).

import { h } from "./dom";
import { SNIPPET_API } from "./snippetApi";

export function apiReference(): HTMLElement {
  const groups = [...new Set(SNIPPET_API.map((e) => e.group))];
  return h("details", { class: "api-reference", "data-testid": "api-reference" },
    h("summary", null, "API reference — what your code can call (Ctrl+Space completes these names)"),
    h("div", { class: "api-groups" }, groups.map((g) => h("section", null,
      h("h4", null, g === "threading" ? "threading (from threading import Lock, …)" : g),
      h("dl", null, SNIPPET_API.filter((e) => e.group === g).map((e) => [
        h("dt", null, h("code", null, e.signature)),
        h("dd", null, e.info),
      ]))))));
}
