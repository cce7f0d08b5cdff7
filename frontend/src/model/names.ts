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
