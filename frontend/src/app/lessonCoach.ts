// The lesson's challenges on the page: the course and the learner's progress
// (model/curriculum, transport/progress), each challenge's answer, hints and
// last check; checks sent to POST /api/checks — a prediction by its answer, a
// break by the learner's finished run (checked by itself when it ends), a fix
// by the code in the editor — and a failed fix's witness replayed step by step.

import { findLesson, lessons, startingSpec, type Curriculum, type Lesson } from "../model/curriculum";
import { forServer } from "../model/draft";
import type { ScenarioSpec } from "../model/spec";
import { api, ApiError, type CheckRequest, type CheckResult, type CheckWitness } from "../transport/api";
import { ProgressStore } from "../transport/progress";
import { renderChallenges, type ChallengeCard, type ShownCheck } from "../views/challengesPanel";
import type { RunLauncher } from "./runLauncher";
import type { RunSession } from "./runSession";
import type { ScenarioWorkspace } from "./scenarioWorkspace";

export interface CoachHooks {
  changed(): void;
  progressChanged(): void; // the lesson map's marks
}

interface CardState {
  hintsShown: number;
  checking: boolean;
  answer: unknown[];
  value: string;
  result: ShownCheck | null;
  witness: CheckWitness | null;
}

// A run checked for a break: free and step runs the learner made themselves.
const BREAK_MODES = new Set(["free", "step"]);

export class LessonCoach {
  course: Curriculum | null = null;
  readonly progress: ProgressStore;
  private lesson: Lesson | null = null;
  private cards = new Map<string, CardState>();
  private fixing: string | null = null; // the fix challenge whose code is in the editor
  private readonly checkedRuns = new Set<string>();
  private shownKey = "";

  constructor(
    private readonly root: HTMLElement,
    private readonly workspace: ScenarioWorkspace,
    private readonly launcher: RunLauncher,
    private readonly hooks: CoachHooks,
  ) {
    this.progress = new ProgressStore(() => {
      hooks.progressChanged();
      hooks.changed();
    });
  }

  /** Fetches the course; false when this server has none (an older one): the plain library then. */
  async load(): Promise<boolean> {
    try {
      this.course = await api.curriculum();
      return lessons(this.course).length > 0;
    } catch {
      this.course = null;
      return false;
    }
  }

  get fixingNow(): boolean {
    return this.fixing !== null;
  }

  /** The lesson shown changed (or a draft, a run on its own: null). Keeps the lesson while its fix is edited. */
  show(slug: string | null, editingFix = false): void {
    if (editingFix && this.lesson?.slug === slug) return this.hooks.changed();
    this.fixing = null;
    const lesson = findLesson(this.course, slug);
    if (lesson?.slug !== this.lesson?.slug) this.cards = new Map();
    this.lesson = lesson;
    this.hooks.changed();
  }

  /** The editor was closed: the fix is no longer being edited. */
  stopFixing(): void {
    this.fixing = null;
  }

  get lessonSlug(): string | null {
    return this.lesson?.slug ?? null;
  }

  /** A finished run of the lesson made by the learner: checked against each break challenge. */
  observe(s: RunSession | null): void {
    const lesson = this.lesson;
    if (!lesson || !s || !s.finished || !BREAK_MODES.has(s.mode)) return;
    const id = String(s.id);
    if (this.checkedRuns.has(id)) return;
    this.checkedRuns.add(id);
    for (const ch of lesson.challenges) {
      if (ch.kind !== "break" || (this.fixing && !ch.edit)) continue;
      // A free run may reach a goal by chance or by faults: said when it does, not otherwise.
      void this.send(ch.id, { run: id }, s.mode !== "step");
    }
  }

  /** A challenge of this lesson has been checked (its explanation may be read now). */
  get checked(): boolean {
    return [...this.cards.values()].some((c) => c.result !== null);
  }

