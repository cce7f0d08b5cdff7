// The classroom's WebSocket (/ws/classrooms/<code>/ or …/screen): reconnects after a
// drop (the server sends the whole state again first), pings to keep presence, and
// stops for good on the codes that mean "not any more" (4403 removed, 4404, 4410 ended).

export type ClassMessage = { type: string; [k: string]: unknown };

const FINAL_CODES = new Set([4403, 4404, 4410]);

export class ClassroomSocket {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private stopped = false;
  private pinger: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly path: string,
    private readonly onMessage: (m: ClassMessage) => void,
    private readonly onClosed: (code: number, live: boolean) => void,
  ) {}

  start(): void {
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${this.path}`;
    const ws = (this.ws = new WebSocket(url));
    ws.onopen = () => {
      this.attempt = 0;
    };
    ws.onmessage = (e) => {
      try {
        this.onMessage(JSON.parse(String(e.data)) as ClassMessage);
      } catch {
        // not JSON: ignored
      }
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      const final = FINAL_CODES.has(e.code);
      this.onClosed(e.code, !final && !this.stopped);
      if (final || this.stopped) return;
      const delay = Math.min(10_000, 400 * 2 ** this.attempt++) * (0.75 + Math.random() / 2);
      setTimeout(() => this.start(), delay);
    };
    this.pinger ??= setInterval(() => this.send({ type: "ping" }), 25_000);
  }

  send(message: ClassMessage): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  stop(): void {
    this.stopped = true;
    if (this.pinger) clearInterval(this.pinger);
    this.ws?.close();
  }
}
