// Read-only code with line numbers; one line can be marked as "here now".

import { h } from "./dom";

export function codeBlock(code: string, testid: string): HTMLElement {
  const lines = code.replace(/\n$/, "").split("\n");
  return h("pre", { class: "code", "data-testid": testid },
    h("code", null,
      lines.map((text, i) =>
        h("span", { class: "code-line", "data-line": i + 1 },
          h("span", { class: "ln", "aria-hidden": "true" }, i + 1),
          h("span", { class: "src" }, text || " ")))));
}

/** Marks `line` (1-based) in a block made by codeBlock, or clears the mark. */
export function markLine(block: HTMLElement, line: number | null, label: string): void {
  for (const el of block.querySelectorAll<HTMLElement>(".code-line.current")) {
    el.classList.remove("current");
    el.removeAttribute("title");
  }
  if (line === null) return;
  const el = block.querySelector<HTMLElement>(`.code-line[data-line="${line}"]`);
  if (!el) return;
  el.classList.add("current");
  el.title = label;
}
