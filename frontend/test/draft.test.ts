import { describe, expect, it } from "vitest";
import {
  addLink, addNode, addThread, deleteNode, Draft, duplicateSpec, emptySpec, forServer, placeErrors, renameNode,
  renameThread, setCode, setLink, setShared,
} from "../src/model/draft";

describe("a scenario drawn from an empty canvas", () => {
  it("adds nodes with free names, links them and sets link faults", () => {
    const d = new Draft(emptySpec());
    let c1 = "", c2 = "", s = "";
    d.change((sp) => (c1 = addNode(sp, "client")));
    d.change((sp) => (c2 = addNode(sp, "client")));
    d.change((sp) => (s = addNode(sp, "server")));
    expect([c1, c2, s]).toEqual(["client", "client2", "server"]);
    d.change((sp) => addLink(sp, c1, s));
    d.change((sp) => setLink(sp, c1, s, "loss", 0.3));
    expect(d.spec.links).toEqual([{ a: "client", b: "server", latency_ms: 10, jitter_ms: 0, loss: 0.3, duplicate: 0, reorder: 0 }]);
    expect(d.change((sp) => addLink(sp, s, c1))).toBe(false); // already linked
    expect(d.change((sp) => addLink(sp, s, s))).toBe(false);
  });

  it("renames a node everywhere and deletes its links with it", () => {
    const d = new Draft(emptySpec());
    d.change((sp) => { addNode(sp, "client"); addNode(sp, "server"); addLink(sp, "client", "server"); });
    d.change((sp) => renameNode(sp, "server", "web"));
    expect(d.spec.links?.[0]).toMatchObject({ a: "client", b: "web" });
    expect(d.change((sp) => renameNode(sp, "web", "client"))).toBe(false); // taken
    d.change((sp) => deleteNode(sp, "web"));
    expect(d.spec.nodes.map((n) => n.id)).toEqual(["client"]);
    expect(d.spec.links).toEqual([]);
  });

  it("edits code, threads and shared variables", () => {
    const d = new Draft(emptySpec());
    d.change((sp) => addNode(sp, "process"));
    d.change((sp) => setCode(sp, "node", "main", "print(1)"));
    let t = "";
    d.change((sp) => (t = addThread(sp, "node")));
    d.change((sp) => renameThread(sp, "node", t, "worker"));
    d.change((sp) => setShared(sp, "node", '{"x": 1}'));
    expect(d.spec.nodes[0].threads).toEqual([{ name: "main", code: "print(1)" }, { name: "worker", code: "" }]);
    expect(d.spec.nodes[0].shared).toEqual({ x: 1 });
    expect(d.change((sp) => setShared(sp, "node", "[1]"))).toBe(false);
  });

  it("undoes and redoes every change", () => {
    const d = new Draft(emptySpec());
    d.change((sp) => addNode(sp, "peer"));
    d.change((sp) => addNode(sp, "peer"));
    expect(d.spec.nodes).toHaveLength(2);
    d.undo();
    expect(d.spec.nodes).toHaveLength(1);
    d.undo();
    expect(d.spec.nodes).toHaveLength(0);
    expect(d.undo()).toBe(false);
    d.redo();
    expect(d.spec.nodes.map((n) => n.id)).toEqual(["peer"]);
    d.change((sp) => addNode(sp, "dns"));
    expect(d.canRedo).toBe(false); // a new change forgets what was undone
  });
});

describe("validation errors", () => {
  it("are placed at their node, snippet and line", () => {
    const spec = emptySpec();
    addNode(spec, "client");
    addThread(spec, "client");
    const placed = placeErrors(spec, [
      { path: "nodes[0].threads[1].code", message: "SyntaxError line 2: invalid syntax" },
      { path: "nodes[0].setup", message: "SyntaxError line 4: bad" },
      { path: "links[0].loss", message: "must be at most 1" },
    ]);
    expect(placed.map((p) => [p.node, p.snippet, p.line])).toEqual([["client", "T2", 2], ["client", "setup", 4], [null, null, null]]);
  });
});

describe("copies and names", () => {
  it("duplicates a built-in under a new name and makes a valid slug", () => {
    const copy = duplicateSpec({ slug: "bank-withdraw-lock", title: "Bank", nodes: [] });
    expect(copy).toMatchObject({ slug: "bank-withdraw-lock-copy", title: "Bank (copy)" });
    expect(forServer({ ...emptySpec(), slug: "My Fancy Scenario!" }).slug).toBe("my-fancy-scenario");
  });
});
