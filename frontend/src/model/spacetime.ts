// The space-time diagram's grid, computed once as events arrive: one lane
// per thread grouped by node, one row per event (row = seq - 1), and the
// messages as arrows from msg.send to each msg.recv or msg.drop of the same
// id. A bucketed index answers "which arrows cross rows a..b" so the view
// draws only what is visible, however long the trace. Pure: no DOM.

import type { TraceEvent } from "./events";
import { qualify } from "./state";

export interface Lane {
  id: string; // node/thread, or node/ for events of a node outside any thread
  node: string;
}

export type MarkKind =
  | "thread" | "var" | "sync" | "send" | "recv" | "drop" | "output" | "fail" | "fault" | "run" | "other";

export interface Arrow {
  id: string; // message id
  from: string; // sender node
  to: string; // recipient node
  sendSeq: number;
  endSeq: number | null; // the msg.recv or msg.drop; null while in flight
  dropped: boolean;
  reason: string | null; // why it was dropped
  duplicate: boolean; // a second delivery of the same message
}

export interface DiagramCounts {
  events: number;
  sends: number;
  delivered: number;
  dropped: number;
  duplicates: number;
  inFlight: number;
}

const BUCKET = 256; // rows per bucket of the arrow index

export function markKind(kind: string): MarkKind {
  if (kind === "msg.send") return "send";
  if (kind === "msg.recv" || kind === "msg.deliver") return "recv";
  if (kind === "msg.drop") return "drop";
  if (kind === "thread.failed" || kind === "deadlock" || kind === "invariant.violated") return "fail";
  if (kind.startsWith("thread.")) return "thread";
  if (kind.startsWith("var.")) return "var";
  if (kind.startsWith("sync.") || kind.startsWith("section.")) return "sync";
  if (kind === "output") return "output";
  if (kind.startsWith("node.") || kind.startsWith("net.")) return "fault";
  if (kind.startsWith("run.")) return "run";
  return "other";
}

export class SpaceTimeGrid {
  readonly lanes: Lane[] = [];
  readonly nodes: string[] = []; // in order of appearance (the spec's first)
  readonly arrows: Arrow[] = [];
  private readonly laneIndex = new Map<string, number>();
  private rowLane: Int32Array = new Int32Array(1024); // lane of each row, -1 = run-level
  private rows = 0;
  private readonly sends = new Map<string, number>(); // message id -> seq of its msg.send
  private readonly ended = new Set<string>(); // ids with a recv or drop already
  private readonly open = new Map<string, number>(); // in flight: id -> arrow index
  private readonly buckets: number[][] = [];
  private duplicates = 0;

  constructor(spec?: { nodes: { id: string; threads: { name: string }[] }[] } | null) {
    for (const n of spec?.nodes ?? []) {
      this.node(n.id);
      for (const t of n.threads) this.lane(qualify(n.id, t.name), n.id);
    }
  }

  get length(): number {
    return this.rows;
  }

  /** The lane index of row `row` (seq - 1), -1 for run-level events. */
  laneOfRow(row: number): number {
    return row >= 0 && row < this.rows ? this.rowLane[row] : -1;
  }

  append(events: readonly TraceEvent[]): void {
    for (const e of events) {
      if (e.seq !== this.rows + 1) continue; // the model guarantees order; repeats are ignored
      if (this.rows === this.rowLane.length) {
        const grown = new Int32Array(this.rowLane.length * 2);
        grown.set(this.rowLane);
        this.rowLane = grown;
      }
      this.rowLane[this.rows] = this.laneFor(e);
      this.rows += 1;
      this.message(e);
    }
  }

