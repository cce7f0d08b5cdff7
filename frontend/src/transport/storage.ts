// Scenarios kept in this browser (a visitor's saves, and the draft being
// edited, so a reload does not lose it): localStorage, JSON.

import type { ScenarioSpec } from "../model/spec";

const SAVED = "playground.scenarios";
const DRAFT = "playground.draft";

export interface LocalScenario {
  spec: ScenarioSpec;
  saved: string; // ISO time
}

function read<T>(key: string, fallback: T): T {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : fallback;
  } catch {
    return fallback;
  }
}

export const browserStore = {
  list(): LocalScenario[] {
    return Object.values(read<Record<string, LocalScenario>>(SAVED, {})).sort((a, b) => b.saved.localeCompare(a.saved));
  },
  get(slug: string): ScenarioSpec | null {
    return read<Record<string, LocalScenario>>(SAVED, {})[slug]?.spec ?? null;
  },
  save(spec: ScenarioSpec): void {
    const all = read<Record<string, LocalScenario>>(SAVED, {});
    all[spec.slug] = { spec, saved: new Date().toISOString() };
    localStorage.setItem(SAVED, JSON.stringify(all));
  },
  remove(slug: string): void {
    const all = read<Record<string, LocalScenario>>(SAVED, {});
    delete all[slug];
    localStorage.setItem(SAVED, JSON.stringify(all));
  },
  draft(): { spec: ScenarioSpec; savedSlug: string | null } | null {
    return read(DRAFT, null);
  },
  keepDraft(spec: ScenarioSpec, savedSlug: string | null): void {
    try {
      localStorage.setItem(DRAFT, JSON.stringify({ spec, savedSlug }));
    } catch {
      // full or disabled: the draft lives on in the page
    }
  },
};
