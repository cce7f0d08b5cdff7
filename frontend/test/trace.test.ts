import { describe, expect, it } from "vitest";
import { TraceModel } from "../src/model/trace";
import { bankSpec, bankTrace, counterTrace, deadlockSpec, deadlockTrace } from "./fixtures";

describe("TraceModel", () => {
  it("starts from what the spec declares", () => {
    const s = new TraceModel(bankSpec).stateAt(0);
    expect(s.variables.get("bank/balance")?.value).toBe(10);
    expect(s.resources.get("bank/balance_lock")?.owners).toEqual([]);
    expect(s.threads.get("bank/P1")?.status).toBe("waiting to start");
  });

  it("shows who holds and who waits for a lock at a given seq", () => {
    const m = new TraceModel(bankSpec);
    m.append(bankTrace);
    const at5 = m.stateAt(5);
    expect(at5.resources.get("bank/balance_lock")).toMatchObject({ owners: ["bank/P1"], waiting: ["bank/P2"] });
    expect(at5.threads.get("bank/P2")).toMatchObject({ status: "blocked", blockedOn: "bank/balance_lock" });
    expect(at5.threads.get("bank/P1")?.status).toBe("running");
    const at10 = m.stateAt(10);
    expect(at10.resources.get("bank/balance_lock")).toMatchObject({ owners: ["bank/P2"], waiting: [] });
    expect(at10.threads.get("bank/P2")?.status).toBe("running");
  });

  it("tracks a shared variable's value and previous value", () => {
    const m = new TraceModel(bankSpec);
    m.append(bankTrace);
    expect(m.stateAt(6).variables.get("bank/balance")?.value).toBe(10);
    expect(m.stateAt(7).variables.get("bank/balance")).toMatchObject({ value: 2, previous: 10, writer: "bank/P1", lastSeq: 7 });
  });

  it("collects outputs, finished threads and the final result", () => {
    const m = new TraceModel(bankSpec);
    m.append(bankTrace);
    const s = m.current();
    expect(s.outputs.get("bank/P2")).toEqual(["Insufficient funds"]);
    expect(s.threads.get("bank/P1")?.status).toBe("finished");
    expect(s.finished).toMatchObject({ status: "completed", shared: { bank: { balance: 2 } } });
    expect(m.stateAt(15).finished).toBeNull();
  });

  it("records the deadlock and the threads failing after it", () => {
    const m = new TraceModel(deadlockSpec);
    m.append(deadlockTrace);
    expect(m.stateAt(7).deadlock).toBeNull();
    expect(m.stateAt(7).threads.get("bank/P1")?.status).toBe("blocked");
    const s = m.stateAt(8);
    expect(s.deadlock?.cycle).toHaveLength(2);
    expect(m.current().threads.get("bank/P2")).toMatchObject({ status: "failed", error: "DeadlockError" });
  });

  it("ignores repeated events and refuses a gap", () => {
    const m = new TraceModel(bankSpec);
    expect(m.append(bankTrace.slice(0, 5))).toHaveLength(5);
    expect(m.append(bankTrace.slice(2, 7))).toHaveLength(2);
    expect(m.lastSeq).toBe(7);
    expect(() => m.append([bankTrace[9]])).toThrow(/gap/);
    expect(m.lastSeq).toBe(7);
  });

  it("gives the same state at any seq across checkpoints as a straight replay", () => {
    const m = new TraceModel(null);
    m.append(counterTrace(1234));
    for (const seq of [0, 1, 499, 500, 501, 1000, 1233, 1234]) {
      expect(m.stateAt(seq).variables.get("n/c")?.value ?? 0).toBe(seq);
    }
    // stateAt hands out copies: changing one does not touch the model
    m.stateAt(600).variables.get("n/c")!.value = -1;
    expect(m.stateAt(600).variables.get("n/c")?.value).toBe(600);
    expect(m.current().variables.get("n/c")?.value).toBe(1234);
  });
});
