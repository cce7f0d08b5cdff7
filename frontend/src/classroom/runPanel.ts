// One run shown in class, built from the main page's pieces: its session (the run's
// socket and trace model), the step cards of Step mode, the space-time diagram, the
// shared variables, the verdict and the playback bar. The student page steps and runs
// with it; the projector replays a spotlighted run in it, step by step.

import { PlaybackControls } from "../controls/playbackControls";
import { StepControls } from "../controls/stepControls";
import { describe } from "../model/describe";
import { makeNamer, nodesOfRun, type Namer } from "../model/names";
import type { ScenarioSpec } from "../model/spec";
import { initialState } from "../model/state";
import { lastActions, stepChoices, undoSchedule } from "../model/stepping";
import { h, panel } from "../views/dom";
import { OutcomesView } from "../views/outcomesView";
import { renderResult } from "../views/resultView";
import { SpaceTimeView } from "../views/spacetime/spaceTimeView";
import { renderVariables } from "../views/statePanels";
import { renderStatus } from "../views/statusBadge";
import { PlaybackController } from "../app/playbackController";
import { RunSession } from "../app/runSession";

export interface RunPanelHooks {
  /** A new step-mode run that replays `schedule` first (undo, resume). */
  restart?(schedule: string[]): void;
  finished?(session: RunSession): void;
}

export class RunPanel {
  readonly root: HTMLElement;
  session: RunSession | null = null;
  private spec: ScenarioSpec | null = null;
  private readonly head = h("div", { class: "cr-run-head" });
  private readonly status = h("span", { class: "badge", "data-testid": "run-status" });
  private readonly title = h("span", { class: "cr-run-title", "data-testid": "run-title" });
  private readonly stepper = panel("Step by step", "stepper");
  private readonly explore = panel("Every interleaving", "explore");
  private readonly result = h("div", { class: "result", "data-testid": "result" });
  private readonly variables = h("div", { "data-testid": "variables" });
  private readonly diagram = new SpaceTimeView({ cursor: (seq) => this.playback.seek(seq), save: () => undefined });
  private readonly playback: PlaybackController;
  private readonly steps: StepControls;
  private readonly outcomes: OutcomesView;
  private readonly bar: PlaybackControls;
  private frame = 0;
  private reported = false;

  /** `watchOnly`: the projector's — no step buttons, the run is replayed, not driven. */
  constructor(private readonly hooks: RunPanelHooks = {}, private readonly watchOnly = false) {
    this.playback = new PlaybackController({ session: () => this.session, stepsShown: () => false, changed: () => this.schedule() });
    this.steps = new StepControls(this.stepper.body, this.stepper.note, {
      step: (thread) => this.send({ type: "step", thread }),
      random: () => this.send({ type: "step", random: true }),
      finish: () => this.send({ type: "continue" }),
      undo: () => this.session && this.hooks.restart?.(undoSchedule(this.session.model.current().schedule)),
      resume: () => this.session && this.hooks.restart?.([...this.session.model.current().schedule]),
    });
    this.outcomes = new OutcomesView(this.explore.body, this.explore.note, () => undefined);
    const barBox = h("div", { class: "cr-playback" });
    this.bar = new PlaybackControls(barBox, this.playback);
    this.head.append(this.status, this.title);
    const vars = panel("Shared variables", "variables-panel");
    vars.body.append(this.variables);
    const diagram = panel("Space-time diagram", "diagram");
    diagram.body.append(this.diagram.root);
    this.root = h("div", { class: "cr-run", "data-testid": "class-run" },
      this.head, this.stepper.root, this.explore.root,
      h("div", { class: "cr-run-grid" }, h("div", { class: "cr-run-main" }, diagram.root, barBox), h("div", { class: "cr-run-side" }, this.result, vars.root)));
    this.root.hidden = true;
  }

  /** Watches run `id` (just started, or an existing one to replay). */
  open(id: string, status: string, ws: string | undefined, mode: string, spec: ScenarioSpec | null, title = ""): void {
    this.close();
    this.spec = spec;
    this.reported = false;
    this.title.textContent = title;
    this.diagram.reset();
    this.playback.clock.reset();
    this.session = new RunSession(id, spec, status, ws, () => this.schedule(), mode);
    this.root.hidden = false;
    this.schedule();
  }

  /** The run from its first event again, at a pace a room can follow. */
  replay(perSecond = 2): void {
    this.playback.watchAgain(perSecond);
  }

  close(): void {
    const s = this.session;
    if (s && s.mode === "step" && !s.finished) s.send({ type: "cancel" });
    s?.close();
    this.session = null;
  }

  private send(message: { type: string; [k: string]: unknown }): void {
    this.session?.send(message);
    this.schedule();
  }

  private schedule(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private namer(): Namer {
    const s = this.session;
    return makeNamer(this.spec ? this.spec.nodes.map((n) => n.id) : nodesOfRun(s?.model.events ?? []));
  }

  private render(): void {
    const s = this.session;
    if (!s) return;
    const name = this.namer();
    const clock = this.playback.clock;
    const viewSeq = clock.shown(s.model.lastSeq);
    const state = viewSeq !== null ? s.model.stateAt(viewSeq) : s.model.current();
    renderStatus(this.status, s.status);
    this.root.dataset.status = s.status;
    this.root.dataset.mode = s.mode;
    const stepping = s.mode === "step" && !this.watchOnly;
    this.stepper.root.hidden = !stepping;
    if (stepping) {
      this.steps.render({
        spec: this.spec, state, choices: stepChoices(state, name), live: !s.finished,
        awaiting: s.awaitingStep && viewSeq === null, status: s.status, name,
        lastActions: new Map([...lastActions(s.model.events, state.seq)].map(([t, e]) => [t, describe(e, name)])),
      });
    }
    const exploring = s.mode === "explore";
    this.explore.root.hidden = !exploring;
    if (exploring) this.outcomes.render(s.model.current().explore, !s.finished, s.status, null, name);
    renderVariables(this.variables, state.seq ? state : initialState(this.spec), name);
    renderResult(this.result, exploring ? null : state.finished, name);
    this.diagram.update(s.grid, s.model.events, viewSeq, name);
    const live = !s.finished;
    this.bar.render({
      last: s.model.lastSeq, cursor: viewSeq, playing: clock.playing, speed: clock.speed, live,
      t: s.model.lastSeq ? (s.model.event(viewSeq ?? s.model.lastSeq)?.t ?? null) : null,
    });
    if (s.finished && s.model.current().finished && !this.reported) {
      this.reported = true;
      this.hooks.finished?.(s);
    }
  }
}
