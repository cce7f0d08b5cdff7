// The network as the topology shows it at a moment: which nodes are down,
// which directed links are cut, and link settings changed during the run —
// read off node.crash/node.restart, net.partition/net.heal and net.link.
// Also the roles a node can have and how each is drawn.

import type { TraceEvent } from "./events";

export interface NetworkState {
  crashed: Set<string>;
  cut: Set<string>; // "a>b": a's messages to b are cut
  settings: Map<string, Record<string, number>>; // "a|b" (sorted) -> settings changed during the run
}

export function linkKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/** The network after event `seq` (all events when seq is null). */
export function networkAt(events: readonly TraceEvent[], seq: number | null): NetworkState {
  const state: NetworkState = { crashed: new Set(), cut: new Set(), settings: new Map() };
  const last = seq === null ? events.length : Math.min(seq, events.length);
  for (let i = 0; i < last; i++) {
    const e = events[i];
    switch (e.kind) {
      case "node.crash":
        if (e.node) state.crashed.add(e.node);
        break;
      case "node.restart":
        if (e.node) state.crashed.delete(e.node);
        break;
      case "net.partition": {
        const cut = e.cut as [string, string][] | undefined;
        if (Array.isArray(cut)) for (const [a, b] of cut) state.cut.add(`${a}>${b}`);
        else for (const [i1, g1] of (e.groups ?? []).entries()) {
          for (const [i2, g2] of (e.groups ?? []).entries()) {
            if (i1 !== i2) for (const a of g1) for (const b of g2) state.cut.add(`${a}>${b}`);
          }
        }
        break;
      }
      case "net.heal":
        state.cut.clear();
        break;
      case "net.link":
        if (typeof e.a === "string" && typeof e.b === "string" && e.settings && typeof e.settings === "object") {
          const key = linkKey(e.a, e.b);
          state.settings.set(key, { ...(state.settings.get(key) ?? {}), ...(e.settings as Record<string, number>) });
        }
        break;
    }
  }
  return state;
}

export interface RoleLook {
  role: string;
  shape: string; // a cytoscape node shape
  color: string;
  label: string;
}

export const ROLES: RoleLook[] = [
  { role: "process", shape: "round-rectangle", color: "#5c7cfa", label: "process" },
  { role: "client", shape: "ellipse", color: "#1c7ed6", label: "client" },
  { role: "server", shape: "rectangle", color: "#2f9e44", label: "server" },
  { role: "peer", shape: "hexagon", color: "#0ca678", label: "peer" },
  { role: "supernode", shape: "star", color: "#f08c00", label: "supernode" },
  { role: "replica", shape: "barrel", color: "#37b24d", label: "replica" },
  { role: "proxy", shape: "diamond", color: "#ae3ec9", label: "proxy" },
  { role: "broker", shape: "octagon", color: "#e8590c", label: "broker" },
  { role: "coordinator", shape: "pentagon", color: "#d6336c", label: "coordinator" },
  { role: "dns", shape: "round-tag", color: "#15aabf", label: "dns" },
];

export function roleLook(role: string | undefined): RoleLook {
  return ROLES.find((r) => r.role === role) ?? ROLES[0];
}
