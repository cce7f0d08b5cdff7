// The trace formats a run can be downloaded in, as GET /api/exports lists them
// ({format, title, extension, content_type, opens_with}), and the list built in
// here that the page falls back on when the server has none (an older server, or
// the request failed). Pure: the transport fetches, this checks and chooses.

export interface ExportFormat {
  format: string; // the value of ?format= in /api/runs/<id>/trace
  title: string;
  extension: string; // without the dot: "jsonl", "chrome.json"
  content_type: string;
  opens_with: string; // one line: which tool opens it
}

/** What the page offers when the server does not list its formats. */
export const BUILTIN_FORMATS: readonly ExportFormat[] = [
  { format: "jsonl", title: "JSON Lines (playground.event/1)", extension: "jsonl", content_type: "application/x-ndjson",
    opens_with: "This playground (Open a trace), jq, or any JSON reader: one event per line." },
  { format: "chrome", title: "Chrome / Perfetto trace", extension: "chrome.json", content_type: "application/json",
    opens_with: "ui.perfetto.dev or chrome://tracing: threads as tracks, messages as arrows." },
  { format: "shiviz", title: "ShiViz log", extension: "shiviz.log", content_type: "text/plain; charset=utf-8",
    opens_with: "ShiViz (bestchai.bitbucket.io/shiviz) with its default parser expression." },
  { format: "mermaid", title: "Mermaid sequence diagram", extension: "mmd", content_type: "text/plain; charset=utf-8",
    opens_with: "mermaid.live, GitHub or GitLab Markdown, Notion: paste it in a mermaid block." },
  { format: "plantuml", title: "PlantUML sequence diagram", extension: "puml", content_type: "text/plain; charset=utf-8",
    opens_with: "plantuml (java -jar plantuml.jar), IDE plugins, or plantuml.com's server." },
];

const FIELDS = ["format", "title", "extension", "content_type", "opens_with"] as const;

/** The server's list if it is one (an array of well-formed entries, at least one), else null. */
export function readExportList(data: unknown): ExportFormat[] | null {
  if (!Array.isArray(data) || !data.length) return null;
  const out: ExportFormat[] = [];
  for (const item of data) {
    if (!item || typeof item !== "object") return null;
    const x = item as Record<string, unknown>;
    if (typeof x.format !== "string" || !/^[\w.-]+$/.test(x.format)) return null;
    const entry = {} as Record<string, string>;
    for (const f of FIELDS) entry[f] = typeof x[f] === "string" ? (x[f] as string) : "";
    entry.title ||= entry.format;
    entry.extension = (entry.extension || entry.format).replace(/^\./, "");
    out.push(entry as unknown as ExportFormat);
  }
  return out;
}

/** The formats to offer: the server's when it answered with a list, else the built-in ones. */
export function chooseFormats(server: unknown): { formats: readonly ExportFormat[]; fromServer: boolean } {
  const list = readExportList(server);
  return list ? { formats: list, fromServer: true } : { formats: BUILTIN_FORMATS, fromServer: false };
}

/** The file a download is saved as: run-<first 8 of the id>.<extension>. */
export function traceFileName(runId: number | string, f: Pick<ExportFormat, "extension">): string {
  const id = String(runId).replace(/[^\w-]/g, "").slice(0, 8) || "trace";
  return `run-${id}.${f.extension}`;
}

/** A trace file the page can upload: JSON Lines by its name, or anything that looks like it. */
export function looksLikeTrace(name: string, type: string): boolean {
  return /\.(jsonl|ndjson)$/i.test(name) || /ndjson|jsonl/i.test(type);
}
