// Display names: "bank/P1" reads as "P1" when the scenario has a single node.

export type Namer = (id: string | null | undefined) => string;

export function makeNamer(nodeIds: readonly string[]): Namer {
  const single = nodeIds.length <= 1;
  return (id) => {
    if (!id) return "";
    if (!single) return id;
    const slash = id.indexOf("/");
    return slash >= 0 ? id.slice(slash + 1) : id;
  };
}

/**
 * The nodes of a run known only from its events (an uploaded trace has no spec):
 * run.started's `nodes`, else every node an event or a thread id names, in order.
 * Without them a namer would take a multi-node run for a single node and drop the
 * node from every thread's name ("main, main, main").
 */
export function nodesOfRun(events: readonly { kind: string; node?: string | null; thread?: string | null; [k: string]: unknown }[]): string[] {
  const seen = new Set<string>();
  const started = events.find((e) => e.kind === "run.started");
  const declared = started?.nodes;
  if (Array.isArray(declared)) {
    for (const n of declared) {
      const id = typeof n === "string" ? n : n && typeof n === "object" ? (n as { id?: unknown }).id : null;
      if (typeof id === "string" && id) seen.add(id);
    }
    if (seen.size) return [...seen];
  }
  for (const e of events) {
    if (typeof e.node === "string" && e.node) seen.add(e.node);
    const slash = typeof e.thread === "string" ? e.thread.indexOf("/") : -1;
    if (slash > 0) seen.add(e.thread!.slice(0, slash));
  }
  return [...seen];
}

/** A short, readable rendering of a JSON value. */
export function formatValue(v: unknown): string {
  if (v === undefined) return "—";
  if (typeof v === "string") return JSON.stringify(v);
  try {
    const s = JSON.stringify(v);
    return s.length > 80 ? s.slice(0, 77) + "…" : s;
  } catch {
    return String(v);
  }
}
