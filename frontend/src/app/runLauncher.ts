// Starts runs of the scenario shown and keeps the one being watched: a free
// run, a step-mode run (undo and resume start a new one from a schedule), an
// exploration, and a replay of one of its witnesses (the exploration's
// outcomes stay on the page meanwhile); attaches to an existing run by id;
// sends control messages (steps, faults) over the run's socket.

import type { FaultMessage } from "../controls/faultControls";
import type { PageMode } from "../controls/runControls";
import type { Outcome } from "../model/events";
import { outcomeViews } from "../model/outcomes";
import { forServer } from "../model/draft";
import { undoSchedule } from "../model/stepping";
import { api, ApiError, type RunOptions } from "../transport/api";
import type { ScenarioSpec } from "../model/spec";
import { writeRoute } from "./route";
import { RunSession } from "./runSession";
import type { ScenarioWorkspace } from "./scenarioWorkspace";

// A learner thinks between steps: a step-mode run waits this long before the server stops it.
const STEP_TIMEOUT_MS = 15 * 60_000;
// Room for the explorer on a busy machine; it reports how far it got if this runs out.
const EXPLORE_TIMEOUT_MS = 60_000;

/** The exploration whose histogram stays on the page while one of its witnesses is replayed. */
export interface Exploration {
  session: RunSession;
  selected: Outcome | null;
  label: string;
}

export interface LauncherHooks {
  opened(): void; // a new run is watched: the views start afresh
  closed(): void; // no run is watched any more
  started(mode: string): void; // a run was started from the page (not attached to)
  changed(): void; // draw the page now
  scheduleRender(): void; // draw the page at the next frame (the run's events and status)
  notify(message: string | null): void;
  freeOptions(): RunOptions; // slow motion and seed for a free run
}

export class RunLauncher {
  mode: PageMode = "free";
  starting = false;
  session: RunSession | null = null;
  exploration: Exploration | null = null;
  replayTitle: string | null = null; // a check's witness being replayed: what it shows

  constructor(private readonly workspace: ScenarioWorkspace, private readonly hooks: LauncherHooks) {
    // A step-mode run waits for its learner; one who leaves should not keep a worker busy.
    window.addEventListener("pagehide", () => this.stopStepping());
  }

  /** Run, in the mode chosen. */
  async run(): Promise<void> {
    if (this.mode === "step") await this.start("step", { mode: "step", timeout_ms: STEP_TIMEOUT_MS });
    else if (this.mode === "explore") await this.start("explore", { mode: "explore", timeout_ms: EXPLORE_TIMEOUT_MS });
    else await this.start("free", this.hooks.freeOptions());
  }

  /** Goes back one step: a new step-mode run replays every step but the last, then waits again. */
  async undo(): Promise<void> {
    const s = this.session;
    if (!s || s.mode !== "step") return;
    const schedule = undoSchedule(s.model.current().schedule);
    await this.start("step", { mode: "step", schedule, timeout_ms: STEP_TIMEOUT_MS });
  }

  /** Picks up a step run that was cancelled or timed out: replays all its steps, then waits again. */
  async resume(): Promise<void> {
    const s = this.session;
    if (!s || s.mode !== "step") return;
    const schedule = [...s.model.current().schedule];
    await this.start("step", { mode: "step", schedule, timeout_ms: STEP_TIMEOUT_MS });
  }

  /** Replays the witness schedule of an outcome; the histogram stays. */
  async openWitness(outcome: Outcome): Promise<void> {
    const s = this.session;
    const explored = s?.mode === "explore" ? s : this.exploration?.session;
    if (!explored) return;
    const view = outcomeViews([outcome], this.workspace.namer())[0];
    const label = view?.problem === "deadlock" ? `a deadlock (${view.label})`
      : view?.problem === "violated" ? `a broken invariant (${view.label})`
      : view?.problem === "failed" ? `a failure (${view.label})`
      : view?.problem === "non-serial" ? `an outcome no serial order gives (${view.label})`
      : view?.label ?? outcome.status;
    this.exploration = { session: explored, selected: outcome, label };
    await this.start("replay", { mode: "replay", schedule: outcome.schedule }, true);
  }

  /** Replays a schedule on a given spec (a failed check's witness), step by step. */
  async replaySchedule(spec: ScenarioSpec, schedule: string[], title: string): Promise<void> {
    await this.start("replay", { mode: "replay", schedule }, false, spec);
    this.replayTitle = title;
    this.hooks.changed();
  }

  /** Shows an existing run, e.g. after a reload: replays it from seq 0. */
  async attach(runId: string): Promise<void> {
    try {
      const info = await api.run(runId);
      const mode = info.mode ?? "free";
      if (mode === "free" || mode === "step" || mode === "explore") this.mode = mode;
      this.open(info.id, info.status, undefined, mode, info.events ?? 0);
    } catch (e) {
      this.hooks.notify(`Run ${runId}: ${(e as Error).message}`);
      writeRoute({ scenario: this.workspace.spec?.slug ?? null, run: null });
    }
  }

  async cancel(): Promise<void> {
    try {
      await this.session?.cancel();
    } catch (e) {
      this.hooks.notify(`Could not cancel: ${(e as Error).message}`);
    }
  }

  fault(message: FaultMessage): void {
    const s = this.session;
    if (!s || s.finished) return this.hooks.notify("Faults can be injected only while a run is going.");
    this.control(message);
  }

  control(message: { type: string; [k: string]: unknown }): void {
    if (!this.session?.send(message)) this.hooks.notify("Not connected to the run yet: try again in a moment.");
    this.hooks.changed();
  }

  /** Stops watching the run (a step-mode run is cancelled) and forgets the exploration. */
  leave(): void {
    this.close();
    this.exploration = null;
  }

  private async start(mode: string, options: RunOptions, keepExploration = false, spec: ScenarioSpec | null = null): Promise<void> {
    const ws = this.workspace;
    if (!ws.spec || this.starting) return;
    this.starting = true;
    this.hooks.notify(null);
    this.hooks.changed();
    try {
      // By name when the server lists it for us; otherwise (a draft, a scenario opened by its share link) the spec itself.
      const created = await api.createRun(spec ? forServer(spec) : ws.listed ? ws.spec.slug : forServer(ws.spec), options);
      this.replayTitle = null;
      if (ws.editing) ws.clearProblems();
      if (!keepExploration) this.exploration = null;
      this.open(created.id, created.status, created.ws, mode);
      this.hooks.started(mode);
      writeRoute({ scenario: ws.routeName, run: String(created.id) });
    } catch (e) {
      if (ws.editing && e instanceof ApiError && e.status === 400) ws.showSpecErrors(e);
      this.hooks.notify(`Could not start the run: ${(e as Error).message}`);
    } finally {
      this.starting = false;
      this.hooks.changed();
    }
  }

  /** Cancels a live step-mode run: nobody else will ever step it. */
  private stopStepping(): void {
    const s = this.session;
    if (s && s.mode === "step" && !s.finished) s.send({ type: "cancel" });
  }

  private open(id: number | string, status: string, ws: string | undefined, mode = "free", stored = 0): void {
    this.close();
    this.hooks.opened();
    this.session = new RunSession(id, this.workspace.spec, status, ws, () => this.hooks.scheduleRender(), mode, stored);
  }

  private close(): void {
    this.stopStepping();
    this.session?.close();
    this.session = null;
    this.hooks.closed();
  }
}
