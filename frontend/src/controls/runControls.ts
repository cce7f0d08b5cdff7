// Run, Cancel and Download trace. Owns the buttons; the app decides what they do.

import { h } from "../views/dom";

export interface RunControlsState {
  canRun: boolean;
  canCancel: boolean;
  traceUrl: string | null;
}

export class RunControls {
  private readonly run: HTMLButtonElement;
  private readonly cancel: HTMLButtonElement;
  private readonly download: HTMLAnchorElement;

  constructor(root: HTMLElement, actions: { run(): void; cancel(): void }) {
    this.run = h("button", { class: "btn primary", "data-testid": "run", onclick: () => actions.run() }, "▶ Run");
    this.cancel = h("button", { class: "btn", "data-testid": "cancel", onclick: () => actions.cancel() }, "■ Cancel");
    this.download = h("a", { class: "btn link", "data-testid": "download-trace", download: "" }, "⤓ Download trace");
    root.append(this.run, this.cancel, this.download);
    this.update({ canRun: false, canCancel: false, traceUrl: null });
  }

  update(s: RunControlsState): void {
    this.run.disabled = !s.canRun;
    this.cancel.disabled = !s.canCancel;
    if (s.traceUrl) {
      this.download.href = s.traceUrl;
      this.download.removeAttribute("aria-disabled");
      this.download.classList.remove("disabled");
    } else {
      this.download.removeAttribute("href");
      this.download.setAttribute("aria-disabled", "true");
      this.download.classList.add("disabled");
    }
  }
}
