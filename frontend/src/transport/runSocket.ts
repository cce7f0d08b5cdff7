// A run's event stream over /ws/runs/<id>/?after=N that survives drops:
// it resumes after the last seq applied, ignores repeats, reconnects on a
// gap or a closed connection with backoff and jitter, and stops once the
// run is over: run.finished has arrived, or the server said the run ended
// (it sends every stored event before a final status), or the run is unknown.

import { TERMINAL_STATUSES, type TraceEvent } from "../model/events";
import { backoffDelay, SeqCursor } from "./cursor";

export interface RunSocketHandlers {
  onEvents(events: TraceEvent[]): void;
  onStatus(status: string, error?: string): void;
  onError?(message: string): void;
  onConnection?(state: "connecting" | "open" | "reconnecting" | "closed"): void;
}

export interface RunSocketOptions {
  after?: number;
  path?: string; // from POST /api/runs "ws"; defaults to /ws/runs/<id>/
}

export class RunSocket {
  private readonly cursor: SeqCursor;
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private finished = false; // run.finished applied
  private readonly path: string;

  constructor(
    readonly runId: number | string,
    private readonly handlers: RunSocketHandlers,
    options: RunSocketOptions = {},
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
    ws.onopen = () => {
      this.attempt = 0;
      this.handlers.onConnection?.("open");
    };
    ws.onmessage = (msg) => {
      if (ws !== this.ws) return;
      let data: { type?: string; events?: unknown[]; status?: string; error?: string; message?: string };
      try {
        data = JSON.parse(String(msg.data));
      } catch {
        return;
      }
      if (data.type === "events" && Array.isArray(data.events)) {
        const { fresh, gap } = this.cursor.accept(data.events);
        if (fresh.length) {
          if (fresh[fresh.length - 1].kind === "run.finished") this.finished = true;
          this.handlers.onEvents(fresh);
        }
        if (gap) ws.close(4000, "gap"); // resume from the cursor
        else if (this.finished) this.stop();
      } else if (data.type === "status" && typeof data.status === "string") {
        this.handlers.onStatus(data.status, data.error || undefined);
        if (TERMINAL_STATUSES.has(data.status)) this.stop();
      } else if (data.type === "error") {
        this.handlers.onError?.(String(data.message ?? "error"));
      }
    };
    ws.onclose = (ev) => {
      if (ws !== this.ws || this.stopped) return;
      this.ws = null;
      // 4400 bad cursor, 4404 no such run: trying again cannot help
      if (this.finished || ev.code === 4400 || ev.code === 4404) return this.stop();
      this.handlers.onConnection?.("reconnecting");
      const delay = backoffDelay(this.attempt++);
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }
}
