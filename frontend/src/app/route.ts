// The selected lesson and run live in the URL hash (#/<slug>/runs/<id>),
// so a reload or a shared link shows the same thing.

export interface Route {
  scenario: string | null;
  run: string | null;
}

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  // #/runs/<id>: a run of no library scenario, e.g. an uploaded trace
  if (parts[0] === "runs") return { scenario: null, run: parts[1] ?? null };
  return { scenario: parts[0] ?? null, run: parts[1] === "runs" && parts[2] ? parts[2] : null };
}

export function formatRoute(r: Route): string {
  if (!r.scenario) return r.run ? `#/runs/${encodeURIComponent(r.run)}` : "";
  return `#/${encodeURIComponent(r.scenario)}${r.run ? `/runs/${encodeURIComponent(r.run)}` : ""}`;
}

export function readRoute(): Route {
  return parseRoute(location.hash);
}

export function writeRoute(r: Route): void {
  const hash = formatRoute(r);
  if (hash !== location.hash) history.replaceState(null, "", hash || location.pathname);
}
