import { describe as group, expect, it } from "vitest";
import { describe } from "../src/model/describe";
import { makeNamer } from "../src/model/names";
import { bankTrace, deadlockTrace } from "./fixtures";

const single = makeNamer(["bank"]);

group("describe", () => {
  it("says what happened in the learner's words", () => {
    expect(describe(deadlockTrace[3], single)).toBe("P1 acquired x_lock");
    expect(describe(deadlockTrace[5], single)).toBe("P1 waits for y_lock held by P2");
    expect(describe(bankTrace[6], single)).toBe("balance: 10 → 2");
    expect(describe(bankTrace[8], single)).toBe("P1 released balance_lock (P2 waiting)");
    expect(describe(bankTrace[12], single)).toBe('P2 printed "Insufficient funds"');
  });

  it("explains a deadlock cycle", () => {
    expect(describe(deadlockTrace[7], single)).toBe(
      "Deadlock: P1 waits for y_lock held by P2; P2 waits for x_lock held by P1",
    );
  });

  it("keeps node names when there are several nodes", () => {
    expect(describe(deadlockTrace[3], makeNamer(["bank", "atm"]))).toBe("bank/P1 acquired bank/x_lock");
  });

  it("falls back to the kind for an event it does not know", () => {
    expect(describe({ seq: 1, t: 0, kind: "future.thing", node: null, thread: null }, single)).toBe("future.thing");
  });
});
