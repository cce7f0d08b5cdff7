// Wires transport, model and views: picks a scenario, starts or attaches to
// a run in the chosen mode (free, step, explore; a witness is replayed), and
// redraws the views from the run's state once per frame — or from the state
// at the step the learner moved to in a finished controlled run.

import { FaultControls, type FaultMessage } from "../controls/faultControls";
import { PlaybackControls, SPEEDS } from "../controls/playbackControls";
import { RunControls, type PageMode } from "../controls/runControls";
import { StepControls } from "../controls/stepControls";
import { TimelineControls } from "../controls/timelineControls";
import { describe } from "../model/describe";
import type { Outcome } from "../model/events";
import type { ScenarioSpec, ScenarioSummary } from "../model/spec";
import { makeNamer, type Namer } from "../model/names";
import { outcomeViews } from "../model/outcomes";
import { initialState, type FinishedState, type RunState } from "../model/state";
import { advance, stepCursor } from "../model/history";
import { clampPosition, lastActions, seqAtPosition, stepChoices, stepMarks, undoSchedule, type StepMark } from "../model/stepping";
import { deadlockGraph, liveGraph } from "../model/waitfor";
import { api, ApiError, type Me, type RunOptions } from "../transport/api";
import { EventLog } from "../views/eventLog";
import { buildPageShell, type PageShell } from "../views/pageShell";
import { LibraryList } from "../views/libraryList";
import { OutcomesView } from "../views/outcomesView";
import { renderResult } from "../views/resultView";
import { ScenarioView } from "../views/scenarioView";
import { renderResources, renderThreads, renderVariables } from "../views/statePanels";
import { Draft, duplicateSpec, emptySpec, forServer, placeErrors } from "../model/draft";
import { networkAt } from "../model/network";
import { browserStore } from "../transport/storage";
import { ScenarioEditor } from "../views/scenarioEditor";
import { h, replaceChildren } from "../views/dom";
import { SpaceTimeView } from "../views/spacetime/spaceTimeView";
import { TopologyView, type Selection } from "../views/topologyView";
import { renderStatus } from "../views/statusBadge";
import { WaitForGraphView } from "../views/waitForGraphView";
import { RunSession } from "./runSession";
import { readRoute, writeRoute } from "./route";

// A learner thinks between steps: a step-mode run waits this long before the server stops it.
const STEP_TIMEOUT_MS = 15 * 60_000;
// Room for the explorer on a busy machine; it reports how far it got if this runs out.
const EXPLORE_TIMEOUT_MS = 60_000;
// Runs whose steps were chosen one at a time, so the page can move through them.
const CONTROLLED = new Set(["step", "replay", "random"]);

/** The exploration whose histogram stays on the page while one of its witnesses is replayed. */
interface Exploration {
  session: RunSession;
  selected: Outcome | null;
  label: string;
}

export class App {
  private readonly ui: PageShell;
  private readonly library: LibraryList;
  private readonly scenarioView: ScenarioView;
  private readonly controls: RunControls;
  private readonly log: EventLog;
  private readonly graph: WaitForGraphView;
  private readonly stepper: StepControls;
  private readonly timeline: TimelineControls;
  private readonly outcomes: OutcomesView;
  private readonly diagram: SpaceTimeView;
  private readonly playback: PlaybackControls;
  private readonly topology: TopologyView;
  private readonly faults: FaultControls;
  private topoSelection: Selection = null;
  private readonly editor: ScenarioEditor;
  private editing = false; // the scenario shown is the editor's draft
  private savedSlug: string | null = null; // the draft's saved scenario on the server, when signed in
  private me: Me | null = null;
  private routeKey: string | null = null; // what the URL names the scenario by
  private mode: PageMode = "free";
  private exploration: Exploration | null = null;
  // The moment shown: every view draws the state right after event `cursor`; null = the latest (live).
  private cursor: number | null = null;
  private playing = false;
  private speed = SPEEDS[1];
  private playClock = { last: 0, carry: 0 };
  private reveal: HTMLElement | null = null; // scrolled into view after the next render
  private scenarios: ScenarioSummary[] = [];
  private spec: ScenarioSpec | null = null;
  private session: RunSession | null = null;
  private starting = false;
  private frame = 0;

