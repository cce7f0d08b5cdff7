// One readable sentence per event, for the log: "P1 acquired x_lock".

import type { TraceEvent } from "./events";
import { formatValue, type Namer } from "./names";
import { qualify } from "./state";

export function describe(e: TraceEvent, name: Namer): string {
  const who = name(e.thread ? qualify(e.node, e.thread) : e.node) || "run";
  const res = e.resource ? name(qualify(e.node, e.resource)) : "?";
  const list = (ids: readonly string[] | undefined) =>
    (ids ?? []).map((i) => name(qualify(e.node, i))).join(", ");

  switch (e.kind) {
    case "run.started":
      return `Run started (${e.mode ?? "free"} mode${e.seed !== undefined ? `, seed ${e.seed}` : ""})`;
    case "thread.started":
      return `${who} started`;
    case "thread.finished":
      return `${who} finished`;
    case "thread.failed":
      return `${who} failed${e.line ? ` at line ${e.line}` : ""}: ${e.error ?? "error"}`;
    case "var.read":
      return `${who} read ${e.name} = ${formatValue(e.value)}`;
    case "var.write":
      return `${e.name}: ${formatValue(e.previous)} → ${formatValue(e.value)}`;
    case "sync.request": {
      const owners = e.state?.owners ?? [];
      if (owners.length) return `${who} waits for ${res} held by ${list(owners)}`;
      if (typeof e.state?.value === "number") return `${who} waits for ${res} (value ${e.state.value})`;
      return `${who} waits for ${res}`;
    }
    case "sync.acquire":
      return `${who} acquired ${res}${valueNote(e)}`;
    case "sync.release": {
      const waiting = e.state?.waiting ?? [];
      return `${who} released ${res}${valueNote(e)}${waiting.length ? ` (${list(waiting)} waiting)` : ""}`;
    }
    case "sync.wait":
      return `${who} waits on ${res}`;
    case "sync.wake":
      return `${who} woke up on ${res}`;
    case "sync.notify":
      return `${who} notified ${res}`;
    case "msg.send":
      return `${name(e.from)} → ${name(e.to)}: ${formatValue(e.content)}`;
    case "msg.recv":
      return `${name(e.to)} received ${e.id ?? "a message"} from ${name(e.from)}`;
    case "msg.drop":
      return `message ${e.id ?? "?"} dropped (${e.reason ?? "unknown"})`;
    case "msg.duplicate":
      return `message ${e.id ?? "?"} duplicated as ${e.copy ?? "?"}`;
    case "node.crash":
      return `node ${e.node} crashed`;
    case "node.restart":
      return `node ${e.node} restarted`;
    case "net.partition":
      return `network partitioned: ${(e.groups ?? []).map((g) => `{${g.join(", ")}}`).join(" | ")}`;
    case "net.heal":
      return "network healed";
    case "output":
      return `${who} printed ${JSON.stringify(e.text ?? "")}`;
    case "deadlock":
      return `Deadlock: ${explainCycle(e, name)}`;
    case "invariant.violated":
      return `Invariant broken: ${e.invariant} (${Object.entries(e.values ?? {})
        .map(([k, v]) => `${k} = ${formatValue(v)}`)
        .join(", ")})`;
    case "step":
      return `Step ${e.index ?? "?"}: ${who} goes`;
    case "step.ready": {
      const enabled = (e.enabled ?? []).map((t) => name(t));
      return enabled.length ? `Your turn: ${enabled.join(", ")} can go` : "Your turn";
    }
    case "step.refused":
      return `${name(e.requested)} cannot go: ${e.reason ?? "not enabled"}`;
    case "explore.progress":
      return `explored ${e.explored} schedules, ${e.distinct} distinct outcomes`;
    case "explore.result":
      return `exploration done: ${e.explored} schedules${e.exhaustive ? " (exhaustive)" : ""}`;
    case "run.finished":
      return `Run finished: ${e.status}${e.error ? ` — ${e.error}` : ""}`;
    default:
      return e.kind;
  }
}

function valueNote(e: TraceEvent): string {
  return e.rtype === "semaphore" && typeof e.state?.value === "number" ? ` (value now ${e.state.value})` : "";
}

/** Why a thread cannot take a step: "waiting for y_lock held by P1". */
export function blockedReason(b: { waits_for?: string | null; held_by?: string | null }, name: Namer): string {
  if (!b.waits_for) return "cannot go now";
  const holders = (b.held_by ?? "").split(",").map((x) => x.trim()).filter(Boolean);
  return `waiting for ${name(b.waits_for)}${holders.length ? ` held by ${holders.map((h) => name(h)).join(", ")}` : ""}`;
}

/** "P1 waits for y_lock held by P2; P2 waits for x_lock held by P1". */
export function explainCycle(e: Pick<TraceEvent, "cycle">, name: Namer): string {
  return (e.cycle ?? [])
    .map((c) => `${name(c.thread)} waits for ${name(c.waits_for)} held by ${name(c.held_by)}`)
    .join("; ");
}
