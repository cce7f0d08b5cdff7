// The mode switch (Run, Step, Explore), the start button for the chosen
// mode, Cancel and the download menu. Owns the buttons; the app decides what they do.

import { h } from "../views/dom";
import { DownloadMenu, type DownloadActions } from "./downloadMenu";

export type PageMode = "free" | "step" | "explore";

const MODES: { mode: PageMode; label: string; start: string; title: string }[] = [
  { mode: "free", label: "Run", start: "▶ Run", title: "Run the threads for real; the operating system interleaves them" },
  { mode: "step", label: "Step", start: "▷ Start stepping", title: "You choose which thread takes each step, like a debugger" },
  { mode: "explore", label: "Explore", start: "✱ Explore all", title: "Try every interleaving and count the outcomes" },
];

export interface RunControlsState {
  mode: PageMode;
  canRun: boolean;
  canCancel: boolean;
  canSwitch: boolean;
  restart: boolean; // a run in this mode is under way: starting again replaces it
  runId: number | string | null; // the run whose trace and pictures can be downloaded
}

export class RunControls {
  private readonly run: HTMLButtonElement;
  private readonly cancel: HTMLButtonElement;
  readonly downloads: DownloadMenu;
  private readonly modeButtons: Map<PageMode, HTMLButtonElement>;

  constructor(root: HTMLElement, actions: { run(): void; cancel(): void; mode(m: PageMode): void } & DownloadActions) {
    this.modeButtons = new Map(MODES.map((m) => [m.mode, h("button", {
      class: "seg", role: "radio", "data-testid": `mode-${m.mode}`, "data-mode": m.mode, title: m.title,
      onclick: () => actions.mode(m.mode),
    }, m.label)]));
    const switcher = h("div", { class: "segmented", role: "radiogroup", "aria-label": "Mode", "data-testid": "mode-switch" },
      [...this.modeButtons.values()]);
    this.run = h("button", { class: "btn primary", "data-testid": "run", onclick: () => actions.run() }, "▶ Run");
    this.cancel = h("button", { class: "btn", "data-testid": "cancel", onclick: () => actions.cancel() }, "■ Cancel");
    this.downloads = new DownloadMenu(actions);
    root.append(switcher, this.run, this.cancel, this.downloads.root);
    this.update({ mode: "free", canRun: false, canCancel: false, canSwitch: true, restart: false, runId: null });
  }

  update(s: RunControlsState): void {
    for (const [mode, b] of this.modeButtons) {
      b.setAttribute("aria-checked", String(mode === s.mode));
      b.classList.toggle("on", mode === s.mode);
      b.disabled = !s.canSwitch;
    }
    const m = MODES.find((x) => x.mode === s.mode) ?? MODES[0];
    const label = s.restart ? "↺ Start over" : m.start;
    if (this.run.textContent !== label) this.run.textContent = label;
    this.run.title = s.restart ? "Stop this run and start a new one from the beginning" : m.title;
    this.run.dataset.mode = s.mode;
    this.run.disabled = !s.canRun;
    this.cancel.disabled = !s.canCancel;
    this.downloads.update(s.runId);
  }
}