  constructor(root: HTMLElement) {
    this.ui = buildPageShell(root);
    this.library = new LibraryList(this.ui.library, (slug) => void this.select(slug));
    this.scenarioView = new ScenarioView(this.ui.scenario);
    this.controls = new RunControls(this.ui.controls, {
      run: () => void this.run(),
      cancel: () => void this.cancel(),
      mode: (m) => {
        this.mode = m;
        this.render();
      },
    });
    this.log = new EventLog(this.ui.log.body, this.ui.log.note);
    this.graph = new WaitForGraphView(this.ui.graph.body, (thread) => {
      this.diagram.selectThread(thread);
      this.ui.diagram.root.scrollIntoView({ block: "nearest", behavior: "smooth" });
    });
    this.stepper = new StepControls(this.ui.stepper.body, this.ui.stepper.note, {
      step: (thread) => this.control({ type: "step", thread }),
      random: () => this.control({ type: "step", random: true }),
      finish: () => this.control({ type: "continue" }),
      undo: () => void this.undo(),
      resume: () => void this.resume(),
    });
    this.timeline = new TimelineControls(this.ui.timeline.body, this.ui.timeline.note, { go: (p) => this.go(p) });
    this.outcomes = new OutcomesView(this.ui.explore.body, this.ui.explore.note, (o) => void this.openWitness(o));
    this.diagram = new SpaceTimeView({ cursor: (seq) => this.seek(seq) });
    this.ui.diagram.body.append(this.diagram.root);
    this.ui.diagram.note.textContent = "hover: clocks · click: causal past/future · double-click: go there";
    this.topology = new TopologyView({
      select: (sel) => {
        this.topoSelection = sel;
        this.render();
      },
    }, false);
    const faultBox = document.createElement("div");
    this.ui.topology.body.append(this.topology.root, faultBox);
    this.faults = new FaultControls(faultBox, (m) => this.fault(m));
    this.editor = new ScenarioEditor({
      changed: () => {
        this.spec = this.editor.spec;
        if (this.spec) browserStore.keepDraft(this.spec, this.savedSlug);
        this.render();
      },
      save: () => void this.saveDraft(),
      share: () => void this.shareDraft(),
      exportSpec: () => this.exportDraft(),
      importSpec: (f) => void this.importFile(f),
      close: () => {
        this.editing = false;
        this.editor.root.hidden = true;
        void this.select(this.scenarios[0]?.slug ?? "");
      },
    });
    this.ui.editorSlot.append(this.editor.root);
    this.playback = new PlaybackControls(this.ui.playback, {
      seek: (seq) => this.seek(seq),
      step: (d) => this.stepEvents(d),
      toggle: () => this.togglePlay(),
      speed: (n) => {
        this.speed = n;
        this.render();
      },
    });
    document.addEventListener("keydown", (e) => this.onKey(e));
    // A link or an edited address to another lesson or run (writeRoute itself fires no hashchange).
    window.addEventListener("hashchange", () => {
      const r = readRoute();
      if (r.scenario && (r.scenario !== (this.editing ? "edit" : this.routeKey ?? this.spec?.slug) || r.run !== (this.session ? String(this.session.id) : null))) {
        void this.select(r.scenario, r.run);
      } else if (!r.scenario && r.run && r.run !== (this.session ? String(this.session.id) : null)) {
        void this.openRun(r.run);
      }
    });
    // A step-mode run waits for its learner; one who leaves should not keep a worker busy.
    window.addEventListener("pagehide", () => this.stopStepping());
    this.render();
  }

