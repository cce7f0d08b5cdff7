// The scenario on the page and where it comes from: the library's lessons, a
// run opened on its own, or a draft in the editor (new, duplicated, imported,
// saved in this browser or to the account, shared by a link). Owns the
// library, the scenario's text and the editor; knows nothing of runs beyond
// asking the page to leave the one it watches and to attach to one by id.

import { Draft, emptySpec, forServer, placeErrors } from "../model/draft";
import { looksLikeTrace } from "../model/exports";
import { makeNamer, nodesOfRun, type Namer } from "../model/names";
import type { TraceEvent } from "../model/events";
import type { RunState } from "../model/state";
import type { ScenarioSpec, ScenarioSummary } from "../model/spec";
import { api, ApiError, type Me } from "../transport/api";
import { browserStore } from "../transport/storage";
import { renderAccount } from "../views/accountView";
import { downloadJson, h, replaceChildren } from "../views/dom";
import { LibraryList, renderScenarioActions } from "../views/libraryList";
import { renderLessonMap } from "../views/lessonMap";
import type { Curriculum, Progress } from "../model/curriculum";
import type { PageShell } from "../views/pageShell";
import { ScenarioEditor } from "../views/scenarioEditor";
import { ScenarioView, type CarriedScenario } from "../views/scenarioView";
import { writeRoute } from "./route";

export interface WorkspaceHooks {
  leave(): void; // another scenario (or a run on its own) is shown: stop watching the run
  attach(runId: string): Promise<void>; // watch this run of the scenario
  changed(): void; // the scenario or the draft changed: draw the page
  notify(message: string | null): void;
  uploadTrace(file: File): void; // a .jsonl given to the editor's Import
  lessonShown(slug: string | null, editingFix: boolean): void; // the lesson whose challenges the page shows
  account(signedIn: boolean): void; // who is here is known: progress syncs with the account
}

/** The course and the learner's progress, when the server has a course: the library becomes the lesson map. */
export interface CourseMap {
  course: Curriculum;
  progress(): Progress;
}

export class ScenarioWorkspace {
  scenarios: ScenarioSummary[] = [];
  spec: ScenarioSpec | null = null;
  editing = false; // the scenario shown is the editor's draft
  private savedSlug: string | null = null; // the draft's saved scenario on the server, when signed in
  private shareId: string | null = null;
  private me: Me | null = null;
  private routeKey: string | null = null; // what the URL names the scenario by
  private fixOf: string | null = null; // the lesson whose fix is being edited
  lessonSpec: ScenarioSpec | null = null; // the last lesson shown, as the library has it
  private courseMap: CourseMap | null = null;
  private readonly library: LibraryList;
  private readonly scenarioView: ScenarioView;
  private readonly editor: ScenarioEditor;

  constructor(private readonly ui: PageShell, private readonly hooks: WorkspaceHooks) {
    this.library = new LibraryList(ui.library, (slug) => void this.select(slug));
    this.scenarioView = new ScenarioView(ui.scenario, ui.code);
    this.editor = new ScenarioEditor({
      changed: () => {
        this.spec = this.editor.spec;
        if (this.spec) browserStore.keepDraft(this.spec, this.savedSlug);
        hooks.changed();
      },
      save: () => void this.saveDraft(),
      share: () => void this.shareDraft(),
      exportSpec: () => this.exportDraft(),
      importSpec: (f) => void this.importFile(f),
      close: () => {
        // Back to the lesson being fixed (or the first one), its text and code shown again.
        const back = this.fixOf ?? this.lessonSpec?.slug ?? this.scenarios[0]?.slug ?? "";
        this.leaveEditor();
        void this.select(back);
      },
    });
    ui.editorSlot.append(this.editor.root);
  }

  /** Fetches the library; false (and says so) when it cannot. */
  async load(): Promise<boolean> {
    try {
      this.scenarios = await api.scenarios();
    } catch (e) {
      this.library.showError(`Could not load the library: ${(e as Error).message}`);
      return false;
    }
    void this.loadAccount();
    this.renderActions();
    return true;
  }

