// RunSocket against a scripted WebSocket: which URLs it opens, what it passes on.
// (The real server is exercised by tests/e2e.)

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { TraceEvent } from "../src/model/events";
import { RunSocket } from "../src/transport/runSocket";
import { counterTrace } from "./fixtures";

class FakeSocket {
  static OPEN = 1;
  static all: FakeSocket[] = [];
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  deliver(message: object) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  close(code = 1000) {
    if (this.closed) return;
    this.closed = true;
    this.readyState = 3;
    queueMicrotask(() => this.onclose?.({ code }));
  }
  send() {}
}

const ev = counterTrace(8);
const finished: TraceEvent = { seq: 9, t: 9, kind: "run.finished", node: null, thread: null, status: "completed" };

function collect() {
  const got: number[] = [];
  const statuses: string[] = [];
  const socket = new RunSocket("r1", {
    onEvents: (events) => got.push(...events.map((e) => e.seq)),
    onStatus: (s) => statuses.push(s),
  });
  return { socket, got, statuses };
}

describe("RunSocket", () => {
  beforeEach(() => {
    FakeSocket.all = [];
    vi.useFakeTimers();
    vi.stubGlobal("WebSocket", FakeSocket);
    vi.stubGlobal("location", { protocol: "http:", host: "example.test" });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("resumes after the last seq when the connection drops, and delivers each event once", async () => {
    const { socket, got } = collect();
    socket.start();
    const first = FakeSocket.all[0];
    expect(first.url).toBe("ws://example.test/ws/runs/r1/?after=0");
    first.open();
    first.deliver({ type: "events", events: ev.slice(0, 4) });
    first.close(1006);
    await vi.runAllTimersAsync();
    const second = FakeSocket.all[1];
    expect(second.url).toBe("ws://example.test/ws/runs/r1/?after=4");
    second.open();
    second.deliver({ type: "events", events: ev.slice(2, 8) }); // overlaps what we have
    second.deliver({ type: "events", events: [finished] });
    expect(got).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(second.closed).toBe(true); // done: run.finished arrived
    await vi.runAllTimersAsync();
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("reconnects from the cursor on a gap instead of applying events out of order", async () => {
    const { socket, got } = collect();
    socket.start();
    FakeSocket.all[0].open();
    FakeSocket.all[0].deliver({ type: "events", events: [ev[0], ev[1], ev[4]] });
    expect(got).toEqual([1, 2]);
    await vi.runAllTimersAsync();
    expect(FakeSocket.all[1].url).toContain("?after=2");
  });

  it("stops after a final status and does not reconnect", async () => {
    const { socket, statuses } = collect();
    socket.start();
    FakeSocket.all[0].open();
    FakeSocket.all[0].deliver({ type: "status", status: "failed", error: "worker died" });
    await vi.runAllTimersAsync();
    expect(statuses).toEqual(["failed"]);
    expect(FakeSocket.all).toHaveLength(1);
    expect(FakeSocket.all[0].closed).toBe(true);
  });

  it("gives up on an unknown run", async () => {
    const { socket } = collect();
    socket.start();
    FakeSocket.all[0].open();
    FakeSocket.all[0].close(4404);
    await vi.runAllTimersAsync();
    expect(FakeSocket.all).toHaveLength(1);
  });
});
