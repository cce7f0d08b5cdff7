// One run being watched: its trace model, its socket and its status.
// No DOM here; the app listens through onChange.

import { TERMINAL_STATUSES, type TraceEvent } from "../model/events";
import type { ScenarioSpec } from "../model/spec";
import { VariableHistory } from "../model/history";
import { SpaceTimeGrid } from "../model/spacetime";
import { TraceModel } from "../model/trace";
import { api } from "../transport/api";
import { SeqCursor } from "../transport/cursor";
import { RunSocket } from "../transport/runSocket";

// Events per page when a finished run is loaded over HTTP (the API's maximum).
const PAGE = 10_000;

export type Connection = "connecting" | "open" | "reconnecting" | "closed";

export class RunSession {
  readonly model: TraceModel;
  readonly grid: SpaceTimeGrid; // the space-time diagram's lanes, rows and arrows, kept up with the model
  readonly history: VariableHistory;
  status: string;
  mode: string; // free, step, replay, random, explore: as asked, then as run.started says
  /** step mode: the step.ready a step was already sent for, so one click is one step. */
  answeredReady: number | null = null;
  connection: Connection = "connecting";
  error: string | null = null; // from the server, for a run that ended without run.finished
  private socket: RunSocket;
  private readonly preloadCursor = new SeqCursor();
  private closed = false;
  private quiet = false; // loading pages: no redraw per page
  private unseen: TraceEvent[] = [];

  /** `stored`: how many events the server already has (GET /api/runs/<id> "events"), when known. */
  constructor(
    readonly id: number | string,
    spec: ScenarioSpec | null,
    status: string,
    wsPath: string | undefined,
    private readonly onChange: () => void,
    mode = "free",
    stored = 0,
  ) {
    this.model = new TraceModel(spec);
    this.grid = new SpaceTimeGrid(spec);
    this.history = new VariableHistory();
    this.status = status;
    this.mode = mode;
    this.socket = this.makeSocket(wsPath, 0);
    if (stored > PAGE && TERMINAL_STATUSES.has(status)) void this.preload(stored, wsPath);
    else this.socket.start();
  }

  private makeSocket(wsPath: string | undefined, after: number): RunSocket {
    return new RunSocket(this.id, {
      onEvents: (events) => this.receive(events),
      onStatus: (s, error) => {
        // run.finished is the authority on how a run ended; a late status message must not undo it
        if (!this.model.current().finished) this.status = s;
        if (error) this.error = error;
        this.onChange();
      },
      onError: (message) => {
        this.error = message;
        this.onChange();
      },
      onConnection: (c) => {
        this.connection = c;
        this.onChange();
      },
    }, { path: wsPath, after });
  }

  /**
   * A finished run with many events: its stored events come faster as pages
   * fetched side by side over HTTP than streamed; the socket then only
   * confirms that nothing follows (it resumes after the last seq loaded).
   */
  private async preload(stored: number, wsPath: string | undefined): Promise<void> {
    // The first page alone (it is drawn at once), then the others side by side.
    const pages: Promise<{ events: unknown[] }>[] = [api.events(this.id, 0, PAGE)];
    const rest = (async () => {
      await pages[0].catch(() => null);
      const more: Promise<{ events: unknown[] }>[] = [];
      for (let after = PAGE; after < stored; after += PAGE) more.push(api.events(this.id, after, PAGE));
      for (const p of more) p.catch(() => null); // a page that fails after a gap is never awaited
      return more;
    })();
    pages[0].catch(() => null); // its failure is handled below
    let loaded = 0;
    try {
      // Applied in order as pages arrive, drawn once at the end: one render instead of one per page.
      this.quiet = true;
      pages.push(...(await rest));
      for (const page of pages) {
        const { fresh, gap } = this.preloadCursor.accept((await page).events);
        if (fresh.length) this.receive(fresh);
        if (!loaded && fresh.length) this.onChange(); // the first page is drawn at once; the rest when all is in
        loaded = this.preloadCursor.last;
        if (gap) break;
      }
    } catch {
      // the socket fills in whatever did not arrive
    } finally {
      this.quiet = false;
      this.onChange();
    }
    if (this.closed) return;
    this.socket = this.makeSocket(wsPath, loaded);
    this.socket.start();
  }

  get finished(): boolean {
    return TERMINAL_STATUSES.has(this.status);
  }

  /** Events appended since the last call, for views that draw incrementally. */
  takeUnseen(): TraceEvent[] {
    const out = this.unseen;
    this.unseen = [];
    return out;
  }

  /** Sends a control message (step, continue, cancel) over the run's socket; false if not connected. */
  send(control: { type: string; [k: string]: unknown }): boolean {
    const sent = this.socket.send(control);
    if (sent && control.type === "step") this.answeredReady = this.model.current().ready?.seq ?? null;
    return sent;
  }

  /** Step mode: the run waits for the learner and no step has been sent since it asked. */
  get awaitingStep(): boolean {
    const ready = this.model.current().ready;
    return !this.finished && !!ready && ready.seq !== this.answeredReady;
  }

  async cancel(): Promise<void> {
    await api.cancel(this.id);
  }

  close(): void {
    this.closed = true;
    this.socket.stop();
  }

  private receive(events: TraceEvent[]): void {
    const added = this.model.append(events);
    this.grid.append(added);
    this.history.append(added);
    this.unseen.push(...added);
    const started = added.find((e) => e.kind === "run.started");
    if (started?.mode) this.mode = started.mode;
    // A refused step is not re-announced: the same step.ready stands, so the learner may choose again.
    if (added.some((e) => e.kind === "step.refused")) this.answeredReady = null;
    const fin = this.model.current().finished;
    if (fin) this.status = fin.status;
    else if (!this.finished && added.length) this.status = "running";
    if (!this.quiet) this.onChange();
  }
}
