// The projector at /classrooms/<CODE>/screen (the teacher's, in a window of its own):
// large type, and only what the teacher chooses — the question (never its tally before
// the reveal), the revealed votes beside the real distribution of outcomes, or a
// spotlighted run replayed step by step in the space-time diagram.

import { h, replaceChildren } from "../views/dom";
import type { Activity, Reveal, ScreenView, Spotlight } from "./classroomApi";
import { ClassroomSocket, type ClassMessage } from "./classroomSocket";
import { RunPanel } from "./runPanel";
import { modeLabel, revealView } from "./widgets";

export class ScreenPage {
  private v: ScreenView | null = null;
  private readonly stage = h("main", { class: "cr-screen-stage", "data-testid": "screen-stage" });
  private readonly foot = h("footer", { class: "cr-screen-foot" });
  // A spotlighted run is replayed from its start once all of it is here, a step a moment, for the room to follow.
  private readonly panel: RunPanel = new RunPanel({ finished: (s) => s.mode !== "explore" && this.panel.replay(2) }, true);
  private shownRun = "";

  constructor(root: HTMLElement, private readonly code: string) {
    document.body.classList.add("cr-projector");
    replaceChildren(root, h("div", { class: "cr-screen", "data-testid": "screen" }, this.stage, this.foot));
  }

  start(): void {
    new ClassroomSocket(`/ws/classrooms/${this.code}/screen`, (m) => this.receive(m), (code) => {
      if (code === 4410) replaceChildren(this.stage, h("p", { class: "cr-screen-big" }, "The class has ended."));
      if (code === 4404 || code === 4403) replaceChildren(this.stage, h("p", { class: "cr-screen-big" }, "This projector view is the class's teacher's."));
    }).start();
  }

  private receive(m: ClassMessage): void {
    if (m.type === "state") this.v = m.screen as ScreenView;
    const v = this.v;
    if (!v) return;
    if (m.type === "activity") {
      v.activity = m.activity as Activity;
      if (v.revealed && v.revealed.activity !== v.activity.id) v.revealed = null;
    } else if (m.type === "vote" && v.activity && v.activity.id === m.activity) v.activity.vote = { number: m.vote as number, open: m.open as boolean };
    else if (m.type === "reveal") v.revealed = m.reveal as Reveal;
    else if (m.type === "spotlight") v.spotlight = m.spotlight as Spotlight | null;
    this.render();
  }

  private render(): void {
    const v = this.v!;
    const a = v.activity;
    const s = v.spotlight;
    replaceChildren(this.foot,
      h("span", null, v.title),
      h("span", { class: "cr-screen-join" }, `Join at ${location.host}/classrooms/${v.code}/ · code `, h("strong", { "data-testid": "screen-code" }, v.code)));
    if (s) return this.renderSpotlight(s, a);
    this.shownRun = "";
    this.panel.close();
    const revealed = v.revealed && a && v.revealed.activity === a.id ? v.revealed : null;
    if (!a) {
      return replaceChildren(this.stage,
        h("div", { class: "cr-screen-welcome", "data-testid": "screen-welcome" },
          h("p", { class: "cr-screen-kicker" }, "Join the class"),
          h("div", { class: "cr-code huge" }, v.code),
          h("img", { class: "cr-qr big", src: `/api/classrooms/${v.code}/qr.svg`, alt: "QR code of the join link", "data-testid": "screen-qr" }),
          h("p", { class: "cr-screen-url" }, `${location.host}/classrooms/${v.code}/`)));
    }
    replaceChildren(this.stage,
      h("p", { class: "cr-screen-kicker" }, `${modeLabel(a.mode)} · ${a.spec.title || a.scenario}`),
      a.question ? h("h1", { class: "cr-screen-question", "data-testid": "screen-question" }, a.question.text) : null,
      a.question && !revealed ? h("p", { class: "cr-screen-note", "data-testid": "screen-vote" }, a.vote.open ? `Vote ${a.vote.number} is open — answer on your device` : `Vote ${a.vote.number} is closed`) : null,
      a.question?.choices && !revealed ? h("div", { class: "cr-screen-choices" }, a.question.choices.map((c) => h("span", { class: "cr-screen-choice" }, String(c)))) : null,
      revealed ? h("div", { class: "cr-screen-reveal", "data-testid": "screen-reveal" }, revealView(revealed)) : null);
  }

  private renderSpotlight(s: Spotlight, a: Activity | null): void {
    if (this.shownRun !== `${s.run}@${s.at}`) {
      this.shownRun = `${s.run}@${s.at}`;
      replaceChildren(this.stage,
        h("p", { class: "cr-screen-kicker", "data-testid": "screen-spotlight" },
          s.kind === "exploration" ? "Every interleaving, explored" : s.name ? `${s.name}'s run` : "A run from the class",
          s.outcome ? h("span", { class: "cr-screen-outcome" }, ` — ${s.outcome.label}`) : null),
        this.panel.root);
      this.panel.open(s.run, s.status, s.ws, s.kind === "exploration" ? "explore" : "free", a?.spec ?? null);
    }
  }
}