  /** How the URL names what is shown: a slug, the share id it was opened by, or "edit". */
  get routeName(): string | null {
    return this.editing ? "edit" : this.routeKey ?? this.spec?.slug ?? null;
  }

  /** The server lists this scenario, so a run can name it instead of sending the spec. */
  get listed(): boolean {
    return !this.editing && !!this.spec && this.scenarios.some((x) => x.slug === this.spec!.slug);
  }

  /** Display names: the spec's nodes, else (a run on its own) the nodes its events name. */
  namer(events: readonly TraceEvent[] = []): Namer {
    return makeNamer(this.spec ? this.spec.nodes.map((n) => n.id) : nodesOfRun(events));
  }

  showLibrary(): void {
    this.renderLibrary(null);
  }

  /** The course's lesson map replaces the plain list (scenarios outside the course listed below it). */
  useCourse(map: CourseMap): void {
    this.courseMap = map;
  }

  renderLibrary(selected: string | null = this.editing ? null : this.spec?.slug ?? null): void {
    const map = this.courseMap;
    if (!map) return this.library.render(this.scenarios, selected);
    renderLessonMap(this.ui.library, map.course, map.progress(), this.scenarios, selected, (slug) => void this.select(slug));
  }


  /** The scenario's threads as far as the run shown has got (null: no run); `checked`: a challenge was checked. */
  showProgress(state: RunState | null, checked: boolean): void {
    this.scenarioView.showProgress(state, checked);
  }

  async select(slug: string, runId: string | null = null): Promise<void> {
    if (slug.startsWith("local:")) {
      const local = browserStore.get(slug.slice(6));
      if (local) return this.edit(local, null);
    }
    if (slug === "edit") return this.resumeDraft();
    this.hooks.leave();
    this.leaveEditor();
    this.renderLibrary(slug);
    try {
      this.spec = await api.scenario(slug);
    } catch (e) {
      this.hooks.notify(`Could not load ${slug}: ${(e as Error).message}`);
      return;
    }
    this.lessonSpec = this.spec;
    this.fixOf = null;
    this.hooks.lessonShown(slug, false);
    this.scenarioView.render(this.spec);
    this.routeKey = slug; // a slug, or the share id it was opened by
    this.renderActions();
    writeRoute({ scenario: slug, run: runId });
    if (runId) await this.hooks.attach(runId);
    this.hooks.changed();
  }

  /** A run without a library scenario (an uploaded trace): shown on its own. */
  async openRun(runId: string): Promise<void> {
    this.hooks.leave();
    this.leaveEditor();
    this.spec = null;
    this.routeKey = null;
    this.fixOf = null;
    this.hooks.lessonShown(null, false);
    this.renderLibrary(null);
    this.scenarioView.renderRunOnly(runId);
    await this.hooks.attach(runId);
    writeRoute({ scenario: null, run: runId });
    this.hooks.changed();
  }

  /** What is known of the scenario a run on its own was recorded from. */
  showRunOnly(runId: string, carried: CarriedScenario): void {
    if (!this.spec && !this.editing) this.scenarioView.renderRunOnly(runId, carried);
  }

  /** A 400 from the server: its errors become problems at their node, snippet and line. */
  showSpecErrors(e: ApiError): void {
    const errors = (e.body as { errors?: { path: string; message: string }[] } | null)?.errors ?? [];
    if (this.spec) this.editor.showProblems(placeErrors(this.spec, errors));
  }

  clearProblems(): void {
    this.editor.showProblems([]);
  }

  // --- the draft: new, duplicate, edit, save, share, export, import ---------

