// One run being watched: its trace model, its socket and its status.
// No DOM here; the app listens through onChange.

import { TERMINAL_STATUSES, type TraceEvent } from "../model/events";
import type { ScenarioSpec } from "../model/spec";
import { TraceModel } from "../model/trace";
import { api } from "../transport/api";
import { RunSocket } from "../transport/runSocket";

export type Connection = "connecting" | "open" | "reconnecting" | "closed";

export class RunSession {
  readonly model: TraceModel;
  status: string;
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
  ) {
    this.model = new TraceModel(spec);
    this.status = status;
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

  async cancel(): Promise<void> {
    await api.cancel(this.id);
  }

  close(): void {
    this.socket.stop();
  }

  private receive(events: TraceEvent[]): void {
    const added = this.model.append(events);
    this.unseen.push(...added);
    const fin = this.model.current().finished;
    if (fin) this.status = fin.status;
    else if (!this.finished && added.length) this.status = "running";
    this.onChange();
  }
}
