import { describe, expect, it } from "vitest";
import { makeNamer, nodesOfRun } from "../src/model/names";

describe("names of a run without a spec (an uploaded trace)", () => {
  const events = [
    { seq: 1, kind: "run.started", node: null, thread: null, nodes: [{ id: "client", role: "client" }, { id: "server", role: "server" }] },
    { seq: 2, kind: "thread.started", node: "client", thread: "client/main" },
    { seq: 3, kind: "thread.started", node: "server", thread: "server/main" },
  ];

  it("takes the nodes run.started declares", () => {
    expect(nodesOfRun(events)).toEqual(["client", "server"]);
    const name = makeNamer(nodesOfRun(events));
    expect(["client/main", "server/main"].map(name)).toEqual(["client/main", "server/main"]);
  });

  it("else finds them in the events and thread ids", () => {
    const bare = [{ seq: 1, kind: "run.started", node: null, thread: null }, ...events.slice(1),
      { seq: 4, kind: "output", node: null, thread: "proxy/main" }];
    expect(nodesOfRun(bare)).toEqual(["client", "server", "proxy"]);
  });

  it("a single node still reads as bare thread names", () => {
    const one = [{ seq: 1, kind: "thread.started", node: "bank", thread: "bank/P1" }];
    expect(makeNamer(nodesOfRun(one))("bank/P1")).toBe("P1");
  });

  it("without them, every node's main thread would read 'main' (the bug)", () => {
    expect(["client/main", "server/main"].map(makeNamer([]))).toEqual(["main", "main"]);
  });
});