  render(): void {
    const lesson = this.lesson;
    if (!lesson) {
      this.shownKey = "";
      return renderChallenges(this.root, null, this.actions);
    }
    const p = this.progress.progress;
    const cards: ChallengeCard[] = lesson.challenges.map((challenge) => {
      const c = this.card(challenge.id);
      return { challenge, state: p[`${lesson.slug}#${challenge.id}`] ?? "not tried", hintsShown: c.hintsShown, checking: c.checking,
        answer: c.answer, value: c.value, result: c.result };
    });
    const next = findLesson(this.course, lesson.next);
    // Drawn again only when something in it changed (the page redraws on every event).
    const key = JSON.stringify([lesson.slug, cards, this.fixing]);
    if (key === this.shownKey) return;
    this.shownKey = key;
    renderChallenges(this.root, {
      lesson, cards, fixing: this.fixing,
      next: next ? { slug: next.slug, title: next.title, number: next.number } : null,
    }, this.actions);
  }

  private card(id: string): CardState {
    let c = this.cards.get(id);
    if (!c) this.cards.set(id, (c = { hintsShown: 0, checking: false, answer: [], value: "", result: null, witness: null }));
    return c;
  }

  private readonly actions = {
    choose: (id: string, answer: unknown[]) => {
      this.card(id).answer = answer;
      this.hooks.changed();
    },
    type: (id: string, value: string) => {
      this.card(id).value = value; // no redraw: the input keeps its focus
    },
    check: (id: string) => {
      const c = this.card(id);
      const ch = this.lesson?.challenges.find((x) => x.id === id);
      const many = !!ch && /\bevery\b|\ball\b/i.test(ch.text);
      const answer = ch?.choices?.length ? (many ? c.answer : c.answer[0]) : parseValue(c.value);
      void this.send(id, { answer });
    },
    startStepping: () => {
      this.launcher.mode = "step";
      void this.launcher.run();
    },
    editFix: (id: string) => {
      const spec = this.workspace.lessonSpec;
      if (!spec || !this.lesson) return;
      this.fixing = id;
      this.workspace.edit(startingSpec(spec, id), null, this.lesson.slug);
    },
    checkFix: (id: string) => {
      const spec = this.workspace.spec;
      if (spec) void this.send(id, { spec: forServer(spec) });
    },
    stepWitness: (id: string) => {
      const w = this.card(id).witness;
      const spec = w?.scenario ?? this.workspace.spec;
      if (w && spec) void this.launcher.replaySchedule(spec, w.schedule, `The shortest failing schedule (${w.schedule.length} steps)`);
    },
    hint: (id: string) => {
      this.card(id).hintsShown++;
      this.hooks.changed();
    },
    next: (slug: string) => void this.workspace.select(slug),
  };

  private async send(id: string, body: { answer?: unknown; run?: string; spec?: ScenarioSpec }, onlyIfPassed = false): Promise<void> {
    const lesson = this.lesson;
    if (!lesson) return;
    const c = this.card(id);
    c.checking = true;
    this.hooks.changed();
    try {
      const r = await checkWhenStored({ scenario: lesson.slug, challenge: id, ...body });
      if (onlyIfPassed && !r.passed) return;
      c.witness = r.witness ?? null;
      c.result = { passed: r.passed, message: r.message, covered: body.spec ? r.covered : undefined,
        witnessSteps: body.spec && !r.passed && r.witness ? r.witness.schedule.length : null };
      this.progress.record(lesson.slug, id, r.passed ? "passed" : "tried");
    } catch (e) {
      if (!onlyIfPassed) c.result = { passed: false, message: `the check could not be made: ${(e as Error).message}`, witnessSteps: null };
    } finally {
      c.checking = false;
      this.hooks.changed();
    }
  }
}

/** A check; a run whose end the server has not stored yet (409) is asked about again shortly. */
async function checkWhenStored(body: CheckRequest): Promise<CheckResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await api.check(body);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 409 && body.run && attempt < 20)) throw e;
      await new Promise((resolve) => setTimeout(resolve, 250 * Math.min(4, attempt + 1)));
    }
  }
}

/** A typed answer: a number or JSON when it reads as one, else the text. */
function parseValue(text: string): unknown {
  const t = text.trim();
  try {
    return JSON.parse(t);
  } catch {
    return t;
  }
}
