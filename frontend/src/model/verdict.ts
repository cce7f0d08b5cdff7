// What a run's verdict says (run.finished.verdict: kind, ok, title, text,
// details) and the kind of a deadlock (cycle, held-by-finished, stuck), read
// off the events with care: an older server sends neither. Pure.

export type VerdictKind =
  | "lost-update" | "deadlock-cycle" | "stuck" | "violated" | "non-serial"
  | "failed" | "timeout" | "cancelled" | "completed" | string;

export interface Verdict {
  kind: VerdictKind;
  ok: boolean;
  title: string;
  text: string;
  details: Record<string, unknown>;
}

export type DeadlockKind = "cycle" | "held-by-finished" | "stuck";

/** The verdict of a run.finished event, or null when it has none. */
export function readVerdict(raw: unknown): Verdict | null {
  if (!raw || typeof raw !== "object") return null;
  const v = raw as Record<string, unknown>;
  if (typeof v.kind !== "string") return null;
  return {
    kind: v.kind,
    ok: v.ok === true,
    title: typeof v.title === "string" ? v.title : v.kind,
    text: typeof v.text === "string" ? v.text : "",
    details: v.details && typeof v.details === "object" ? (v.details as Record<string, unknown>) : {},
  };
}

export function readDeadlockKind(raw: unknown): DeadlockKind {
  return raw === "held-by-finished" || raw === "stuck" ? raw : "cycle";
}

/** The plain sentence of a status, for a run whose server gives no verdict. */
export const STATUS_SENTENCE: Record<string, string> = {
  completed: "Every thread finished.",
  deadlock: "The run is stuck: a thread waits for something no thread will give.",
  violated: "An invariant was broken.",
  failed: "The run failed.",
  timeout: "The run took too long and was stopped.",
  cancelled: "The run was cancelled.",
};

/** A verdict's tone on the page: a lesson's bad outcome reached, or all well. */
export function verdictTone(v: Verdict | null, status: string): "ok" | "bad" | "neutral" {
  if (v) return v.ok ? "ok" : v.kind === "cancelled" || v.kind === "timeout" ? "neutral" : "bad";
  return status === "completed" ? "ok" : status === "cancelled" || status === "timeout" ? "neutral" : "bad";
}

/** The verdict's text to show after its title: "Lost update" then "P2's write of 3…",
 *  not "lost update: P2's write…" again (a text may begin with its title, to read well alone). */
export function textAfterTitle(v: Verdict): string {
  const prefix = `${v.title.toLowerCase()}:`;
  return v.text.toLowerCase().startsWith(prefix) ? v.text.slice(prefix.length).trimStart() : v.text;
}