  /** Indices into `arrows` of every arrow that crosses rows first..last (inclusive). */
  arrowsBetween(first: number, last: number): number[] {
    const out = new Set<number>();
    const b0 = Math.max(0, Math.floor(first / BUCKET));
    const b1 = Math.floor(last / BUCKET);
    for (let b = b0; b <= b1 && b < this.buckets.length; b++) {
      for (const i of this.buckets[b] ?? []) {
        const a = this.arrows[i];
        if (a.sendSeq - 1 <= last && (a.endSeq ?? Infinity) - 1 >= first) out.add(i);
      }
    }
    for (const i of this.open.values()) if (this.arrows[i].sendSeq - 1 <= last) out.add(i);
    return [...out];
  }

  counts(): DiagramCounts {
    let delivered = 0;
    let dropped = 0;
    for (const a of this.arrows) {
      if (a.dropped) dropped += 1;
      else if (a.endSeq !== null && !a.duplicate) delivered += 1;
    }
    return { events: this.rows, sends: this.sends.size, delivered, dropped, duplicates: this.duplicates, inFlight: this.open.size };
  }

  /** Lane index of a node's first lane (where events of the node outside any thread go). */
  nodeLane(node: string): number {
    const first = this.lanes.findIndex((l) => l.node === node);
    return first >= 0 ? first : this.lane(`${node}/`, node);
  }

  private laneFor(e: TraceEvent): number {
    if (e.thread) return this.lane(qualify(e.node, e.thread), e.node ?? e.thread.split("/")[0]);
    if (e.node) return this.nodeLane(e.node);
    // A dropped message is drawn where it would have arrived.
    if (e.kind === "msg.drop" && typeof e.to === "string") return this.nodeLane(e.to);
    return -1;
  }

  private node(id: string): void {
    if (!this.nodes.includes(id)) this.nodes.push(id);
  }

  private lane(id: string, node: string): number {
    let i = this.laneIndex.get(id);
    if (i !== undefined) return i;
    this.node(node);
    // Keep lanes grouped by node: a new thread goes after its node's last lane.
    let at = this.lanes.length;
    for (let k = this.lanes.length - 1; k >= 0; k--) {
      if (this.lanes[k].node === node) {
        at = k + 1;
        break;
      }
    }
    if (at === this.lanes.length) {
      this.lanes.push({ id, node });
      i = this.lanes.length - 1;
      this.laneIndex.set(id, i);
      return i;
    }
    // Inserting shifts later lanes: renumber what was laid out (rare: a thread spawned late).
    this.lanes.splice(at, 0, { id, node });
    for (let r = 0; r < this.rows; r++) if (this.rowLane[r] >= at) this.rowLane[r] += 1;
    this.laneIndex.clear();
    this.lanes.forEach((l, k) => this.laneIndex.set(l.id, k));
    return at;
  }

  private message(e: TraceEvent): void {
    const id = typeof e.id === "string" ? e.id : null;
    if (!id) return;
    if (e.kind === "msg.send") {
      this.sends.set(id, e.seq);
      this.open.set(id, this.push({
        id, from: String(e.from ?? e.node ?? ""), to: String(e.to ?? ""), sendSeq: e.seq,
        endSeq: null, dropped: false, reason: null, duplicate: false,
      }));
    } else if (e.kind === "msg.duplicate") {
      this.duplicates += 1;
    } else if (e.kind === "msg.recv" || e.kind === "msg.drop") {
      const sent = this.sends.get(id);
      if (sent === undefined) return;
      const dropped = e.kind === "msg.drop";
      const openIndex = this.open.get(id);
      if (openIndex !== undefined) {
        this.open.delete(id);
        const a = this.arrows[openIndex];
        a.endSeq = e.seq;
        a.dropped = dropped;
        a.reason = dropped ? e.reason ?? null : null;
        this.index(openIndex);
      } else {
        // A second arrival (or a dropped copy) of a message already accounted for.
        const first = this.arrows.find((x) => x.id === id);
        this.index(this.push({
          id, from: first?.from ?? String(e.from ?? ""), to: first?.to ?? String(e.to ?? e.node ?? ""), sendSeq: sent,
          endSeq: e.seq, dropped, reason: dropped ? e.reason ?? null : null, duplicate: this.ended.has(id),
        }));
      }
      this.ended.add(id);
    }
  }

