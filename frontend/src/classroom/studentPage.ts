// The student's page at /classrooms/<CODE>/: join with a name (a signed cookie keeps the
// seat: a reload comes back to it), then the current activity as soon as the teacher
// pushes it — the question and the open vote, the scenario to run, step and (when the
// teacher allows it) edit, and the challenge checked on the seat (POST …/checks).

import { forServer } from "../model/draft";
import type { ScenarioSpec } from "../model/spec";
import { api, ApiError } from "../transport/api";
import { CodeEditor } from "../views/codeEditor";
import { h, replaceChildren } from "../views/dom";
import { classApi, type Activity, type Challenge, type Reveal, type StudentView } from "./classroomApi";
import { ClassroomSocket, type ClassMessage } from "./classroomSocket";
import { questionView } from "./question";
import { RunPanel } from "./runPanel";
import { modeLabel, revealView, shell } from "./widgets";

const STEP_TIMEOUT_MS = 15 * 60_000;

export class StudentPage {
  private view: StudentView | null = null;
  private socket: ClassroomSocket | null = null;
  private readonly main: HTMLElement;
  private readonly who = h("span", { class: "cr-who", "data-testid": "student-name" });
  private readonly link = h("span", { class: "cr-link", "data-testid": "connection" });
  private readonly activityBox = h("section", { class: "panel cr-activity", "data-testid": "student-activity" });
  private readonly revealBox = h("section", { class: "panel cr-reveal", "data-testid": "student-reveal" });
  private readonly workBox = h("section", { class: "panel cr-work", "data-testid": "student-work" });
  private readonly notice = h("p", { class: "notice", "data-testid": "notice", hidden: true });
  private readonly panel = new RunPanel({ restart: (schedule) => void this.startRun("step", schedule) });
  private shownActivity = "";
  private shownWork = "";
  private spec: ScenarioSpec | null = null; // the activity's code, as the student edited it
  private snippet = "";
  private editor: CodeEditor | null = null;
  private readonly editorBox = h("div", { class: "cr-editor", "data-testid": "editor-code" });
  private readonly checkBox = h("div", { class: "cr-check", "data-testid": "check-result" });
  private busy = false;

  constructor(root: HTMLElement, private readonly code: string) {
    this.main = h("main", { class: "cr-main cr-student" });
    replaceChildren(root, shell(`Class ${code}`, [this.who, this.link]), this.notice, this.main);
  }

  async start(): Promise<void> {
    try {
      const view = await classApi.view<StudentView | { role: string }>(this.code);
      if (view.role === "student") return this.enter(view as StudentView);
      location.reload(); // the teacher's own class: the page is their dashboard
    } catch (e) {
      if (e instanceof ApiError && e.status === 403) return this.say((e as Error).message, true);
      this.joinForm();
    }
  }

  private say(message: string | null, final = false): void {
    this.notice.hidden = !message;
    this.notice.textContent = message ?? "";
    if (final) this.main.replaceChildren();
  }