  async start(): Promise<void> {
    try {
      this.scenarios = await api.scenarios();
    } catch (e) {
      this.library.showError(`Could not load the library: ${(e as Error).message}`);
      return;
    }
    void this.loadAccount();
    this.renderScenarioActions();
    const route = readRoute();
    if (route.scenario === "edit") return this.resumeDraft();
    const local = route.scenario?.startsWith("local:") ? browserStore.get(route.scenario.slice(6)) : null;
    if (local) return this.edit(local, null);
    if (!route.scenario && route.run) return this.openRun(route.run);
    const slug = route.scenario ?? this.scenarios[0]?.slug ?? null;
    if (slug) await this.select(slug, route.run);
    else this.library.render(this.scenarios, null);
  }

  private async select(slug: string, runId: string | null = null): Promise<void> {
    if (slug.startsWith("local:")) {
      const local = browserStore.get(slug.slice(6));
      if (local) return this.edit(local, null);
    }
    if (slug === "edit") return this.resumeDraft();
    this.closeSession();
    this.leaveEditor();
    this.exploration = null;
    this.library.render(this.scenarios, slug);
    try {
      this.spec = await api.scenario(slug);
    } catch (e) {
      this.notify(`Could not load ${slug}: ${(e as Error).message}`);
      return;
    }
    this.scenarioView.render(this.spec);
    this.routeKey = slug; // a slug, or the share id it was opened by
    this.topoSelection = null;
    this.renderScenarioActions();
    writeRoute({ scenario: slug, run: runId });
    if (runId) await this.attach(runId);
    this.render();
  }

  // --- scenarios: new, duplicate, edit, save, share, export, import ----------

  private renderScenarioActions(): void {
    const local = browserStore.list();
    replaceChildren(this.ui.scenarioActions,
      h("div", { class: "row" },
        h("button", { class: "btn small primary", "data-testid": "new-scenario", title: "Draw a scenario from an empty canvas", onclick: () => this.edit(emptySpec(), null) }, "+ New scenario"),
        h("button", { class: "btn small", "data-testid": "duplicate-scenario", title: "Copy this lesson into the editor", disabled: !this.spec || this.editing,
          onclick: () => this.spec && this.edit(duplicateSpec(this.spec), null) }, "Duplicate")),
      local.length ? h("div", { class: "local-list" },
        h("h3", null, "In this browser"),
        h("ul", null, local.map((l) => h("li", null, h("button", { class: "linklike", "data-testid": `local-${l.spec.slug}`, onclick: () => this.edit(l.spec, null) }, l.spec.title))))) : null);
  }

  private async loadAccount(): Promise<void> {
    try {
      this.me = await api.me();
    } catch {
      this.me = null; // no accounts on this server: saving stays in the browser
    }
    const me = this.me;
    const next = encodeURIComponent(location.pathname + location.hash);
    replaceChildren(this.ui.account, !me ? null : me.authenticated
      ? [h("span", { class: "muted" }, "signed in as "), h("strong", { "data-testid": "username" }, me.username ?? ""),
         h("a", { class: "btn small link", href: me.logout }, "Sign out")]
      : [h("a", { class: "btn small link", "data-testid": "sign-in", href: `${me.login}?next=${next}` }, "Sign in"),
         h("a", { class: "btn small link", href: `${me.signup}?next=${next}` }, "Sign up")]);
  }

  /** Opens a spec in the editor (a new one, a copy, an import, a saved one). */
  private edit(spec: import("../model/spec").ScenarioSpec, savedSlug: string | null): void {
    this.closeSession();
    this.exploration = null;
    this.editing = true;
    this.savedSlug = savedSlug;
    this.spec = spec;
    this.topoSelection = null;
    this.ui.scenario.hidden = true;
    this.editor.open(new Draft(structuredClone(spec)));
    this.spec = this.editor.spec;
    browserStore.keepDraft(spec, savedSlug);
    this.library.render(this.scenarios, null);
    this.renderScenarioActions();
    writeRoute({ scenario: "edit", run: null });
    this.render();
  }

  private resumeDraft(): void {
    const d = browserStore.draft();
    this.edit(d?.spec ?? emptySpec(), d?.savedSlug ?? null);
  }

