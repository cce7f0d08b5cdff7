// Just enough Markdown for a scenario summary: paragraphs, `code`, **bold**, *em*.
// HTML in the source is escaped first, so nothing from a spec can inject markup.

function escape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function inline(s: string): string {
  return escape(s)
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, "$1<em>$2</em>");
}

export function markdownToHtml(src: string): string {
  return src
    .trim()
    .split(/\n\s*\n/)
    .map((p) => `<p>${inline(p.replace(/\n/g, " "))}</p>`)
    .join("");
}