  private joinForm(error = ""): void {
    const name = h("input", { class: "cr-input big", "data-testid": "join-name", maxlength: 40, placeholder: "Your name", autocomplete: "nickname", required: true }) as HTMLInputElement;
    const message = h("p", { class: "error", "data-testid": "join-error" }, error);
    const form = h("form", { class: "panel cr-join", "data-testid": "join-form" },
      h("h1", null, "Join the class"),
      h("p", { class: "muted" }, "Class code ", h("strong", { class: "cr-code-inline" }, this.code), ". Choose the name your teacher will see."),
      name,
      h("button", { class: "btn primary big", type: "submit", "data-testid": "join-submit" }, "Join"),
      message);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      classApi.join(this.code, name.value).then(() => this.start(), (err: Error) => {
        message.textContent = err instanceof ApiError && err.status === 404 ? "There is no open class with this code (it may have ended)." : err.message;
      });
    });
    replaceChildren(this.main, form);
    name.focus();
  }

  private enter(view: StudentView): void {
    this.view = view;
    replaceChildren(this.main, this.activityBox, this.revealBox, this.workBox);
    this.render();
    const last = view.seat.runs.at(-1);
    if (last && view.activity) this.panel.open(last.id, last.status, last.ws, "free", view.activity.spec, "Your last run");
    this.socket = new ClassroomSocket(`/ws/classrooms/${this.code}/`, (m) => this.receive(m), (code, live) => {
      this.link.textContent = live ? "○ reconnecting…" : "";
      if (code === 4403) this.say("The teacher removed you from this class.", true);
      if (code === 4410) this.say("The class has ended. Thank you!", true);
    });
    this.socket.start();
  }

  private receive(m: ClassMessage): void {
    const v = this.view;
    if (!v) return;
    if (m.type === "state") this.view = m.student as StudentView;
    else if (m.type === "activity") {
      v.activity = m.activity as Activity;
      if (v.revealed && v.revealed.activity !== v.activity.id) v.revealed = null;
    } else if (m.type === "vote" && v.activity && v.activity.id === m.activity) v.activity.vote = { number: m.vote as number, open: m.open as boolean };
    else if (m.type === "reveal") v.revealed = m.reveal as Reveal;
    else if (m.type === "seat") v.seat = m.seat as StudentView["seat"];
    else if (m.type === "spotlight") v.spotlight = m.spotlight as StudentView["spotlight"];
    this.link.textContent = "● in class";
    this.render();
  }

  private render(): void {
    const v = this.view;
    if (!v) return;
    this.who.textContent = v.seat.name;
    this.renderActivity(v);
    this.revealBox.hidden = !v.revealed || v.revealed.activity !== v.activity?.id;
    if (!this.revealBox.hidden) replaceChildren(this.revealBox, h("header", { class: "panel-head" }, h("h2", null, "The class answered")), revealView(v.revealed!));
  }

  private renderActivity(v: StudentView): void {
    const a = v.activity;
    const key = JSON.stringify([a?.id, a?.editing, a?.vote, v.seat.answers]);
    if (key === this.shownActivity) return;
    const fresh = !this.shownActivity.startsWith(`[${a?.id ?? null},`);
    this.shownActivity = key;
    if (!a) {
      replaceChildren(this.activityBox, h("p", { class: "cr-waiting", "data-testid": "waiting" }, "Waiting for your teacher to start an activity…"));
      this.workBox.hidden = true;
      return;
    }
    if (fresh) {
      this.spec = structuredClone(a.spec);
      this.checkBox.replaceChildren();
      this.snippet = "";
      if (this.panel.session && !v.seat.runs.some((r) => r.id === String(this.panel.session!.id))) this.panel.close();
    }
    replaceChildren(this.activityBox,
      h("header", { class: "cr-activity-head" },
        h("span", { class: "tag", "data-testid": "activity-mode" }, modeLabel(a.mode)),
        h("h2", { "data-testid": "activity-title" }, a.spec.title || a.scenario),
        h("span", { class: "muted" }, `activity ${a.number}`)),
      a.question ? this.question(a, v) : null);
    this.workBox.hidden = false;
    const workKey = `${a.id}/${a.editing}`;
    if (workKey !== this.shownWork) {
      this.shownWork = workKey;
      this.renderWork(a);
    }
  }

  private question(a: Activity, v: StudentView): HTMLElement {
    const vote = a.vote.number;
    const send = (answer: unknown) => classApi.answer(this.code, a.id, answer, vote).then(
      () => this.say(null), (e: Error) => this.say(`Your answer was not taken: ${e.message}`));
    return questionView(a, v.seat.answers[String(vote)], send);
  }

  private renderWork(a: Activity): void {
    const spec = this.spec!;
    const open = a.editing === "open";
    const challenges = (a.spec.challenges ?? []).filter((c) => c.kind !== "predict" || c.id === a.challenge);
    const picker = h("select", { class: "cr-select", "data-testid": "check-challenge", "aria-label": "Challenge to check" },
      challenges.map((c) => h("option", { value: c.id, selected: c.id === a.challenge }, `${c.kind}: ${c.id}`))) as HTMLSelectElement;
    if (!a.challenge) picker.value = challenges.find((c) => c.kind !== "predict")?.id ?? "";
    const text = h("p", { class: "cr-challenge-text", "data-testid": "challenge-text" });
    const showText = () => (text.textContent = challenges.find((c) => c.id === picker.value)?.text ?? "");
    picker.addEventListener("change", showText);
    showText();
    replaceChildren(this.workBox,
      h("div", { class: "cr-toolbar" },
        h("button", { class: "btn primary", "data-testid": "run-free", onclick: () => void this.startRun("free") }, "▶ Run"),
        h("button", { class: "btn", "data-testid": "run-step", onclick: () => void this.startRun("step") }, "Step through it"),
        h("span", { class: "muted cr-lock", "data-testid": "editing-state" }, open ? "You may edit the code below" : "The code is locked by your teacher"),
        challenges.length ? h("span", { class: "cr-check-tools" }, picker,
          h("button", { class: "btn", "data-testid": "check-submit", onclick: () => void this.check(a, challenges.find((c) => c.id === picker.value)) }, "✓ Check")) : null),
      challenges.length ? text : null,
      this.checkBox,
      open ? this.editorArea(spec) : null,
      this.panel.root);
  }

  private editorArea(spec: ScenarioSpec): HTMLElement {
    const node = spec.nodes[0];
    const snippets = [
      ...spec.nodes.map((n) => ({ id: `${n.id}/setup`, label: `${n.id} · setup`, get: () => n.setup ?? "", set: (c: string) => (n.setup = c) })),
      ...spec.nodes.flatMap((n) => n.threads.map((t) => ({ id: `${n.id}/${t.name}`, label: `${n.id} · ${t.name}`, get: () => t.code, set: (c: string) => (t.code = c) }))),
    ];
    if (!this.snippet) this.snippet = `${node.id}/setup`;
    const current = () => snippets.find((s) => s.id === this.snippet) ?? snippets[0];
    const tabs = h("div", { class: "cr-tabs", role: "tablist" }, snippets.map((s) =>
      h("button", {
        class: `cr-tab${s.id === this.snippet ? " on" : ""}`, role: "tab", "data-testid": `snippet-${s.id.replace(/\//g, "-")}`,
        onclick: () => {
          this.snippet = s.id;
          this.editor?.setDoc(s.get());
          tabs.querySelectorAll(".cr-tab").forEach((b) => b.classList.toggle("on", b === tabs.children[snippets.indexOf(s)]));
        },
      }, s.label)));
    this.editorBox.replaceChildren();
    this.editor = new CodeEditor(this.editorBox, (code) => {
      current().set(code);
      this.socket?.send({ type: "editing" });
    });
    this.editor.setDoc(current().get());
    return h("div", { class: "cr-edit" }, tabs, this.editorBox,
      h("button", { class: "btn small", "data-testid": "editor-reset", onclick: () => {
        this.spec = structuredClone(this.view!.activity!.spec);
        this.renderWork(this.view!.activity!);
      } }, "Start again from the lesson's code"));
  }

  private async startRun(mode: "free" | "step", schedule?: string[]): Promise<void> {
    const a = this.view?.activity;
    if (!a || !this.spec || this.busy) return;
    this.busy = true;
    this.say(null);
    try {
      const options = mode === "step" ? { mode, timeout_ms: STEP_TIMEOUT_MS, ...(schedule ? { schedule } : {}) } : { mode };
      const created = await api.createRun(forServer(this.spec), options);
      this.panel.open(String(created.id), created.status, created.ws, mode, this.spec, mode === "step" ? "Your run, step by step" : "Your run");
    } catch (e) {
      this.say(`Could not start the run: ${(e as Error).message}`);
    } finally {
      this.busy = false;
    }
  }

  private async check(a: Activity, challenge: Challenge | undefined): Promise<void> {
    if (!challenge) return;
    const body: Parameters<typeof classApi.check>[1] = { activity: a.id, challenge: challenge.id };
    if (challenge.kind === "fix") body.spec = forServer(this.spec!);
    else if (challenge.kind === "break") {
      const s = this.panel.session;
      if (!s || !s.finished) return this.showCheck(null, "Run or step the scenario first: a break is checked on your finished run.");
      body.run = String(s.id);
    } else {
      const mine = this.view?.seat.answers[String(a.vote.number)];
      if (mine === undefined) return this.showCheck(null, "Answer the question first.");
      body.answer = mine;
    }
    replaceChildren(this.checkBox, h("p", { class: "muted", "data-testid": "check-pending" }, h("span", { class: "spinner" }), challenge.kind === "fix" ? " Checking every interleaving of your code…" : " Checking…"));
    try {
      const result = await classApi.check(this.code, body);
      this.showCheck(result.passed, result.message, result.covered);
    } catch (e) {
      this.showCheck(null, (e as Error).message);
    }
  }

  private showCheck(passed: boolean | null, message: string, covered?: string): void {
    this.checkBox.dataset.passed = passed === null ? "" : String(passed);
    replaceChildren(this.checkBox,
      h("div", { class: `verdict tone-${passed ? "ok" : passed === false ? "bad" : "neutral"}` },
        h("strong", null, passed ? "✓ Passed" : passed === false ? "✗ Not yet" : "…"), " ", message,
        covered ? h("span", { class: "muted" }, ` (${covered})`) : null));
  }
}