  private leaveEditor(): void {
    if (!this.editing) return;
    this.editing = false;
    this.editor.root.hidden = true;
    this.ui.scenario.hidden = false;
  }

  private showSpecErrors(e: ApiError): void {
    const errors = (e.body as { errors?: { path: string; message: string }[] } | null)?.errors ?? [];
    if (this.spec) this.editor.showProblems(placeErrors(this.spec, errors));
  }

  private async saveDraft(): Promise<boolean> {
    const spec = this.spec ? forServer(this.spec) : null;
    if (!spec) return false;
    if (this.me?.authenticated) {
      try {
        const saved = this.savedSlug ? await api.replaceScenario(this.savedSlug, spec) : await api.saveScenario(spec);
        this.savedSlug = saved.slug;
        this.shareId = saved.share_id ?? null;
        this.editor.note.textContent = `Saved to your account as “${saved.slug}”.`;
        this.scenarios = await api.scenarios();
        this.library.render(this.scenarios, null);
        this.editor.showProblems([]);
        return true;
      } catch (e) {
        if (e instanceof ApiError && e.status === 400) this.showSpecErrors(e);
        this.editor.note.textContent = `Not saved: ${(e as Error).message}`;
        return false;
      }
    }
    browserStore.save(spec);
    this.renderScenarioActions();
    this.editor.note.textContent = `Saved in this browser as “${spec.slug}”${this.me ? " (sign in to keep it on the server and share it)" : ""}.`;
    return true;
  }

  private shareId: string | null = null;

  private async shareDraft(): Promise<void> {
    if (!this.me?.authenticated) {
      this.editor.note.textContent = "Sharing needs the scenario saved on the server: sign in first, then Share link.";
      return;
    }
    if (!(await this.saveDraft()) || !this.shareId) return;
    const url = `${location.origin}${location.pathname}#/${encodeURIComponent(this.shareId)}`;
    try {
      await navigator.clipboard.writeText(url);
    } catch {
      // no clipboard (insecure context): the link is shown instead
    }
    replaceChildren(this.editor.note, "Anyone with this link can open it: ", h("a", { href: url, "data-testid": "share-link" }, url));
  }

