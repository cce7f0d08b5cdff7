// The page put together: the scenario workspace (library, scenario, editor),
// the run launcher (the run watched), the playback controller (the moment
// shown) and the router (the URL hash), and every view drawn from the state
// at that moment once per frame. The pieces talk through the hooks wired here.

import { FaultControls } from "../controls/faultControls";
import { PlaybackControls } from "../controls/playbackControls";
import { RunControls } from "../controls/runControls";
import { StepControls } from "../controls/stepControls";
import { TimelineControls } from "../controls/timelineControls";
import { describe } from "../model/describe";
import type { Namer } from "../model/names";
import { networkAt } from "../model/network";
import { initialState, type FinishedState, type RunState } from "../model/state";
import { lastActions, stepChoices, stepMarks, type StepMark } from "../model/stepping";
import { deadlockGraph, liveGraph } from "../model/waitfor";
import { api } from "../transport/api";
import { EventLog } from "../views/eventLog";
import { OutcomesView } from "../views/outcomesView";
import { buildPageShell, type PageShell } from "../views/pageShell";
import { renderResult } from "../views/resultView";
import { SpaceTimeView } from "../views/spacetime/spaceTimeView";
import { renderResources, renderThreads, renderVariables } from "../views/statePanels";
import { renderStatus } from "../views/statusBadge";
import { TopologyView, type Selection } from "../views/topologyView";
import { WaitForGraphView } from "../views/waitForGraphView";
import { PlaybackController } from "./playbackController";
import { Router } from "./router";
import { RunLauncher } from "./runLauncher";
import type { RunSession } from "./runSession";
import { ScenarioWorkspace } from "./scenarioWorkspace";
import { TraceFiles } from "./traceFiles";
import { exportFormats } from "../transport/exportFormats";
import { freeRunOptions, RunOptionsBar } from "../controls/runOptions";
import { LessonCoach } from "./lessonCoach";

// Runs whose steps were chosen one at a time, so the page can move through them.
const CONTROLLED = new Set(["step", "replay", "random"]);

export class App {
  private readonly ui: PageShell;
  private readonly workspace: ScenarioWorkspace;
  private readonly launcher: RunLauncher;
  private readonly playback: PlaybackController;
  private readonly router: Router;
  private readonly controls: RunControls;
  private readonly playbackBar: PlaybackControls;
  private readonly log: EventLog;
  private readonly graph: WaitForGraphView;
  private readonly stepper: StepControls;
  private readonly timeline: TimelineControls;
  private readonly outcomes: OutcomesView;
  private readonly diagram: SpaceTimeView;
  private readonly topology: TopologyView;
  private readonly faults: FaultControls;
  private readonly files: TraceFiles;
  private readonly coach: LessonCoach;
  private readonly runOptions = new RunOptionsBar({ watchAgain: () => this.playback.watchAgain() });
  private topoSelection: Selection = null;
  private reveal: HTMLElement | null = null; // scrolled into view after the next render
  private frame = 0;

