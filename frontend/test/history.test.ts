import { describe, expect, it } from "vitest";
import { advance, stepCursor, VariableHistory } from "../src/model/history";

describe("variable history", () => {
  const h = new VariableHistory();
  h.append([
    { seq: 2, t: 0, kind: "var.write", node: "bank", thread: "bank/P1", name: "balance", value: 2 },
    { seq: 3, t: 0, kind: "var.read", node: "bank", thread: "bank/P2", name: "balance", value: 2 },
    { seq: 5, t: 0, kind: "var.write", node: "bank", thread: "bank/P2", name: "balance", value: 3 },
    { seq: 9, t: 0, kind: "var.write", node: "bank", thread: "bank/P1", name: "balance", value: 1 },
  ]);

  it("gives the last writes up to a moment, oldest first", () => {
    expect(h.before("bank/balance", 6).map((w) => w.value)).toEqual([2, 3]);
    expect(h.before("bank/balance", 9, 2).map((w) => [w.value, w.writer])).toEqual([[3, "bank/P2"], [1, "bank/P1"]]);
    expect(h.before("bank/balance", 1)).toEqual([]);
    expect(h.count("bank/balance", 100)).toBe(3);
  });

  it("ignores repeats", () => {
    h.append([{ seq: 5, t: 0, kind: "var.write", node: "bank", thread: "bank/P2", name: "balance", value: 3 }]);
    expect(h.count("bank/balance", 100)).toBe(3);
  });
});

describe("playback arithmetic", () => {
  it("advances by whole events and carries the fraction", () => {
    const a = advance(10, 100, 25, 1000); // 2.5 events
    expect(a.cursor).toBe(12);
    const b = advance(a.cursor, 100, 25, 1000, a.carry);
    expect(b.cursor).toBe(15);
    expect(advance(998, 1000, 50, 1000).cursor).toBe(1000);
  });

  it("steps within the trace, from the end when following", () => {
    expect(stepCursor(null, -1, 40)).toBe(39);
    expect(stepCursor(0, -1, 40)).toBe(0);
    expect(stepCursor(39, 5, 40)).toBe(40);
  });
});
