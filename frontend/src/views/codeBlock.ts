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

/** Clears the "here now" marks of a block made by codeBlock. */
export function clearMarks(block: HTMLElement): void {
  for (const el of block.querySelectorAll<HTMLElement>(".code-line.current")) {
    el.classList.remove("current");
    el.querySelectorAll(".here").forEach((x) => x.remove());
  }
}

/** Marks `line` (1-based) as where `who` is now; several threads can share a line. */
export function markLine(block: HTMLElement, line: number, who: string, status: string): void {
  const el = block.querySelector<HTMLElement>(`.code-line[data-line="${line}"]`);
  if (!el) return;
  el.classList.add("current");
  el.append(h("span", { class: `here status-${status.replace(/ /g, "-")}`, title: `${who} is here (${status})` }, `◂ ${who}`));
}

/** Lines `from`..`to` (1-based, clipped) of `code`, numbered as in the whole snippet. */
export function codeExcerpt(code: string, from: number, to: number, testid: string): HTMLElement {
  const lines = code.replace(/\n$/, "").split("\n");
  const first = Math.max(1, from);
  const last = Math.min(lines.length, to);
  const rows = [];
  for (let n = first; n <= last; n++) {
    rows.push(h("span", { class: "code-line", "data-line": n },
      h("span", { class: "ln", "aria-hidden": "true" }, n),
      h("span", { class: "src" }, lines[n - 1] || " ")));
  }
  return h("pre", { class: "code excerpt", "data-testid": testid }, h("code", null, rows));
}