  constructor(root: HTMLElement) {
    const ui = (this.ui = buildPageShell(root));
    this.workspace = new ScenarioWorkspace(ui, {
      leave: () => {
        this.launcher.leave();
        this.topoSelection = null;
      },
      attach: (runId) => this.launcher.attach(runId),
      changed: () => this.render(),
      notify: (m) => this.notify(m),
      uploadTrace: (f) => void this.files.upload(f),
      lessonShown: (slug, fix) => this.coach.show(slug, fix),
      account: (signedIn) => void this.coach.progress.sync(signedIn),
    });
    this.launcher = new RunLauncher(this.workspace, {
      opened: () => {
        this.clearRunViews();
        this.playback.clock.reset();
        this.timeline.reset();
      },
      closed: () => this.clearRunViews(),
      started: (mode) => {
        this.reveal = mode === "step" ? ui.stepper.root : mode === "explore" ? ui.explore.root : mode === "replay" ? ui.timeline.root : null;
      },
      changed: () => this.render(),
      scheduleRender: () => this.scheduleRender(),
      notify: (m) => this.notify(m),
      freeOptions: () => freeRunOptions(this.runOptions.choice(), this.workspace.spec),
    });
    this.coach = new LessonCoach(ui.challenges, this.workspace, this.launcher, {
      changed: () => this.render(),
      progressChanged: () => this.workspace.renderLibrary(),
    });
    this.playback = new PlaybackController({
      session: () => this.launcher.session,
      stepsShown: () => !ui.timeline.root.hidden,
      changed: () => this.render(),
    });
    this.router = new Router({
      shown: () => ({ scenario: this.workspace.routeName, run: this.launcher.session ? String(this.launcher.session.id) : null }),
      firstLesson: () => this.coach.course?.chapters[0]?.lessons[0]?.slug ?? this.workspace.scenarios[0]?.slug ?? null,
      select: (scenario, run) => this.workspace.select(scenario, run),
      openRun: (run) => this.files.open(run),
      showLibrary: () => this.workspace.showLibrary(),
    });

    const launcher = this.launcher;
    this.controls = new RunControls(ui.controls, {
      run: () => void launcher.run(),
      cancel: () => void launcher.cancel(),
      mode: (m) => {
        launcher.mode = m;
        this.render();
      },
      traceUrl: (id, format) => api.traceUrl(id, format),
      picture: (which, type) => void this.files.savePicture(which, type),
    });
    ui.controls.append(this.runOptions.root);
    void exportFormats().then(({ formats, fromServer }) => this.controls.downloads.setFormats(formats, fromServer));
    this.log = new EventLog(ui.log.body, ui.log.note);
    this.graph = new WaitForGraphView(ui.graph.body, (thread) => {
      this.diagram.selectThread(thread);
      ui.diagram.root.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }, (type) => void this.files.savePicture("graph", type));
    this.stepper = new StepControls(ui.stepper.body, ui.stepper.note, {
      step: (thread) => launcher.control({ type: "step", thread }),
      random: () => launcher.control({ type: "step", random: true }),
      finish: () => launcher.control({ type: "continue" }),
      undo: () => void launcher.undo(),
      resume: () => void launcher.resume(),
    });
    this.timeline = new TimelineControls(ui.timeline.body, ui.timeline.note, { go: (p) => this.playback.go(p) });
    this.outcomes = new OutcomesView(ui.explore.body, ui.explore.note, (o) => void launcher.openWitness(o));
    this.diagram = new SpaceTimeView({ cursor: (seq) => this.playback.seek(seq), save: (type) => void this.files.savePicture("diagram", type) });
    this.files = new TraceFiles(this.workspace, this.diagram, this.graph, {
      session: () => this.launcher.session,
      runAgain: () => void launcher.run(),
      notify: (m) => this.notify(m),
    });
    ui.controls.append(this.files.button);
    ui.diagram.body.append(this.diagram.root);
    ui.diagram.note.textContent = "hover: clocks · click: causal past/future · double-click: go there";
    this.topology = new TopologyView({
      select: (sel) => {
        this.topoSelection = sel;
        this.render();
      },
    }, false);
    const faultBox = document.createElement("div");
    ui.topology.body.append(this.topology.root, faultBox);
    this.faults = new FaultControls(faultBox, (m) => launcher.fault(m));
    this.playbackBar = new PlaybackControls(ui.playback, this.playback);
    this.render();
  }

  async start(): Promise<void> {
    if (await this.coach.load()) this.workspace.useCourse({ course: this.coach.course!, progress: () => this.coach.progress.progress });
    if (await this.workspace.load()) await this.router.start();
  }

  private clearRunViews(): void {
    this.log.clear();
    this.graph.reset();
    this.diagram.reset();
  }

  private notify(message: string | null): void {
    this.ui.notice.hidden = !message;
    this.ui.notice.textContent = message ?? "";
  }

  private scheduleRender(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const ui = this.ui;
    const s = this.launcher.session;
    const spec = this.workspace.spec;
    const clock = this.playback.clock;
    const name = this.workspace.namer(s?.model.events);
    const live = !!s && !s.finished;
    const starting = this.launcher.starting;
    // A finished controlled run can be moved through step by step.
    const marks: StepMark[] = s && s.finished && CONTROLLED.has(s.mode) ? stepMarks(s.model.events) : [];
    const viewSeq = s ? clock.shown(s.model.lastSeq) : null;
    const position = marks.length ? (viewSeq === null ? marks.length : marks.filter((m) => m.seq <= viewSeq).length) : null;
    const state = s ? (viewSeq !== null ? s.model.stateAt(viewSeq) : s.model.current()) : initialState(spec);

    renderStatus(ui.status, s ? s.status : starting ? "starting" : null);
    ui.seqNote.textContent = s ? `run ${shortId(s.id)} · ${s.model.lastSeq} events` : "";
    ui.seqNote.title = s ? `run ${s.id}` : "";
    ui.connection.textContent = s && live ? connectionLabel(s.connection) : "";
    if (s?.error && !s.finished) this.notify(s.error);
    ui.connection.dataset.state = s?.connection ?? "";
    this.controls.update({
      mode: this.launcher.mode,
      canSwitch: !starting,
      restart: live && s?.mode === "step" && this.launcher.mode === "step",
      // Starting anew while stepping cancels the step run; other runs end on their own.
      canRun: !!spec && !starting && (!live || s?.mode === "step"),
      canCancel: live,
      runId: s ? s.id : null,
    });
    this.runOptions.update({ free: this.launcher.mode === "free", canWatchAgain: !!s && s.finished && s.mode !== "explore" && s.model.lastSeq > 0 });
    this.coach.observe(s);
    this.coach.render();

    if (s) this.log.append(s.takeUnseen(), name);
    this.log.setCursor(viewSeq);
    this.renderModePanels(s, state, marks, position, name);
    this.workspace.showProgress(s ? state : null, this.coach.checked);
    renderThreads(ui.threads, state, name);
    renderVariables(ui.variables, state, name, s ? (key) => s.history.before(key, state.seq) : undefined);
    renderResources(ui.resources, state, name);
    // An exploration's run.finished carries no variables of its own: its outcomes say it all.
    const quietResult = s?.mode === "explore" && state.finished?.status === "completed";
    // Moved back to an earlier step, the run has not ended yet.
    const ended = state.finished ?? (s?.finished && viewSeq === null ? endedWithoutResult(s, state) : null);
    renderResult(ui.result, quietResult ? null : ended, name, s?.mode === "free" ? (seed) => this.runOptions.setSeed(seed) : undefined);
    const graph = state.deadlock ? deadlockGraph(state.deadlock.graph, state.deadlock.cycle) : liveGraph(state);
    this.graph.render(graph, state.deadlock?.cycle ?? [], name, state.deadlock?.kind);
    this.playbackBar.render({
      last: s?.model.lastSeq ?? 0, cursor: viewSeq, playing: clock.playing, speed: clock.speed, live,
      t: s && s.model.lastSeq ? (viewSeq !== null ? (s.model.event(viewSeq)?.t ?? 0) : s.model.event(s.model.lastSeq)?.t ?? null) : null,
    });
    if (s) this.diagram.update(s.grid, s.model.events, viewSeq, name);
    this.renderTopology(s, viewSeq, live);
    ui.graph.note.textContent = state.deadlock ? (state.deadlock.kind === "cycle" ? "deadlock" : "stuck") : "";
    if (this.reveal && !this.reveal.hidden) {
      this.reveal.scrollIntoView({ block: "start", behavior: "smooth" });
      this.reveal = null;
    }
  }

