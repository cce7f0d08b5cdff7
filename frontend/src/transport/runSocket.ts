// A run's event stream over /ws/runs/<id>/?after=N that survives drops:
// it resumes after the last seq applied, ignores repeats, reconnects on a
// gap or a closed connection with backoff and jitter, and stops once the
// run has finished and everything up to run.finished has arrived.

import { TERMINAL_STATUSES, type TraceEvent } from "../model/events";
import { backoffDelay, SeqCursor } from "./cursor";

export interface RunSocketHandlers {
  onEvents(events: TraceEvent[]): void;
  onStatus(status: string): void;
  onConnection?(state: "connecting" | "open" | "reconnecting" | "closed"): void;
}

export interface RunSocketOptions {
  after?: number;
  path?: string; // from POST /api/runs "ws"; defaults to /ws/runs/<id>/
  maxDrainAttempts?: number;
}

export class RunSocket {
  private readonly cursor: SeqCursor;
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private finished = false; // run.finished applied
  private terminalStatus = false; // the server said the run is over
  private drainAttempts = 0;
  private readonly path: string;

  constructor(
    readonly runId: number | string,
    private readonly handlers: RunSocketHandlers,
    private readonly options: RunSocketOptions = {},
  ) {
    this.cursor = new SeqCursor(options.after ?? 0);
    this.path = (options.path ?? `/ws/runs/${runId}/`).split("?")[0];
  }

  get lastSeq(): number {
    return this.cursor.last;
  }

  start(): void {
    this.connect();
  }

  send(message: object): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close();
    this.ws = null;
    this.handlers.onConnection?.("closed");
  }

  private url(): string {
    if (/^wss?:/.test(this.path)) return `${this.path}?after=${this.cursor.last}`;
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    return `${proto}//${location.host}${this.path}?after=${this.cursor.last}`;
  }

  private connect(): void {
    if (this.stopped) return;
    this.handlers.onConnection?.(this.attempt ? "reconnecting" : "connecting");
    const ws = new WebSocket(this.url());
    this.ws = ws;
    let gotEvents = false;
    ws.onopen = () => {
      this.attempt = 0;
      this.handlers.onConnection?.("open");
    };
    ws.onmessage = (msg) => {
      if (ws !== this.ws) return;
      let data: { type?: string; events?: unknown[]; status?: string };
      try {
        data = JSON.parse(String(msg.data));
      } catch {
        return;
      }
      if (data.type === "events" && Array.isArray(data.events)) {
        const { fresh, gap } = this.cursor.accept(data.events);
        if (fresh.length) {
          gotEvents = true;
          if (fresh[fresh.length - 1].kind === "run.finished") this.finished = true;
          this.handlers.onEvents(fresh);
        }
        if (gap) ws.close(4000, "gap"); // resume from the cursor
        else if (this.finished) this.stop();
      } else if (data.type === "status" && typeof data.status === "string") {
        if (TERMINAL_STATUSES.has(data.status)) this.terminalStatus = true;
        this.handlers.onStatus(data.status);
      }
    };
    ws.onclose = () => {
      if (ws !== this.ws || this.stopped) return;
      this.ws = null;
      if (this.finished) return this.stop();
      if (this.terminalStatus) {
        // A run that ended without run.finished (its worker died): drain what is stored, then stop.
        if (gotEvents) this.drainAttempts = 0;
        if (++this.drainAttempts > (this.options.maxDrainAttempts ?? 2)) return this.stop();
      }
      this.handlers.onConnection?.("reconnecting");
      const delay = backoffDelay(this.attempt++);
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }
}
