// The course as the page shows it (GET /api/curriculum): chapters of numbered
// lessons, each with its challenges, and the learner's progress through them
// (a challenge not tried, tried, or passed; a pass is never undone). Pure.

import type { ScenarioSpec } from "./spec";

export type ChallengeKind = "predict" | "break" | "fix";

export interface Challenge {
  id: string;
  kind: ChallengeKind;
  text: string;
  hints: string[];
  choices?: unknown[];
  edit?: boolean;
  starts_from_other_code?: boolean;
}

export interface Lesson {
  slug: string;
  number: string; // "1.2"
  title: string;
  summary: string;
  tags: string[];
  next: string | null;
  challenges: Challenge[];
}

export interface Chapter {
  id: string;
  number: number;
  title: string;
  lessons: Lesson[];
}

export interface Curriculum {
  title: string;
  chapters: Chapter[];
}

export type ProgressState = "tried" | "passed";
export type ChallengeState = "not tried" | ProgressState;
/** `${slug}#${challenge}` → state. */
export type Progress = Record<string, ProgressState>;

export interface ProgressItem {
  scenario: string;
  challenge: string;
  state: ProgressState;
}

const key = (slug: string, challenge: string) => `${slug}#${challenge}`;

export function lessons(c: Curriculum | null): Lesson[] {
  return c ? c.chapters.flatMap((ch) => ch.lessons) : [];
}

export function findLesson(c: Curriculum | null, slug: string | null): Lesson | null {
  return slug ? lessons(c).find((l) => l.slug === slug) ?? null : null;
}

export function challengeState(p: Progress, slug: string, challenge: string): ChallengeState {
  return p[key(slug, challenge)] ?? "not tried";
}

/** Records a result: "tried" never undoes "passed". Returns a new map. */
export function record(p: Progress, slug: string, challenge: string, state: ProgressState): Progress {
  const k = key(slug, challenge);
  if (p[k] === "passed") return p;
  return { ...p, [k]: state };
}

/** Both maps together, the better state of each challenge kept. */
export function merge(a: Progress, b: Progress): Progress {
  let out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const [slug, challenge] = splitKey(k);
    out = record(out, slug, challenge, v);
  }
  return out;
}

export function toItems(p: Progress): ProgressItem[] {
  return Object.entries(p).map(([k, state]) => {
    const [scenario, challenge] = splitKey(k);
    return { scenario, challenge, state };
  });
}

export function fromItems(items: readonly Partial<ProgressItem>[]): Progress {
  let p: Progress = {};
  for (const it of items) {
    if (typeof it.scenario !== "string" || typeof it.challenge !== "string") continue;
    if (it.state !== "tried" && it.state !== "passed") continue;
    p = record(p, it.scenario, it.challenge, it.state);
  }
  return p;
}

/** How far a lesson is: challenges passed, tried (not passed) and in all. */
export function lessonProgress(p: Progress, lesson: Lesson): { passed: number; tried: number; total: number } {
  const states = lesson.challenges.map((ch) => challengeState(p, lesson.slug, ch.id));
  return {
    passed: states.filter((s) => s === "passed").length,
    tried: states.filter((s) => s === "tried").length,
    total: states.length,
  };
}

function splitKey(k: string): [string, string] {
  const i = k.lastIndexOf("#");
  return i < 0 ? [k, ""] : [k.slice(0, i), k.slice(i + 1)];
}

/** A choice as the page shows it and as it is sent back (numbers stay numbers). */
export function choiceLabel(choice: unknown): string {
  return typeof choice === "string" ? choice : JSON.stringify(choice);
}

interface FixStart {
  node: string;
  setup?: string;
  threads?: Record<string, string>;
}

/**
 * The code a fix challenge starts from: the lesson's own, or, when the challenge
 * has a `start` (a broken variant), the lesson with that node's setup and
 * threads replaced. The lesson itself is left alone.
 */
export function startingSpec(spec: ScenarioSpec, challengeId: string): ScenarioSpec {
  const copy = structuredClone(spec);
  const all = (copy as { challenges?: unknown }).challenges;
  const found = (Array.isArray(all) ? all : []).find((c) => c && typeof c === "object" && (c as { id?: unknown }).id === challengeId) as { start?: FixStart } | undefined;
  const start = found?.start;
  if (!start) return copy;
  const node = copy.nodes.find((n) => n.id === start.node);
  if (!node) return copy;
  if (typeof start.setup === "string") node.setup = start.setup;
  for (const t of node.threads) if (typeof start.threads?.[t.name] === "string") t.code = start.threads[t.name];
  return copy;
}
