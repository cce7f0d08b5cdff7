// Step mode, in the style of a debugger: one card per thread, side by side,
// with the code around the line it is paused at and a "Step" button —
// disabled, with the reason, when the thread cannot go — then Random step,
// Run to end, Undo, and the schedule so far as a row of thread chips.
// Redraws only when what it shows changes, so a click is never lost to a redraw.

import type { Namer } from "../model/names";
import type { ScenarioSpec } from "../model/spec";
import type { RunState, ThreadState } from "../model/state";
import type { StepChoice } from "../model/stepping";
import { codeExcerpt, markLine } from "../views/codeBlock";
import { h, replaceChildren } from "../views/dom";

export interface StepView {
  spec: ScenarioSpec | null;
  state: RunState;
  choices: StepChoice[];
  live: boolean; // the run has not ended
  awaiting: boolean; // it waits for the learner, and no step was sent since it asked
  status: string;
  name: Namer;
  lastActions: Map<string, string>; // thread → what its last step did, in words
}

export interface StepActions {
  step(thread: string): void;
  random(): void;
  finish(): void;
  undo(): void;
  resume(): void;
}

// A step run that ended like this was interrupted, not finished: it can be picked up again.
const INTERRUPTED = new Set(["cancelled", "timeout"]);

// Snippets up to this many lines are shown whole; longer ones around the current line.
const WHOLE = 9;
const CONTEXT = 3;

export function testId(id: string): string {
  return id.replace(/\//g, "-");
}

export class StepControls {
  private shownKey = "";

  constructor(
    private readonly root: HTMLElement,
    private readonly note: HTMLElement,
    private readonly actions: StepActions,
  ) {}

  render(v: StepView): void {
    const key = JSON.stringify([
      v.choices, v.live, v.awaiting, v.status, v.state.schedule, v.state.refused,
      [...v.state.threads.values()].map((t) => [t.status, t.line, t.snippet]),
      [...v.state.outputs], [...v.lastActions],
    ]);
    if (key === this.shownKey) return;
    this.shownKey = key;
    const { state, name } = v;
    const steps = state.schedule.length;
    this.note.textContent = `${steps} step${steps === 1 ? "" : "s"} taken`;
    replaceChildren(this.root,
      h("p", { class: `step-prompt${v.awaiting ? " your-turn" : ""}`, "data-testid": "step-prompt" }, prompt(v)),
      state.refused && v.live
        ? h("p", { class: "error", "data-testid": "step-refused" }, `${name(state.refused.requested)} cannot go: ${state.refused.reason}`)
        : null,
      h("div", { class: "step-cards" }, v.choices.map((c) => this.card(v, c))),
      h("div", { class: "step-actions" },
        h("button", {
          class: "btn", "data-testid": "step-random", disabled: !v.awaiting,
          title: "Let a random enabled thread take the next step", onclick: () => this.actions.random(),
        }, "⚄ Random step"),
        h("button", {
          class: "btn", "data-testid": "step-continue", disabled: !v.awaiting,
          title: "Random steps until the run ends", onclick: () => this.actions.finish(),
        }, "⇥ Run to end"),
        h("button", {
          class: "btn", "data-testid": "step-undo", disabled: !steps || (v.live && !v.awaiting),
          title: "Go back one step: replays every step but the last in a new run", onclick: () => this.actions.undo(),
        }, "↶ Undo"),
        !v.live && INTERRUPTED.has(v.status) && steps
          ? h("button", {
              class: "btn primary", "data-testid": "step-resume",
              title: "Replay these steps in a new run and go on from there", onclick: () => this.actions.resume(),
            }, "▷ Resume")
          : null),
      h("div", { class: "schedule-row" },
        h("span", { class: "schedule-label" }, "Schedule so far"),
        steps
          ? h("ol", { class: "schedule", "data-testid": "schedule" },
              state.schedule.map((t, i) =>
                h("li", { class: "chip thread schedule-step", "data-thread": t, title: `step ${i + 1}: ${name(t)}` },
                  h("span", { class: "step-no" }, i + 1), name(t))))
          : h("span", { class: "muted", "data-testid": "schedule" }, "no steps yet")));
  }

  private card(v: StepView, c: StepChoice): HTMLElement {
    const th = v.state.threads.get(c.thread);
    const label = v.name(c.thread);
    const id = testId(c.thread);
    const out = v.state.outputs.get(c.thread) ?? [];
    return h("section", {
      class: `step-card${c.canStep && v.awaiting ? " can-step" : ""}`,
      "data-testid": `step-card-${id}`, "data-status": th?.status ?? "",
    },
      h("header", null,
        h("span", { class: "thread-name" }, label),
        th ? h("span", { class: `pill status-${th.status.replace(/ /g, "-")}` }, th.status) : null,
        h("button", {
          class: "btn primary small", "data-testid": `step-${id}`, "data-thread": c.thread,
          disabled: !(c.canStep && v.awaiting), title: c.reason ? `${label}: ${c.reason}` : `${label} takes its next step`,
          onclick: () => this.actions.step(c.thread),
        }, `Step ${label} ▸`)),
      c.reason && c.reason !== "finished"
        ? h("p", { class: "step-reason", "data-testid": `step-reason-${id}` }, c.reason)
        : null,
      v.lastActions.has(c.thread)
        ? h("p", { class: "step-last", "data-testid": `step-last-${id}` }, h("span", { class: "muted" }, "last step: "), v.lastActions.get(c.thread))
        : null,
      th ? this.where(v.spec, th, label, id) : null,
      out.length ? h("p", { class: "step-output", "data-testid": `step-output-${id}` }, h("span", { class: "muted" }, "printed "), out.join(" / ")) : null);
  }

  /** The code around the line the thread is paused at. */
  private where(spec: ScenarioSpec | null, th: ThreadState, label: string, id: string): HTMLElement | null {
    const node = spec?.nodes.find((n) => n.id === th.node);
    const own = node?.threads.find((t) => `${node.id}/${t.name}` === th.id);
    if (!node || !own) return null;
    if (th.status === "finished") return h("p", { class: "muted step-where" }, "finished");
    const started = th.line !== null;
    const inSetup = th.snippet === "setup";
    const code = inSetup ? node.setup ?? "" : own.code;
    const total = code.replace(/\n$/, "").split("\n").length;
    const line = th.line ?? 1;
    const [from, to] = total <= WHOLE ? [1, total] : [line - CONTEXT, line + CONTEXT];
    const block = codeExcerpt(code, from, to, `step-code-${id}`);
    if (started) markLine(block, line, label, th.status);
    return h("div", { class: "step-where" },
      h("p", { class: "muted" }, started ? `at ${inSetup ? "setup " : ""}line ${line}` : "not started yet"),
      block);
  }
}

function prompt(v: StepView): string {
  if (!v.live && INTERRUPTED.has(v.status)) return `The run was stopped (${v.status}). Resume replays its steps and waits for you again.`;
  if (!v.live) return `The run is over (${v.status}). Undo goes back one step.`;
  if (v.awaiting) return "Your turn: choose the thread that takes the next step.";
  if (!v.state.schedule.length && !v.state.ready) return "Starting the threads…";
  return "Taking the step…";
}
