// The wait-for graph as the view draws it: threads and resources, edges
// normalised so a cycle reads as a directed loop — thread -waits-> resource
// -held by-> thread — and a flag on what belongs to the deadlock cycle.

import type { CycleStep, WaitForGraph } from "./events";
import type { RunState } from "./state";

export interface WfNode {
  id: string;
  type: "thread" | "resource";
  inCycle: boolean;
}

export interface WfEdge {
  id: string;
  source: string;
  target: string;
  type: "holds" | "waits";
  inCycle: boolean;
}

export interface WfGraph {
  nodes: WfNode[];
  edges: WfEdge[];
  deadlocked: boolean;
}

/** The graph implied by who holds and who waits for each resource right now. */
export function liveGraph(state: RunState): WfGraph {
  const raw: WaitForGraph = { nodes: [], edges: [] };
  const seen = new Set<string>();
  const addNode = (id: string, type: "thread" | "resource") => {
    if (!seen.has(id)) raw.nodes.push({ id, type });
    seen.add(id);
  };
  for (const r of state.resources.values()) {
    if (!r.owners.length && !r.waiting.length) continue;
    addNode(r.id, "resource");
    for (const o of r.owners) {
      addNode(o, "thread");
      raw.edges.push({ from: r.id, to: o, type: "holds" });
    }
    for (const w of r.waiting) {
      addNode(w, "thread");
      raw.edges.push({ from: w, to: r.id, type: "waits" });
    }
  }
  return normalise(raw, []);
}

/** The graph reported with a deadlock, its cycle marked. */
export function deadlockGraph(graph: WaitForGraph, cycle: readonly CycleStep[]): WfGraph {
  return { ...normalise(graph, cycle), deadlocked: true };
}

function normalise(graph: WaitForGraph, cycle: readonly CycleStep[]): WfGraph {
  const types = new Map(graph.nodes.map((n) => [n.id, n.type]));
  const cycleNodes = new Set(cycle.flatMap((c) => [c.thread, c.waits_for, c.held_by]));
  const cycleEdges = new Set(
    cycle.flatMap((c) => [`waits:${c.thread}->${c.waits_for}`, `holds:${c.waits_for}->${c.held_by}`]),
  );
  const edges: WfEdge[] = [];
  const seen = new Set<string>();
  for (const e of graph.edges) {
    // The engine may write either direction; put the thread where the arrow reads right.
    const fromIsThread = (types.get(e.from) ?? guessType(e.from, graph)) === "thread";
    const [thread, resource] = fromIsThread ? [e.from, e.to] : [e.to, e.from];
    const [source, target] = e.type === "waits" ? [thread, resource] : [resource, thread];
    const id = `${e.type}:${source}->${target}`;
    if (seen.has(id)) continue;
    seen.add(id);
    edges.push({ id, source, target, type: e.type, inCycle: cycleEdges.has(id) });
  }
  const nodes: WfNode[] = graph.nodes.map((n) => ({ id: n.id, type: n.type, inCycle: cycleNodes.has(n.id) }));
  for (const e of edges) {
    for (const end of [e.source, e.target]) {
      if (!types.has(end) && !nodes.some((n) => n.id === end)) {
        nodes.push({ id: end, type: guessType(end, graph), inCycle: cycleNodes.has(end) });
      }
    }
  }
  return { nodes, edges, deadlocked: false };
}

function guessType(id: string, graph: WaitForGraph): "thread" | "resource" {
  // An id the graph does not type: a waiter is always a thread.
  return graph.edges.some((e) => e.type === "waits" && e.from === id) ? "thread" : "resource";
}
