// The outcomes of an exploration as the histogram shows them: one readable
// label per outcome ("balance = 2 · P1: 2 · P2: Insufficient funds"), sorted
// most frequent first.
//
// Values are read from the outcome's `key`, which the engine writes as JSON
// with Python's own number text, so `x = 1.0` and `x = 1` stay two labels as
// they are two outcomes (JSON.parse would turn both into the number 1).

import type { Outcome } from "./events";
import { formatValue, type Namer } from "./names";

export interface OutcomeView {
  outcome: Outcome;
  label: string;
  parts: { kind: "var" | "output"; text: string }[];
  problem: "deadlock" | "violated" | "failed" | "non-serial" | null;
  share: number; // count / largest count, for the bar
}

const PROBLEMS: ReadonlySet<string> = new Set(["deadlock", "violated", "failed"]);

/** A JSON number kept as its source text. */
class Raw {
  constructor(readonly text: string) {}
}

export function outcomeViews(outcomes: readonly Outcome[], name: Namer): OutcomeView[] {
  const most = Math.max(1, ...outcomes.map((o) => o.count));
  const views = outcomes.map((o): OutcomeView => {
    const parts = outcomeParts(o, name);
    // An outcome no order of whole threads gives is a violation too (a lost update, say).
    const problem = PROBLEMS.has(o.status) ? (o.status as OutcomeView["problem"]) : o.serial === false ? "non-serial" : null;
    return { outcome: o, parts, label: parts.map((p) => p.text).join(" · ") || o.status, problem, share: o.count / most };
  });
  return views.sort((a, b) => b.outcome.count - a.outcome.count || a.label.localeCompare(b.label, undefined, { numeric: true }));
}

export function outcomeParts(o: Outcome, name: Namer): OutcomeView["parts"] {
  const exact = exactShared(o);
  const parts: OutcomeView["parts"] = [];
  for (const [node, vars] of Object.entries(exact)) {
    for (const [v, value] of Object.entries(vars)) {
      parts.push({ kind: "var", text: `${name(`${node}/${v}`)} = ${showValue(value)}` });
    }
  }
  for (const [thread, lines] of Object.entries(o.outputs ?? {})) {
    if (lines.length) parts.push({ kind: "output", text: `${name(thread)}: ${lines.join(" / ")}` });
  }
  return parts;
}

/** The outcome's shared variables with number literals as written by the engine. */
function exactShared(o: Outcome): Record<string, Record<string, unknown>> {
  try {
    const parsed = parseKeepingNumbers(o.key) as { shared?: Record<string, Record<string, unknown>> };
    if (parsed && typeof parsed === "object" && parsed.shared && typeof parsed.shared === "object") return parsed.shared;
  } catch {
    // a key that is not JSON: fall back to the parsed values
  }
  return o.shared ?? {};
}

function showValue(v: unknown): string {
  if (v instanceof Raw) return v.text;
  if (Array.isArray(v)) return `[${v.map(showValue).join(", ")}]`;
  if (v && typeof v === "object") {
    return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${showValue(x)}`).join(", ")}}`;
  }
  return formatValue(v);
}

/** JSON.parse, except that numbers become Raw(source text). Throws on bad JSON. */
export function parseKeepingNumbers(text: string): unknown {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const fail = (): never => {
    throw new SyntaxError(`bad JSON at ${i}`);
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === "}") return i++, obj;
      for (;;) {
        ws();
        const k = value();
        if (typeof k !== "string") fail();
        ws();
        if (text[i++] !== ":") fail();
        obj[k as string] = value();
        ws();
        const sep = text[i++];
        if (sep === "}") return obj;
        if (sep !== ",") fail();
      }
    }
    if (c === "[") {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === "]") return i++, arr;
      for (;;) {
        arr.push(value());
        ws();
        const sep = text[i++];
        if (sep === "]") return arr;
        if (sep !== ",") fail();
      }
    }
    if (c === '"') {
      const m = /^"(?:[^"\\]|\\.)*"/.exec(text.slice(i)) ?? fail();
      i += m[0].length;
      return JSON.parse(m[0]);
    }
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|NaN|-?Infinity)/.exec(text.slice(i)) ?? fail();
    i += m[0].length;
    if (m[0] === "true") return true;
    if (m[0] === "false") return false;
    if (m[0] === "null") return null;
    return new Raw(m[0]);
  };
  const out = value();
  ws();
  if (i !== text.length) fail();
  return out;
}
