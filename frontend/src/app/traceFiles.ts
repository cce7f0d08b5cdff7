// Files in and out of the page besides the trace downloads: a trace uploaded
// (the "Open trace" button, the editor's Import given a .jsonl, or a file
// dropped anywhere on the page) becomes a run opened for replay, with the
// scenario it names offered for editing and running again; pictures of the
// space-time diagram and of the wait-for graph are saved as SVG or PNG.

import type { Picture, PictureType } from "../controls/downloadMenu";
import { looksLikeTrace, traceFileName } from "../model/exports";
import { duplicateSpec } from "../model/draft";
import type { ScenarioSpec } from "../model/spec";
import { api, ApiError, type RunInfo } from "../transport/api";
import { downloadBlob, h } from "../views/dom";
import type { SpaceTimeView } from "../views/spacetime/spaceTimeView";
import type { WaitForGraphView } from "../views/waitForGraphView";
import type { RunSession } from "./runSession";
import type { ScenarioWorkspace } from "./scenarioWorkspace";

export interface TraceFileHooks {
  session(): RunSession | null;
  runAgain(): void; // start a run of the scenario shown
  notify(message: string | null): void;
}

export class TraceFiles {
  /** "Open trace…": a button with its file input, for the run bar. */
  readonly button: HTMLElement;
  private readonly input = h("input", { type: "file", accept: ".jsonl,.ndjson,application/x-ndjson", class: "sr-only", "data-testid": "upload-trace-input" });
  private readonly dropHint = h("div", { class: "drop-hint", "data-testid": "drop-hint", hidden: true },
    h("p", null, "Drop a ", h("code", null, ".jsonl"), " trace to replay it"));
  private uploading = false;

  constructor(
    private readonly workspace: ScenarioWorkspace,
    private readonly diagram: SpaceTimeView,
    private readonly graph: WaitForGraphView,
    private readonly hooks: TraceFileHooks,
  ) {
    this.button = h("label", { class: "btn", "data-testid": "upload-trace", title: "Open a trace file (.jsonl) and replay it here; or drop it anywhere on the page" },
      "⤒ Open trace…", this.input);
    this.input.addEventListener("change", () => {
      const f = this.input.files?.[0];
      this.input.value = "";
      if (f) void this.upload(f);
    });
    document.body.append(this.dropHint);
    this.listenForDrops();
  }

  /** Uploads a trace; the run it becomes is opened for replay. */
  async upload(file: File): Promise<void> {
    if (this.uploading) return;
    this.uploading = true;
    this.hooks.notify(`Uploading ${file.name}…`);
    try {
      const run = await api.uploadTrace(file, file.name);
      this.hooks.notify(null);
      await this.open(String(run.id));
    } catch (e) {
      const why = e instanceof ApiError ? e.message : `the upload failed (${(e as Error).message})`;
      this.hooks.notify(`Could not open ${file.name}: ${why}`);
    } finally {
      this.uploading = false;
    }
  }

  /** Opens a run on its own (an uploaded trace; a #/runs/<id> link) and offers the scenario it names. */
  async open(runId: string): Promise<void> {
    await this.workspace.openRun(runId);
    await this.offerScenario(runId);
  }

  /** The scenario a run on its own names, if this server has it: to edit and to run again. */
  private async offerScenario(runId: string): Promise<void> {
    let info: RunInfo & { spec?: unknown };
    try {
      info = await api.run(runId);
    } catch {
      return; // the launcher has said why
    }
    const slug = typeof info.scenario === "string" ? info.scenario : "";
    const carriedSpec = isSpec(info.spec) ? info.spec : null;
    const spec = carriedSpec ?? (slug ? await api.scenario(slug).catch(() => null) : null);
    const s = this.hooks.session();
    if (String(s?.id) !== runId) return; // the learner has moved on
    this.workspace.showRunOnly(runId, {
      slug: slug || spec?.slug || "", spec,
      edit: () => spec && this.workspace.edit(duplicateSpec(spec), null),
      runAgain: () => {
        if (!spec) return;
        if (!carriedSpec && this.workspace.scenarios.some((x) => x.slug === slug)) {
          void this.workspace.select(slug).then(() => this.hooks.runAgain());
        } else {
          this.workspace.edit(structuredClone(spec), null);
          this.hooks.runAgain();
        }
      },
    });
  }

  /** Saves a picture of the diagram or the graph, named after the run. */
  async savePicture(which: Picture, type: PictureType): Promise<void> {
    const s = this.hooks.session();
    const stem = traceFileName(s?.id ?? "", { extension: "" }).replace(/\.$/, "");
    try {
      if (which === "diagram") {
        const picture = await this.diagram.picture(type);
        if (!picture) return this.hooks.notify("Nothing to draw yet: run the scenario first.");
        downloadBlob(`${stem}-spacetime.${type}`, picture.blob);
        this.hooks.notify(picture.note);
      } else {
        const blob = await this.graph.picture(type);
        if (!blob) return this.hooks.notify("The wait-for graph is empty at the moment shown: move the playback to a moment where a thread holds or waits for something.");
        downloadBlob(`${stem}-wait-for.${type}`, blob);
        this.hooks.notify(null);
      }
    } catch (e) {
      this.hooks.notify(`Could not save the picture: ${(e as Error).message}`);
    }
  }

  private listenForDrops(): void {
    const hasFiles = (e: DragEvent) => !!e.dataTransfer && [...e.dataTransfer.types].includes("Files");
    let depth = 0; // dragenter/dragleave fire for every element crossed
    const hint = (on: boolean) => {
      this.dropHint.hidden = !on;
      document.body.classList.toggle("dropping", on);
    };
    document.addEventListener("dragenter", (e) => {
      if (!hasFiles(e)) return;
      depth += 1;
      hint(true);
    });
    document.addEventListener("dragleave", (e) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (!depth) hint(false);
    });
    document.addEventListener("dragover", (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault(); // allows the drop
      if (e.dataTransfer) e.dataTransfer.dropEffect = "copy";
    });
    document.addEventListener("drop", (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault(); // the browser would open the file instead of the page
      depth = 0;
      hint(false);
      const file = e.dataTransfer?.files[0];
      if (!file) return;
      if (!looksLikeTrace(file.name, file.type) && /\.json$/i.test(file.name)) {
        return this.hooks.notify(`${file.name} looks like a scenario: open it with the editor's Import. Traces are .jsonl files.`);
      }
      void this.upload(file);
    });
  }
}

function isSpec(x: unknown): x is ScenarioSpec {
  return !!x && typeof x === "object" && Array.isArray((x as { nodes?: unknown }).nodes);
}