  private exportDraft(): void {
    if (!this.spec) return;
    const spec = forServer(this.spec);
    const url = URL.createObjectURL(new Blob([JSON.stringify(spec, null, 2) + "\n"], { type: "application/json" }));
    const a = h("a", { href: url, download: `${spec.slug}.json` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  private async importFile(file: File): Promise<void> {
    try {
      const spec = JSON.parse(await file.text());
      if (!spec || typeof spec !== "object" || !Array.isArray(spec.nodes)) throw new Error("not a playground.scenario/1 spec (no nodes)");
      this.edit(spec, null);
      this.editor.note.textContent = `Imported ${file.name}.`;
    } catch (e) {
      this.editor.note.textContent = `Could not import ${file.name}: ${(e as Error).message}`;
    }
  }

  /** A run without a library scenario (an uploaded trace): shown on its own. */
  private async openRun(runId: string): Promise<void> {
    this.closeSession();
    this.exploration = null;
    this.spec = null;
    this.library.render(this.scenarios, null);
    this.scenarioView.renderRunOnly(runId);
    await this.attach(runId);
    writeRoute({ scenario: null, run: runId });
    this.render();
  }

  /** Shows an existing run, e.g. after a reload: replays it from seq 0. */
  private async attach(runId: string): Promise<void> {
    try {
      const info = await api.run(runId);
      const mode = info.mode ?? "free";
      if (mode === "free" || mode === "step" || mode === "explore") this.mode = mode;
      this.openSession(info.id, info.status, undefined, mode, info.events ?? 0);
    } catch (e) {
      this.notify(`Run ${runId}: ${(e as Error).message}`);
      writeRoute({ scenario: this.spec?.slug ?? null, run: null });
    }
  }

  private async run(): Promise<void> {
    if (this.mode === "step") await this.startRun("step", { mode: "step", timeout_ms: STEP_TIMEOUT_MS });
    else if (this.mode === "explore") await this.startRun("explore", { mode: "explore", timeout_ms: EXPLORE_TIMEOUT_MS });
    else await this.startRun("free", {});
  }

  /** Goes back one step: a new step-mode run replays every step but the last, then waits again. */
  private async undo(): Promise<void> {
    const s = this.session;
    if (!s || s.mode !== "step") return;
    const schedule = undoSchedule(s.model.current().schedule);
    await this.startRun("step", { mode: "step", schedule, timeout_ms: STEP_TIMEOUT_MS });
  }

  /** Picks up a step run that was cancelled or timed out: replays all its steps, then waits again. */
  private async resume(): Promise<void> {
    const s = this.session;
    if (!s || s.mode !== "step") return;
    const schedule = [...s.model.current().schedule];
    await this.startRun("step", { mode: "step", schedule, timeout_ms: STEP_TIMEOUT_MS });
  }

  /** Replays the witness schedule of an outcome; the histogram stays. */
  private async openWitness(outcome: Outcome): Promise<void> {
    const s = this.session;
    const explored = s?.mode === "explore" ? s : this.exploration?.session;
    if (!explored) return;
    const view = outcomeViews([outcome], this.namer())[0];
    const label = view?.problem === "deadlock" ? `a deadlock (${view.label})`
      : view?.problem === "violated" ? `a broken invariant (${view.label})`
      : view?.problem === "failed" ? `a failure (${view.label})`
      : view?.label ?? outcome.status;
    this.exploration = { session: explored, selected: outcome, label };
    await this.startRun("replay", { mode: "replay", schedule: outcome.schedule }, true);
  }

  private async startRun(mode: string, options: RunOptions, keepExploration = false): Promise<void> {
    if (!this.spec || this.starting) return;
    this.starting = true;
    this.notify(null);
    this.render();
    try {
      // By name when the server lists it for us; otherwise (a draft, a scenario opened by its share link) the spec itself.
      const byName = !this.editing && this.scenarios.some((x) => x.slug === this.spec!.slug);
      const created = await api.createRun(byName ? this.spec.slug : forServer(this.spec), options);
      if (this.editing) this.editor.showProblems([]);
      if (!keepExploration) this.exploration = null;
      this.openSession(created.id, created.status, created.ws, mode);
      this.reveal = mode === "step" ? this.ui.stepper.root : mode === "explore" ? this.ui.explore.root : mode === "replay" ? this.ui.timeline.root : null;
      writeRoute({ scenario: this.editing ? "edit" : this.routeKey ?? this.spec.slug, run: String(created.id) });
    } catch (e) {
      if (this.editing && e instanceof ApiError && e.status === 400) this.showSpecErrors(e);
      this.notify(`Could not start the run: ${(e as Error).message}`);
    } finally {
      this.starting = false;
      this.render();
    }
  }

  private async cancel(): Promise<void> {
    try {
      await this.session?.cancel();
    } catch (e) {
      this.notify(`Could not cancel: ${(e as Error).message}`);
    }
  }

  private fault(message: FaultMessage): void {
    const s = this.session;
    if (!s || s.finished) return this.notify("Faults can be injected only while a run is going.");
    this.control(message);
  }

  private control(message: { type: string; [k: string]: unknown }): void {
    if (!this.session?.send(message)) this.notify("Not connected to the run yet: try again in a moment.");
    this.render();
  }

  /** Moves to step `position` of a finished controlled run (0 = before the first step, the number of steps = the end). */
  private go(position: number): void {
    const s = this.session;
    if (!s) return;
    const marks = stepMarks(s.model.events);
    const p = clampPosition(marks, position);
    this.seek(p >= marks.length ? null : seqAtPosition(marks, p, s.model.lastSeq));
  }

  /** Shows the run right after event `seq` (0 = before the first event); null follows the latest event. */
  private seek(seq: number | null): void {
    const s = this.session;
    if (!s) return;
    this.cursor = seq === null || seq >= s.model.lastSeq && s.finished ? null : Math.max(0, Math.min(seq, s.model.lastSeq));
    if (seq === null) this.playing = false;
    this.render();
  }

  private stepEvents(delta: number): void {
    const s = this.session;
    if (!s) return;
    this.playing = false;
    const next = stepCursor(this.cursor, delta, s.model.lastSeq);
    this.seek(next >= s.model.lastSeq && delta > 0 ? null : next);
  }

  private togglePlay(): void {
    const s = this.session;
    if (!s || !s.model.lastSeq) return;
    this.playing = !this.playing;
    if (this.playing) {
      if (this.cursor === null) this.cursor = 0; // from the end, play from the beginning
      this.playClock = { last: performance.now(), carry: 0 };
      requestAnimationFrame((t) => this.tick(t));
    }
    this.render();
  }

  private tick(now: number): void {
    const s = this.session;
    if (!this.playing || !s || this.cursor === null) return;
    const { cursor, carry } = advance(this.cursor, now - this.playClock.last, this.speed, s.model.lastSeq, this.playClock.carry);
    this.playClock = { last: now, carry };
    if (cursor !== this.cursor) {
      this.cursor = cursor;
      if (cursor >= s.model.lastSeq) {
        // Played up to the latest event: a live run is followed from here, a finished one stops at its end.
        this.cursor = null;
        this.playing = false;
      }
      this.render();
    }
    if (this.playing) requestAnimationFrame((t) => this.tick(t));
  }

  /**
   * Space plays and pauses; ←/→ move one step of a finished controlled run
   * when its step-by-step panel is shown, one event otherwise; Shift+←/→
   * always one event; Home and End go to the beginning and the latest event.
   */
  private onKey(e: KeyboardEvent): void {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const target = e.target as HTMLElement | null;
    if (target?.closest("input, textarea, select, button, [contenteditable], .cm-editor")) {
      if (e.key !== "ArrowLeft" && e.key !== "ArrowRight" || !target.closest("button")) return;
    }
    const s = this.session;
    if (!s || !s.model.lastSeq) return;
    const arrows = e.key === "ArrowLeft" ? -1 : e.key === "ArrowRight" ? 1 : 0;
    if (arrows && !this.ui.timeline.root.hidden && !e.shiftKey) {
      const marks = stepMarks(s.model.events);
      const position = this.cursor === null ? marks.length : marks.filter((m) => m.seq <= this.cursor!).length;
      this.go(position + arrows);
    } else if (arrows) this.stepEvents(arrows);
    else if (e.key === " " && !e.shiftKey) this.togglePlay();
    else if (e.key === "Home") this.seek(0);
    else if (e.key === "End") this.seek(null);
    else return;
    e.preventDefault();
  }

  /** Cancels a live step-mode run: nobody else will ever step it. */
  private stopStepping(): void {
    const s = this.session;
    if (s && s.mode === "step" && !s.finished) s.send({ type: "cancel" });
  }

  private openSession(id: number | string, status: string, ws: string | undefined, mode = "free", stored = 0): void {
    this.closeSession();
    this.log.clear();
    this.graph.reset();
    this.cursor = null;
    this.playing = false;
    this.timeline.reset();
    this.diagram.reset();
    this.session = new RunSession(id, this.spec, status, ws, () => this.scheduleRender(), mode, stored);
  }

  private closeSession(): void {
    this.stopStepping();
    this.session?.close();
    this.session = null;
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

  private namer(): Namer {
    return makeNamer(this.spec?.nodes.map((n) => n.id) ?? []);
  }

  private render(): void {
    const s = this.session;
    const name = this.namer();
    const live = !!s && !s.finished;
    // A finished controlled run can be moved through step by step.
    const marks: StepMark[] = s && s.finished && CONTROLLED.has(s.mode) ? stepMarks(s.model.events) : [];
    const viewSeq = s && this.cursor !== null && this.cursor < s.model.lastSeq ? this.cursor : null;
    const position = marks.length ? (viewSeq === null ? marks.length : marks.filter((m) => m.seq <= viewSeq).length) : null;
    const state = s ? (viewSeq !== null ? s.model.stateAt(viewSeq) : s.model.current()) : initialState(this.spec);

    renderStatus(this.ui.status, s ? s.status : this.starting ? "starting" : null);
    this.ui.seqNote.textContent = s ? `run ${shortId(s.id)} · ${s.model.lastSeq} events` : "";
    this.ui.seqNote.title = s ? `run ${s.id}` : "";
    this.ui.connection.textContent = s && live ? connectionLabel(s.connection) : "";
    if (s?.error && !s.finished) this.notify(s.error);
    this.ui.connection.dataset.state = s?.connection ?? "";
    this.controls.update({
      mode: this.mode,
      canSwitch: !this.starting,
      restart: live && s?.mode === "step" && this.mode === "step",
      // Starting anew while stepping cancels the step run; other runs end on their own.
      canRun: !!this.spec && !this.starting && (!live || s?.mode === "step"),
      canCancel: live,
      traceUrl: s ? api.traceUrl(s.id) : null,
    });

    if (s) this.log.append(s.takeUnseen(), name);
    this.log.setCursor(viewSeq);
    this.renderModePanels(s, state, marks, position, name);
    this.scenarioView.showProgress(s ? state : null);
    renderThreads(this.ui.threads, state, name);
    renderVariables(this.ui.variables, state, name, s ? (key) => s.history.before(key, state.seq) : undefined);
    renderResources(this.ui.resources, state, name);
    // An exploration's run.finished carries no variables of its own: its outcomes say it all.
    const quietResult = s?.mode === "explore" && state.finished?.status === "completed";
    // Moved back to an earlier step, the run has not ended yet.
    const ended = state.finished ?? (s?.finished && viewSeq === null ? endedWithoutResult(s, state) : null);
    renderResult(this.ui.result, quietResult ? null : ended, name);
    const graph = state.deadlock ? deadlockGraph(state.deadlock.graph, state.deadlock.cycle) : liveGraph(state);
    this.graph.render(graph, state.deadlock?.cycle ?? [], name);
    this.playback.render({
      last: s?.model.lastSeq ?? 0, cursor: viewSeq, playing: this.playing, speed: this.speed, live,
      t: s && s.model.lastSeq ? (viewSeq !== null ? (s.model.event(viewSeq)?.t ?? 0) : s.model.event(s.model.lastSeq)?.t ?? null) : null,
    });
    if (s) this.diagram.update(s.grid, s.model.events, viewSeq, name);
    this.renderTopology(s, viewSeq, live);
    this.ui.graph.note.textContent = state.deadlock ? "deadlock" : "";
    if (this.reveal && !this.reveal.hidden) {
      this.reveal.scrollIntoView({ block: "start", behavior: "smooth" });
      this.reveal = null;
    }
  }

  private renderTopology(s: RunSession | null, viewSeq: number | null, live: boolean): void {
    const spec = this.spec;
    // While editing, the editor draws the topology; this panel is for the run's faults.
    const distributed = !!spec && (spec.nodes.length > 1 || (spec.links?.length ?? 0) > 0) && (!this.editing || !!s);
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
        spec: this.spec, state, choices: stepChoices(state, name), live: !s.finished,
        awaiting: s.awaitingStep && position === null, status: s.status, name,
        lastActions: new Map([...lastActions(s.model.events, state.seq)].map(([t, e]) => [t, describe(e, name)])),
      });
    }

    const explored = s?.mode === "explore" ? { session: s, selected: null, label: "" } : this.exploration;
    ui.explore.root.hidden = !explored;
    if (explored) {
      const es = explored.session;
      this.outcomes.render(es.model.current().explore, !es.finished, es.status, explored.selected?.key ?? null, name);
    }

    ui.timeline.root.hidden = position === null;
    if (s && position !== null) {
      const title = s.mode === "replay" && this.exploration?.selected
        ? `A schedule that ends with ${this.exploration.label}`
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