  private renderTopology(s: RunSession | null, viewSeq: number | null, live: boolean): void {
    const spec = this.workspace.spec;
    // While editing, the editor draws the topology; this panel is for the run's faults.
    const distributed = !!spec && (spec.nodes.length > 1 || (spec.links?.length ?? 0) > 0) && (!this.workspace.editing || !!s);
    this.ui.topology.root.hidden = !distributed;
    if (!distributed) return;
    const net = networkAt(s?.model.events ?? [], viewSeq);
    const sel = this.topoSelection;
    this.topology.render(spec, net, sel);
    const link = sel?.kind === "link" ? (spec!.links ?? []).find((l) => (l.a === sel.a && l.b === sel.b) || (l.a === sel.b && l.b === sel.a)) ?? null : null;
    this.faults.render({ selection: sel, live: live && viewSeq === null && s?.connection === "open", net, link });
    this.ui.topology.note.textContent = net.crashed.size ? `${net.crashed.size} down` : "";
  }

  private renderModePanels(s: RunSession | null, state: RunState, marks: StepMark[], position: number | null, name: Namer): void {
    const ui = this.ui;
    const stepping = s?.mode === "step";
    ui.stepper.root.hidden = !stepping;
    if (s && stepping) {
      this.stepper.render({
        spec: this.workspace.spec, state, choices: stepChoices(state, name), live: !s.finished,
        awaiting: s.awaitingStep && position === null, status: s.status, name,
        lastActions: new Map([...lastActions(s.model.events, state.seq)].map(([t, e]) => [t, describe(e, name)])),
      });
    }

    const exploration = this.launcher.exploration;
    const explored = s?.mode === "explore" ? { session: s, selected: null, label: "" } : exploration;
    ui.explore.root.hidden = !explored;
    if (explored) {
      const es = explored.session;
      this.outcomes.render(es.model.current().explore, !es.finished, es.status, explored.selected?.key ?? null, name);
    }

    ui.timeline.root.hidden = position === null;
    if (s && position !== null) {
      const title = s.mode === "replay" && this.launcher.replayTitle ? this.launcher.replayTitle
        : s.mode === "replay" && exploration?.selected
        ? `A schedule that ends with ${exploration.label}`
        : s.mode === "step" ? "Your run, step by step" : `Run ${shortId(s.id)}, step by step`;
      this.timeline.render(marks, position, title, name);
    }
  }
}

/** A run that ended without a run.finished event (say, its worker died): show what is known. */
function endedWithoutResult(s: RunSession, state: RunState): FinishedState {
  const shared: Record<string, Record<string, unknown>> = {};
  for (const v of state.variables.values()) (shared[v.node] ??= {})[v.name] = v.value;
  return {
    seq: state.seq,
    status: s.status as FinishedState["status"],
    shared,
    outputs: Object.fromEntries(state.outputs),
    error: s.error,
  };
}

function shortId(id: number | string): string {
  const s = String(id);
  return s.length > 8 ? s.slice(0, 8) : `#${s}`;
}

function connectionLabel(c: string): string {
  return c === "open" ? "● live" : c === "reconnecting" ? "○ reconnecting…" : c === "connecting" ? "○ connecting…" : "";
}