  private push(a: Arrow): number {
    this.arrows.push(a);
    return this.arrows.length - 1;
  }

  private index(i: number): void {
    const a = this.arrows[i];
    const b0 = Math.floor((a.sendSeq - 1) / BUCKET);
    const b1 = Math.floor(((a.endSeq ?? a.sendSeq) - 1) / BUCKET);
    for (let b = b0; b <= b1; b++) (this.buckets[b] ??= []).push(i);
  }
}

// --- happened-before from vector clocks -----------------------------------

export type Relation = "self" | "past" | "future" | "concurrent" | "none";

type Clock = Record<string, number>;

function leq(a: Clock, b: Clock): boolean {
  for (const k in a) if (a[k] > (b[k] ?? 0)) return false;
  return true;
}

/**
 * How `e` relates to the selected event `sel`: in its causal past (e → sel),
 * its future (sel → e), concurrent, or "none" when either has no vector clock
 * (run-level events). e → f iff vc(e) ≤ vc(f) componentwise and e ≠ f; equal
 * clocks (events that did not advance the clock) are ordered by seq.
 */
export function relation(sel: TraceEvent, e: TraceEvent): Relation {
  if (e.seq === sel.seq) return "self";
  if (!sel.vc || !e.vc) return "none";
  const before = leq(e.vc, sel.vc);
  const after = leq(sel.vc, e.vc);
  if (before && after) return e.seq < sel.seq ? "past" : "future";
  if (before) return "past";
  if (after) return "future";
  return "concurrent";
}

const CODE: Record<Relation, number> = { none: 0, self: 1, past: 2, future: 3, concurrent: 4 };
export const RELATION_OF_CODE: Relation[] = ["none", "self", "past", "future", "concurrent"];

/** The relation of every event to `sel`, indexed by row (seq - 1), as codes of RELATION_OF_CODE. */
export function causalRelations(events: readonly TraceEvent[], sel: TraceEvent): Uint8Array {
  const out = new Uint8Array(events.length);
  for (let i = 0; i < events.length; i++) out[i] = CODE[relation(sel, events[i])];
  return out;
}

// --- search ----------------------------------------------------------------

/**
 * A filter from a search box: words that must all match (case-insensitive);
 * `thread:`, `kind:`, `resource:`, `node:` restrict a word to that field,
 * other words match any of them or the event's text, name, id and content.
 */
export function eventFilter(query: string): ((e: TraceEvent) => boolean) | null {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return null;
  const tests = words.map((w) => {
    const m = /^(thread|kind|resource|node|text):(.*)$/.exec(w);
    const field = m?.[1] ?? null;
    const needle = m ? m[2] : w;
    return (e: TraceEvent) => {
      const fields: Record<string, string> = {
        thread: e.thread ? qualify(e.node, e.thread).toLowerCase() : "",
        kind: e.kind.toLowerCase(),
        resource: (e.resource ?? "").toLowerCase(),
        node: (e.node ?? "").toLowerCase(),
        text: freeText(e),
      };
      if (field) return fields[field].includes(needle);
      return Object.values(fields).some((v) => v.includes(needle));
    };
  });
  return (e) => tests.every((t) => t(e));
}

function freeText(e: TraceEvent): string {
  const parts: string[] = [];
  for (const k of ["text", "name", "id", "from", "to", "reason", "error"] as const) {
    const v = e[k];
    if (typeof v === "string") parts.push(v);
  }
  if (e.value !== undefined) parts.push(safeJson(e.value));
  if (e.content !== undefined) parts.push(safeJson(e.content));
  return parts.join(" ").toLowerCase();
}

function safeJson(v: unknown): string {
  try {
    return typeof v === "string" ? v : JSON.stringify(v) ?? "";
  } catch {
    return "";
  }
}
