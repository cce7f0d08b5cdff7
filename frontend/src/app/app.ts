// Wires transport, model and views: picks a scenario, starts or attaches to
// a run, and redraws the views from the run's state once per frame.

import { RunControls } from "../controls/runControls";
import type { ScenarioSpec, ScenarioSummary } from "../model/spec";
import { makeNamer, type Namer } from "../model/names";
import { initialState, type FinishedState, type RunState } from "../model/state";
import { deadlockGraph, liveGraph } from "../model/waitfor";
import { api } from "../transport/api";
import { EventLog } from "../views/eventLog";
import { buildLayout, type Layout } from "../views/layout";
import { LibraryList } from "../views/libraryList";
import { renderResult } from "../views/resultView";
import { ScenarioView } from "../views/scenarioView";
import { renderResources, renderThreads, renderVariables } from "../views/statePanels";
import { renderStatus } from "../views/statusBadge";
import { WaitForGraphView } from "../views/waitForGraphView";
import { RunSession } from "./runSession";
import { readRoute, writeRoute } from "./route";

export class App {
  private readonly ui: Layout;
  private readonly library: LibraryList;
  private readonly scenarioView: ScenarioView;
  private readonly controls: RunControls;
  private readonly log: EventLog;
  private readonly graph: WaitForGraphView;
  private scenarios: ScenarioSummary[] = [];
  private spec: ScenarioSpec | null = null;
  private session: RunSession | null = null;
  private starting = false;
  private frame = 0;

  constructor(root: HTMLElement) {
    this.ui = buildLayout(root);
    this.library = new LibraryList(this.ui.library, (slug) => void this.select(slug));
    this.scenarioView = new ScenarioView(this.ui.scenario);
    this.controls = new RunControls(this.ui.controls, { run: () => void this.run(), cancel: () => void this.cancel() });
    this.log = new EventLog(this.ui.log.body, this.ui.log.note);
    this.graph = new WaitForGraphView(this.ui.graph.body);
    this.render();
  }

  async start(): Promise<void> {
    try {
      this.scenarios = await api.scenarios();
    } catch (e) {
      this.library.showError(`Could not load the library: ${(e as Error).message}`);
      return;
    }
    const route = readRoute();
    const slug = route.scenario ?? this.scenarios[0]?.slug ?? null;
    if (slug) await this.select(slug, route.run);
    else this.library.render(this.scenarios, null);
  }

  private async select(slug: string, runId: string | null = null): Promise<void> {
    this.closeSession();
    this.library.render(this.scenarios, slug);
    try {
      this.spec = await api.scenario(slug);
    } catch (e) {
      this.notify(`Could not load ${slug}: ${(e as Error).message}`);
      return;
    }
    this.scenarioView.render(this.spec);
    writeRoute({ scenario: slug, run: runId });
    if (runId) await this.attach(runId);
    this.render();
  }

  /** Shows an existing run, e.g. after a reload: replays it from seq 0. */
  private async attach(runId: string): Promise<void> {
    try {
      const info = await api.run(runId);
      this.openSession(info.id, info.status, undefined);
    } catch (e) {
      this.notify(`Run ${runId}: ${(e as Error).message}`);
      writeRoute({ scenario: this.spec?.slug ?? null, run: null });
    }
  }

  private async run(): Promise<void> {
    if (!this.spec || this.starting) return;
    this.starting = true;
    this.notify(null);
    this.render();
    try {
      const created = await api.createRun(this.spec.slug);
      this.openSession(created.id, created.status, created.ws);
      writeRoute({ scenario: this.spec.slug, run: String(created.id) });
    } catch (e) {
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

  private openSession(id: number | string, status: string, ws: string | undefined): void {
    this.closeSession();
    this.log.clear();
    this.graph.reset();
    this.session = new RunSession(id, this.spec, status, ws, () => this.scheduleRender());
  }

  private closeSession(): void {
    this.session?.close();
    this.session = null;
    this.log.clear();
    this.graph.reset();
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
    const state = s ? s.model.current() : initialState(this.spec);
    const live = !!s && !s.finished;

    renderStatus(this.ui.status, s ? s.status : this.starting ? "starting" : null);
    this.ui.seqNote.textContent = s ? `run ${shortId(s.id)} · ${s.model.lastSeq} events` : "";
    this.ui.seqNote.title = s ? `run ${s.id}` : "";
    this.ui.connection.textContent = s && live ? connectionLabel(s.connection) : "";
    if (s?.error && !s.finished) this.notify(s.error);
    this.ui.connection.dataset.state = s?.connection ?? "";
    this.controls.update({
      canRun: !!this.spec && !this.starting && !live,
      canCancel: live,
      traceUrl: s ? api.traceUrl(s.id) : null,
    });

    if (s) this.log.append(s.takeUnseen(), name);
    this.scenarioView.showProgress(s ? state : null);
    renderThreads(this.ui.threads, state, name);
    renderVariables(this.ui.variables, state, name);
    renderResources(this.ui.resources, state, name);
    renderResult(this.ui.result, state.finished ?? (s?.finished ? endedWithoutResult(s, state) : null), name);
    const graph = state.deadlock ? deadlockGraph(state.deadlock.graph, state.deadlock.cycle) : liveGraph(state);
    this.graph.render(graph, state.deadlock?.cycle ?? [], name);
    this.ui.graph.note.textContent = state.deadlock ? "deadlock" : "";
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
