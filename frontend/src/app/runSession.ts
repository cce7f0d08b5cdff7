// One run being watched: its trace model, its socket and its status.
// No DOM here; the app listens through onChange.

import { TERMINAL_STATUSES, type TraceEvent } from "../model/events";
import type { ScenarioSpec } from "../model/spec";
import { VariableHistory } from "../model/history";
import { SpaceTimeLayout } from "../model/spacetime";
import { TraceModel } from "../model/trace";
import { api } from "../transport/api";
import { RunSocket } from "../transport/runSocket";

export type Connection = "connecting" | "open" | "reconnecting" | "closed";

export class RunSession {
  readonly model: TraceModel;
  readonly layout: SpaceTimeLayout; // the space-time diagram's layout, kept up with the model
  readonly history: VariableHistory;
  status: string;
  mode: string; // free, step, replay, random, explore: as asked, then as run.started says
  /** step mode: the step.ready a step was already sent for, so one click is one step. */
  answeredReady: number | null = null;
  connection: Connection = "connecting";
  error: string | null = null; // from the server, for a run that ended without run.finished
  private readonly socket: RunSocket;
  private unseen: TraceEvent[] = [];

  constructor(
    readonly id: number | string,
    spec: ScenarioSpec | null,
    status: string,
    wsPath: string | undefined,
    private readonly onChange: () => void,
    mode = "free",
  ) {
    this.model = new TraceModel(spec);
    this.layout = new SpaceTimeLayout(spec);
    this.history = new VariableHistory();
    this.status = status;
    this.mode = mode;
    this.socket = new RunSocket(id, {
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
    }, { path: wsPath });
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
    this.socket.stop();
  }

  private receive(events: TraceEvent[]): void {
    const added = this.model.append(events);
    this.layout.append(added);
    this.history.append(added);
    this.unseen.push(...added);
    const started = added.find((e) => e.kind === "run.started");
    if (started?.mode) this.mode = started.mode;
    // A refused step is not re-announced: the same step.ready stands, so the learner may choose again.
    if (added.some((e) => e.kind === "step.refused")) this.answeredReady = null;
    const fin = this.model.current().finished;
    if (fin) this.status = fin.status;
    else if (!this.finished && added.length) this.status = "running";
    this.onChange();
  }
}
