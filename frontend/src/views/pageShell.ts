// The page skeleton: header, library, scenario and code, run controls,
// the mode's panel (step mode, outcomes of an exploration, replay), result
// and log in the middle, live state on the right.

import { h, panel, replaceChildren } from "./dom";

export interface PageShell {
  library: HTMLElement;
  scenarioActions: HTMLElement;
  account: HTMLElement;
  editorSlot: HTMLElement;
  scenario: HTMLElement;
  code: HTMLElement;
  challenges: HTMLElement;
  controls: HTMLElement;
  status: HTMLElement;
  connection: HTMLElement;
  notice: HTMLElement;
  result: HTMLElement;
  stepper: { root: HTMLElement; body: HTMLElement; note: HTMLElement };
  explore: { root: HTMLElement; body: HTMLElement; note: HTMLElement };
  timeline: { root: HTMLElement; body: HTMLElement; note: HTMLElement };
  log: { body: HTMLElement; note: HTMLElement };
  threads: HTMLElement;
  variables: HTMLElement;
  resources: HTMLElement;
  graph: { root: HTMLElement; body: HTMLElement; note: HTMLElement };
  diagram: { root: HTMLElement; body: HTMLElement; note: HTMLElement };
  playback: HTMLElement;
  topology: { root: HTMLElement; body: HTMLElement; note: HTMLElement };
  seqNote: HTMLElement;
}

export function buildPageShell(app: HTMLElement): PageShell {
  const library = panel("Lessons", "library", "library-panel");
  const scenarioActions = h("div", { class: "scenario-actions", "data-testid": "scenario-actions" });
  library.root.insertBefore(scenarioActions, library.body);
  const account = h("div", { class: "account", "data-testid": "account" });
  const editorSlot = h("div", { class: "editor-slot" });
  const scenario = h("section", { class: "panel scenario", "data-testid": "scenario" },
    h("p", { class: "muted" }, "Pick a lesson on the left to read its code."));
  const code = h("section", { class: "panel code-panel", "data-testid": "scenario-code", hidden: true });
  const challenges = h("section", { class: "panel challenges-panel", "data-testid": "challenges", hidden: true, "aria-live": "polite" });
  const projector = h("button", { class: "btn small", "data-testid": "projector", "aria-pressed": "false", title: "Large type for a projector or a big screen",
    onclick: () => setProjector(!document.documentElement.classList.contains("projector"), projector) }, "Projector");
  setProjector(readProjector(), projector);
  const status = h("span", { class: "badge", "data-testid": "run-status" });
  const connection = h("span", { class: "connection", "data-testid": "connection" });
  const seqNote = h("span", { class: "muted seq-note", "data-testid": "seq" });
  const controls = h("div", { class: "controls" });
  const playback = h("div", { class: "playback-slot" });
  const runbar = h("section", { class: "panel runbar", "data-testid": "runbar" },
    controls, h("div", { class: "runbar-status" }, status, seqNote, connection), playback);
  const notice = h("div", { class: "notice", role: "alert", "data-testid": "notice", hidden: true });
  const result = h("section", { class: "panel result", "data-testid": "result", hidden: true });
  const explore = panel("Outcomes of every interleaving", "explore", "explore-panel");
  const timeline = panel("Replay, step by step", "timeline", "timeline-panel");
  const stepper = panel("Step mode — you are the scheduler", "stepper", "stepper-panel");
  for (const p of [explore, timeline, stepper]) p.root.hidden = true;
  const log = panel("Event log", "log-panel", "log-panel");
  const threads = panel("Threads", "threads");
  const variables = panel("Shared variables", "variables");
  const resources = panel("Locks, semaphores & conditions", "resources");
  const graph = panel("Wait-for graph", "wait-for-panel", "graph-panel");
  const diagram = panel("Space-time diagram", "diagram-panel", "diagram-panel");
  const topology = panel("Topology", "topology-panel", "topology-panel");

  replaceChildren(app,
    h("header", { class: "topbar" },
      h("div", { class: "brand" },
        h("span", { class: "logo", "aria-hidden": "true" }, "⇄"),
        h("h1", null, "Playground"),
        h("span", { class: "tagline" }, "concurrent & distributed computing, run for real")),
      h("div", { class: "topbar-right" }, projector, account)),
    h("main", { class: "grid" },
      h("aside", { class: "col col-library" }, library.root),
      h("div", { class: "col col-main" }, scenario, editorSlot, runbar, notice, challenges, stepper.root, explore.root, timeline.root, result, code, diagram.root, log.root),
      h("aside", { class: "col col-state" }, topology.root, threads.root, variables.root, resources.root, graph.root)));

  return {
    library: library.body,
    scenarioActions,
    account,
    editorSlot,
    scenario,
    code,
    challenges,
    controls,
    status,
    connection,
    notice,
    result,
    stepper,
    explore,
    timeline,
    log: { body: log.body, note: log.note },
    threads: threads.body,
    variables: variables.body,
    resources: resources.body,
    graph,
    diagram,
    playback,
    topology,
    seqNote,
  };
}

const PROJECTOR = "playground.projector";

function readProjector(): boolean {
  try {
    return localStorage.getItem(PROJECTOR) === "1";
  } catch {
    return false;
  }
}

/** Large type for a room: a class on the page, kept for the next visit. */
function setProjector(on: boolean, button: HTMLElement): void {
  document.documentElement.classList.toggle("projector", on);
  button.setAttribute("aria-pressed", String(on));
  try {
    localStorage.setItem(PROJECTOR, on ? "1" : "0");
  } catch {
    // not kept: fine for this visit
  }
}
