// What a free run may be asked for beyond Run: slow motion (the engine paces
// itself to a number of steps per second, so a live run can be followed and a
// node crashed by click) and the seed (empty: a new one each run; a number:
// that run again). After a run, "Watch it again" replays it at a readable speed.

import type { ScenarioSpec } from "../model/spec";
import type { RunOptions } from "../transport/api";
import { h } from "../views/dom";

export const PACES = [0, 1, 2, 5, 10]; // steps per second; 0 = full speed
// A paced run needs time: its timeout is at least this.
export const PACED_TIMEOUT_MS = 120_000;

export interface RunOptionsActions {
  watchAgain(): void;
}

export interface FreeRunChoice {
  pace: number | null;
  seed: number | null;
}

export class RunOptionsBar {
  readonly root: HTMLElement;
  private readonly pace = h("select", { class: "pace", "data-testid": "run-pace", "aria-label": "Slow motion: steps per second" },
    PACES.map((p) => h("option", { value: String(p) }, p ? `${p} step${p === 1 ? "" : "s"}/s` : "full speed"))) as HTMLSelectElement;
  private readonly seed = h("input", {
    class: "seed", type: "text", inputmode: "numeric", placeholder: "new each run", "data-testid": "run-seed", "aria-label": "Seed (empty: a new seed each run)",
  }) as HTMLInputElement;
  private readonly again: HTMLButtonElement;
  private readonly freeOnly: HTMLElement;

  constructor(actions: RunOptionsActions) {
    this.again = h("button", { class: "btn small", "data-testid": "watch-again", title: "Replay the run from the start at a readable speed", hidden: true,
      onclick: () => actions.watchAgain() }, "↻ Watch it again");
    this.freeOnly = h("span", { class: "free-options" },
      h("label", { class: "inline-field", title: "Slow motion: the run goes this many steps per second, so you can follow it and crash a node by click" }, "slow motion ", this.pace),
      h("label", { class: "inline-field", title: "The same seed repeats a free run exactly; empty takes a new one each run" }, "seed ", this.seed));
    this.root = h("div", { class: "run-options", "data-testid": "run-options" }, this.freeOnly, this.again);
  }

  /** The choices for the next free run. */
  choice(): FreeRunChoice {
    const pace = Number(this.pace.value);
    const seed = this.seed.value.trim();
    return { pace: pace > 0 ? pace : null, seed: /^\d+$/.test(seed) ? Number(seed) : null };
  }

  setSeed(seed: number): void {
    this.seed.value = String(seed);
  }

  update(s: { free: boolean; canWatchAgain: boolean }): void {
    this.freeOnly.hidden = !s.free;
    this.again.hidden = !s.canWatchAgain;
  }
}

/** What POST /api/runs is asked for a free run: the seed if one is set; slow motion, with the time it needs. */
export function freeRunOptions(c: FreeRunChoice, spec: ScenarioSpec | null): RunOptions {
  return {
    ...(c.seed !== null ? { seed: c.seed } : {}),
    ...(c.pace ? { pace: c.pace, timeout_ms: Math.max(Number(spec?.run?.timeout_ms ?? 0), PACED_TIMEOUT_MS) } : {}),
  };
}