  /** Opens a spec in the editor (a new one, a copy, an import, a saved one; `fixOf`: a lesson's code for its fix challenge, whose challenges stay). */
  edit(spec: ScenarioSpec, savedSlug: string | null, fixOf: string | null = null): void {
    this.hooks.leave();
    this.editing = true;
    this.savedSlug = savedSlug;
    this.spec = spec;
    this.fixOf = fixOf;
    this.hooks.lessonShown(fixOf, !!fixOf);
    this.ui.scenario.hidden = this.ui.code.hidden = true;
    this.editor.open(new Draft(structuredClone(spec)));
    this.spec = this.editor.spec;
    browserStore.keepDraft(spec, savedSlug);
    this.renderLibrary(null);
    this.renderActions();
    writeRoute({ scenario: "edit", run: null });
    this.hooks.changed();
  }

  private resumeDraft(): void {
    const d = browserStore.draft();
    this.edit(d?.spec ?? emptySpec(), d?.savedSlug ?? null);
  }

  private leaveEditor(): void {
    if (!this.editing) return;
    this.editing = false;
    this.editor.root.hidden = true;
    this.ui.scenario.hidden = this.ui.code.hidden = false;
  }

  private renderActions(): void {
    renderScenarioActions(this.ui.scenarioActions, this.spec, this.editing, browserStore.list(), (spec) => this.edit(spec, null));
  }

  private async loadAccount(): Promise<void> {
    try {
      this.me = await api.me();
    } catch {
      this.me = null; // no accounts on this server: saving stays in the browser
    }
    renderAccount(this.ui.account, this.me);
    this.hooks.account(!!this.me?.authenticated);
  }

  private async saveDraft(): Promise<boolean> {
    const spec = this.spec ? forServer(this.spec) : null;
    if (!spec) return false;
    if (this.me?.authenticated) {
      try {
        const saved = this.savedSlug ? await api.replaceScenario(this.savedSlug, spec) : await api.saveScenario(spec);
        this.savedSlug = saved.slug;
        this.shareId = saved.share_id ?? null;
        this.editor.note.textContent = `Saved to your account as “${saved.slug}”.`;
        this.scenarios = await api.scenarios();
        this.renderLibrary(null);
        this.editor.showProblems([]);
        return true;
      } catch (e) {
        if (e instanceof ApiError && e.status === 400) this.showSpecErrors(e);
        this.editor.note.textContent = `Not saved: ${(e as Error).message}`;
        return false;
      }
    }
    browserStore.save(spec);
    this.renderActions();
    this.editor.note.textContent = `Saved in this browser as “${spec.slug}”${this.me ? " (sign in to keep it on the server and share it)" : ""}.`;
    return true;
  }

  private async shareDraft(): Promise<void> {
    if (!this.me?.authenticated) {
      this.editor.note.textContent = "Sharing needs the scenario saved on the server: sign in first, then Share link.";
      return;
    }
    if (!(await this.saveDraft()) || !this.shareId) return;
    const url = `${location.origin}${location.pathname}#/${encodeURIComponent(this.shareId)}`;
    try {
      await navigator.clipboard.writeText(url);
    } catch {
      // no clipboard (insecure context): the link is shown instead
    }
    replaceChildren(this.editor.note, "Anyone with this link can open it: ", h("a", { href: url, "data-testid": "share-link" }, url));
  }

  private exportDraft(): void {
    if (!this.spec) return;
    const spec = forServer(this.spec);
    downloadJson(`${spec.slug}.json`, spec);
  }

  private async importFile(file: File): Promise<void> {
    if (looksLikeTrace(file.name, file.type)) return this.hooks.uploadTrace(file);
    try {
      const spec = JSON.parse(await file.text());
      if (!spec || typeof spec !== "object" || !Array.isArray(spec.nodes)) throw new Error("not a playground.scenario/1 spec (no nodes)");
      this.edit(spec, null);
      this.editor.note.textContent = `Imported ${file.name}.`;
    } catch (e) {
      this.editor.note.textContent = `Could not import ${file.name}: ${(e as Error).message}`;
    }
  }
}
