// Follows the URL hash (see route.ts): on start, and when a link or an edited
// address names another lesson, draft or run than the one shown. The page
// writes the hash itself as the learner moves (writeRoute fires no hashchange).

import { readRoute, type Route } from "./route";

export interface Routed {
  shown(): Route; // what the page shows now, named as the URL would name it
  firstLesson(): string | null;
  select(scenario: string, run: string | null): Promise<void>; // a lesson, a share id, "edit" or "local:<slug>"
  openRun(run: string): Promise<void>; // a run of no library scenario
  showLibrary(): void; // nothing to open: the library alone
}

export class Router {
  constructor(private readonly page: Routed) {
    window.addEventListener("hashchange", () => this.follow());
  }

  /** Opens what the URL names, else the first lesson. */
  async start(): Promise<void> {
    const route = readRoute();
    if (!route.scenario && route.run) return this.page.openRun(route.run);
    const scenario = route.scenario ?? this.page.firstLesson();
    if (scenario) await this.page.select(scenario, route.run);
    else this.page.showLibrary();
  }

  private follow(): void {
    const r = readRoute();
    const shown = this.page.shown();
    if (r.scenario && (r.scenario !== shown.scenario || r.run !== shown.run)) void this.page.select(r.scenario, r.run);
    else if (!r.scenario && r.run && r.run !== shown.run) void this.page.openRun(r.run);
  }
}
