// The heavy libraries load when first needed, in chunks of their own, so the
// first page stays light: cytoscape.js when a graph or topology has something
// to draw, CodeMirror when the scenario editor shows code. Each is fetched once;
// a failed fetch is tried again the next time it is needed.

import type cytoscapeFn from "cytoscape";
import type * as CodeMirror from "./codeMirror";
import { h } from "./dom";

export type Cytoscape = typeof cytoscapeFn;
export type CodeMirrorModule = typeof CodeMirror;

export interface Lazy<T> {
  /** The library if it has loaded, else null. */
  now(): T | null;
  /** Loads it (once); resolves with it. */
  load(): Promise<T>;
}

export function lazy<T>(fetch: () => Promise<T>): Lazy<T> {
  let value: T | null = null;
  let pending: Promise<T> | null = null;
  return {
    now: () => value,
    load: () => {
      pending ??= fetch().then(
        (v) => (value = v),
        (err: unknown) => {
          pending = null;
          throw err;
        },
      );
      return pending;
    },
  };
}

export const cytoscapeLib: Lazy<Cytoscape> = lazy(() => import("cytoscape").then((m) => m.default));
export const codeMirrorLib: Lazy<CodeMirrorModule> = lazy(() => import("./codeMirror"));

/** Said where a library's drawing or editor would be when its chunk could not be fetched. */
export function loadFailed(what: string): HTMLElement {
  return h("p", { class: "error load-failed" }, `The ${what} could not be loaded (is the server reachable?). It is tried again on the next change.`);
}
