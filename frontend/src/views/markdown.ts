// Just enough Markdown for a scenario summary: paragraphs, bulleted (- or *)
// and numbered (1.) lists, `code`, **bold**, *em*. HTML in the source is
// escaped first, so nothing from a spec can inject markup.

function escape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function inline(s: string): string {
  return escape(s)
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, "$1<em>$2</em>");
}

const BULLET = /^\s*[-*]\s+/;
const NUMBER = /^\s*\d+[.)]\s+/;

/** A block: a paragraph, or the lines of a list (a line not starting an item continues the one before). */
function block(text: string): string {
  const lines = text.split("\n");
  const out: string[] = [];
  let para: string[] = [];
  let list: { tag: "ul" | "ol"; items: string[] } | null = null;
  const flushPara = () => {
    if (para.length) out.push(`<p>${inline(para.join(" "))}</p>`);
    para = [];
  };
  const flushList = () => {
    if (list) out.push(`<${list.tag}>${list.items.map((i) => `<li>${inline(i)}</li>`).join("")}</${list.tag}>`);
    list = null;
  };
  for (const line of lines) {
    const bullet = BULLET.test(line) && !/^\s*\*\*/.test(line);
    const number = NUMBER.test(line);
    if (bullet || number) {
      const tag = bullet ? "ul" : "ol";
      flushPara();
      if (list && list.tag !== tag) flushList();
      list ??= { tag, items: [] };
      list.items.push(line.replace(bullet ? BULLET : NUMBER, ""));
    } else if (list && line.trim()) {
      list.items[list.items.length - 1] += " " + line.trim();
    } else {
      flushList();
      if (line.trim()) para.push(line.trim());
    }
  }
  flushPara();
  flushList();
  return out.join("");
}

export function markdownToHtml(src: string): string {
  return src
    .trim()
    .split(/\n\s*\n/)
    .map(block)
    .join("");
}
