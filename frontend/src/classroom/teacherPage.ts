// The teacher's dashboard at /classrooms/<CODE>/: the join code big, the link and its
// QR code; the live roster with presence, answers, status, outcome and challenge; the
// activity composer (a lesson, a mode, a challenge, the question, locked or open code);
// the peer-instruction loop (vote 1, the exploration, reveal, vote 2, the shift); the
// class's outcomes and witness gallery; the spotlight on the projector; export; end.

import { h, replaceChildren } from "../views/dom";
import { classApi, type Dashboard, type Reveal, type Spotlight, type Student } from "./classroomApi";
import { ClassroomSocket, type ClassMessage } from "./classroomSocket";
import { composerForm } from "./composer";
import { applySeats, type SeatsMessage } from "./dashboardModel";
import { answerText, bars, explorationView, modeLabel, shell, tallyView } from "./widgets";

export class TeacherPage {
  private d: Dashboard;
  private readonly link = h("span", { class: "cr-link", "data-testid": "connection" });
  private readonly notice = h("p", { class: "notice", "data-testid": "notice", hidden: true });
  private readonly joinBox = h("section", { class: "panel cr-joinbox", "data-testid": "join-box" });
  private readonly roster = h("section", { class: "panel cr-roster", "data-testid": "roster" });
  private readonly composer = h("section", { class: "panel cr-composer", "data-testid": "composer" });
  private readonly current = h("section", { class: "panel cr-current", "data-testid": "current-activity" });
  private readonly outcomes = h("section", { class: "panel cr-outcomes", "data-testid": "class-outcomes" });
  private readonly gallery = h("section", { class: "panel cr-gallery", "data-testid": "gallery" });
  private readonly spot = h("section", { class: "panel cr-spot", "data-testid": "spotlight" });
  private showName = false;
  private selected: number | null = null; // a student whose runs are listed
  private socket: ClassroomSocket | null = null;

  constructor(root: HTMLElement, dashboard: Dashboard) {
    this.d = dashboard;
    const exports = h("span", { class: "cr-exports" },
      h("a", { class: "btn small", href: classApi.results(dashboard.code, "csv"), download: `classroom-${dashboard.code}.csv`, "data-testid": "export-csv" }, "⇩ CSV"),
      h("a", { class: "btn small", href: classApi.results(dashboard.code, "json"), target: "_blank", "data-testid": "export-json" }, "⇩ JSON"),
      h("a", { class: "btn small", href: "/classrooms/", "data-testid": "my-classes" }, "My classes"));
    replaceChildren(root, shell(`${dashboard.title} · teacher`, [this.link, exports]), this.notice,
      h("main", { class: "cr-main cr-teacher" },
        h("div", { class: "cr-col cr-col-left" }, this.joinBox, this.spot, this.composer),
        h("div", { class: "cr-col cr-col-mid" }, this.current, this.roster),
        h("div", { class: "cr-col cr-col-right" }, this.outcomes, this.gallery)));
    this.renderComposer();
    this.render();
    if (dashboard.open) {
      // ?deltas=1: after the whole state, each flush brings only the seats that changed (dashboardModel.ts).
      this.socket = new ClassroomSocket(`/ws/classrooms/${dashboard.code}/?deltas=1`, (m) => this.receive(m), (_code, live) => {
        this.link.textContent = live ? "○ reconnecting…" : "class ended";
      });
      this.socket.start();
    }
  }

  private get code(): string {
    return this.d.code;
  }

  private receive(m: ClassMessage): void {
    if (m.type === "state" || m.type === "dashboard") this.d = { ...this.d, ...(m.dashboard as Dashboard) };
    else if (m.type === "seats") this.d = applySeats(this.d, m as unknown as SeatsMessage);
    else if (m.type === "reveal" && this.d.activity) {
      const r = m.reveal as Reveal;
      if (r.activity === this.d.activity.id) this.d.activity.revealed = r.revealed;
    } else if (m.type === "spotlight") this.d.spotlight = m.spotlight as Spotlight | null;
    else if (m.type === "ended") this.d.open = false;
    this.link.textContent = "● live";
    this.render();
  }

  private act(what: string, p: Promise<unknown>): Promise<unknown> {
    this.notice.hidden = true;
    return p.catch((e: Error) => {
      this.notice.hidden = false;
      this.notice.textContent = `Could not ${what}: ${e.message}`;
    });
  }

  private refresh(): void {
    void classApi.view<Dashboard>(this.code).then((d) => {
      this.d = { ...this.d, ...d };
      this.render();
    });
  }

  private render(): void {
    const d = this.d;
    this.renderJoin();
    // Each part is drawn again only when what it shows changed (a click is never lost to a redraw).
    keyed(this.roster, [d.students, d.activity?.question, this.selected], () => this.renderRoster());
    keyed(this.current, [d.activity, d.students.map((s) => s.answers), d.open], () => this.renderCurrent());
    keyed(this.outcomes, d.outcomes, () => this.renderOutcomes());
    keyed(this.gallery, [d.gallery, d.students.map((s) => s.name)], () => this.renderGallery());
    keyed(this.spot, [d.spotlight, d.activity?.exploration?.run], () => this.renderSpotlight());
  }

  private renderJoin(): void {
    const d = this.d;
    if (this.joinBox.dataset.code === d.code && this.joinBox.dataset.open === String(d.open)) return;
    this.joinBox.dataset.code = d.code;
    this.joinBox.dataset.open = String(d.open);
    replaceChildren(this.joinBox,
      h("p", { class: "muted" }, d.open ? "Join at" : "This class has ended"),
      h("a", { class: "cr-join-url", href: d.join_url, target: "_blank", "data-testid": "join-url" }, d.join_url.replace(/^https?:\/\//, "")),
      h("div", { class: "cr-code", "data-testid": "join-code", "aria-label": `Join code ${d.code.split("").join(" ")}` }, d.code),
      d.open ? h("img", { class: "cr-qr", src: d.qr, alt: `QR code of ${d.join_url}`, "data-testid": "join-qr" }) : null,
      h("div", { class: "cr-row" },
        h("a", { class: "btn primary", href: d.screen_url, target: "playground-projector", "data-testid": "open-projector" }, "Open the projector view ↗"),
        d.open ? h("button", { class: "btn danger", "data-testid": "end-class", onclick: () => {
          if (confirm("End the class? The code stops working and every student is told.")) void this.act("end the class", classApi.end(this.code)).then(() => this.refresh());
        } }, "End class") : null));
  }

  private renderRoster(): void {
    const students = this.d.students;
    const a = this.d.activity;
    const online = students.filter((s) => s.connected).length;
    replaceChildren(this.roster,
      h("header", { class: "panel-head" }, h("h2", null, "Students"), h("span", { class: "panel-note", "data-testid": "roster-count" }, `${online} of ${students.length} connected`)),
      students.length ? h("table", { class: "cr-table" },
        h("thead", null, h("tr", null, h("th", null, "name"), h("th", null, "status"), a?.question ? h("th", null, "votes") : null, h("th", null, "outcome"), h("th", null, "challenge"), h("th", null, ""))),
        h("tbody", null, students.map((s) => this.studentRow(s, !!a?.question))))
        : h("p", { class: "muted cr-empty" }, "Nobody has joined yet. Show the code or the QR code."),
      this.selected !== null ? this.studentRuns() : null);
  }

  private studentRow(s: Student, votes: boolean): HTMLElement {
    const c = s.challenge;
    const challenge = !c ? h("span", { class: "muted" }, "—")
      : c.source === "check" ? h("span", { class: `pill ${c.passed ? "ok" : "bad"}`, title: c.message ?? "", "data-testid": `challenge-${s.name}` }, `${c.passed ? "✓" : "✗"} ${c.challenge}`)
      : h("span", { class: `pill ${c.ok ? "ok" : "bad"}`, title: c.message ?? c.title ?? "", "data-testid": `challenge-${s.name}` }, c.title ?? c.kind ?? "");
    return h("tr", { "data-testid": `student-${s.name}`, "data-status": s.status, "data-connected": String(s.connected), class: this.selected === s.id ? "selected" : "" },
      h("td", null, h("span", { class: `cr-dot${s.connected ? " on" : ""}`, title: s.connected ? "connected" : `last seen ${s.last_seen ?? "never"}` }),
        h("button", { class: "linklike", title: "See this student's runs", onclick: () => {
          this.selected = this.selected === s.id ? null : s.id;
          this.render();
        } }, s.name)),
      h("td", null, h("span", { class: `pill status-${s.status}`, "data-testid": `status-${s.name}` }, s.status)),
      votes ? h("td", { class: "cr-votes", "data-testid": `votes-${s.name}` }, answerText(s.answers["1"] ?? "·"), s.answers["2"] !== undefined ? ` → ${answerText(s.answers["2"])}` : "") : null,
      h("td", { class: "cr-outcome" }, s.run?.outcome ? h("a", { href: `/#/runs/${s.run.id}`, target: "_blank", title: "Open this run" }, s.run.outcome.label) : s.run ? h("span", { class: "muted" }, s.run.status) : ""),
      h("td", null, challenge),
      h("td", { class: "cr-actions" },
        s.run ? h("button", { class: "btn small", title: "Put this run on the projector", "data-testid": `spotlight-${s.name}`, onclick: () => void this.act("spotlight", classApi.spotlight(this.code, s.run!.id, this.showName)) }, "Show") : null,
        h("button", { class: "btn small", title: "Rename", "data-testid": `rename-${s.name}`, onclick: () => {
          const name = prompt(`Rename ${s.name} to:`, s.name);
          if (name && name !== s.name) void this.act("rename", classApi.rename(this.code, s.id, name));
        } }, "✎"),
        h("button", { class: "btn small", title: "Remove from the class", "data-testid": `remove-${s.name}`, onclick: () => {
          if (confirm(`Remove ${s.name} from the class?`)) void this.act("remove", classApi.remove(this.code, s.id));
        } }, "✕")));
  }

  private studentRuns(): HTMLElement | null {
    const s = this.d.students.find((x) => x.id === this.selected);
    if (!s) return null;
    const latest = s.run;
    return h("div", { class: "cr-student-runs", "data-testid": "student-runs" },
      h("p", null, h("strong", null, s.name), ` · ${typeof s.runs === "number" ? s.runs : s.runs.length} run(s) on this activity`),
      latest ? h("p", null, "Latest: ", h("a", { href: `/#/runs/${latest.id}`, target: "_blank", "data-testid": "student-run-link" }, `${latest.status}${latest.outcome ? ` — ${latest.outcome.label}` : ""}`))
        : h("p", { class: "muted" }, "No run yet."),
      s.challenge?.message ? h("p", { class: "muted" }, s.challenge.message) : null);
  }

  private renderCurrent(): void {
    const a = this.d.activity;
    if (!a) return replaceChildren(this.current, h("header", { class: "panel-head" }, h("h2", null, "Activity")), h("p", { class: "muted cr-empty" }, "No activity yet: push one (right)."));
    const vote = a.vote.number;
    const answered = this.d.students.filter((s) => s.answers[String(vote)] !== undefined).length;
    const exploring = a.exploration;
    const revealed = a.revealed.includes(vote);
    replaceChildren(this.current,
      h("header", { class: "panel-head" }, h("h2", null, `Activity ${a.number} · ${modeLabel(a.mode)}`), h("span", { class: "panel-note" }, a.spec.title || a.scenario)),
      a.question ? h("div", { class: "cr-question-teacher" },
        h("p", { class: "cr-question-text", "data-testid": "teacher-question" }, a.question.text),
        h("p", { class: "cr-vote-state", "data-testid": "teacher-vote-state" },
          `Vote ${vote} ${a.vote.open ? "open" : "closed"} · ${answered} of ${this.d.students.length} answered`,
          revealed ? " · revealed" : " · the tally is hidden from the class")) : null,
      h("div", { class: "cr-row cr-loop" },
        h("button", { class: "btn", "data-testid": "run-exploration", disabled: !this.d.open || (!!exploring && !exploring.outcomes), onclick: () => void this.act("run the exploration", classApi.explore(this.code, a.id)) },
          exploring?.outcomes ? "↻ Explore again" : "Run the exploration"),
        a.question ? h("button", { class: "btn primary", "data-testid": "reveal", disabled: !this.d.open || revealed, onclick: () => void this.act("reveal", classApi.reveal(this.code, a.id)).then(() => this.refresh()) }, `Reveal vote ${vote}`) : null,
        a.question && vote === 1 ? h("button", { class: "btn", "data-testid": "open-vote-2", disabled: !this.d.open, onclick: () => void this.act("open vote 2", classApi.vote(this.code, a.id, 2)) }, "Open vote 2") : null,
        a.question && a.vote.open ? h("button", { class: "btn", "data-testid": "close-vote", onclick: () => void this.act("close the vote", classApi.vote(this.code, a.id, vote, false)) }, `Close vote ${vote}`) : null,
        h("button", { class: "btn", "data-testid": "toggle-editing", disabled: !this.d.open, onclick: () => void this.act("change editing", classApi.editing(this.code, a.id, a.editing === "open" ? "locked" : "open")) },
          a.editing === "open" ? "Lock the code" : "Let them edit the code")),
      h("div", { class: "cr-reveal-grid" },
        a.tallies.map((t) => h("div", { class: `cr-tally-wrap${a.revealed.includes(t.vote) ? " shown" : " private"}` },
          a.revealed.includes(t.vote) ? null : h("span", { class: "cr-private" }, "only you see this"), tallyView(t, `teacher-tally-${t.vote}`))),
        explorationView(exploring, "teacher-exploration")),
      a.shift.length ? h("div", { class: "cr-shift", "data-testid": "shift" }, h("h3", null, "How answers shifted"),
        h("ul", null, a.shift.map((m) => h("li", null, h("span", { class: "cr-from" }, m.from), " → ", h("span", { class: "cr-to" }, m.to), h("span", { class: "muted" }, ` × ${m.count}`))))) : null);
  }

  private renderOutcomes(): void {
    const o = this.d.outcomes;
    replaceChildren(this.outcomes,
      h("header", { class: "panel-head" }, h("h2", null, "The class's outcomes"), h("span", { class: "panel-note" }, "each student's latest run")),
      bars(o.map((x) => ({ label: x.label, count: x.count, tone: x.label.endsWith(")") ? "bad" : undefined })), "outcome-bars", "finished runs"));
  }

  private renderGallery(): void {
    const cards = this.d.gallery;
    const names = new Map(this.d.students.map((s) => [s.id, s.name]));
    replaceChildren(this.gallery,
      h("header", { class: "panel-head" }, h("h2", null, "Witness gallery"), h("span", { class: "panel-note" }, `${cards.length} distinct outcome${cards.length === 1 ? "" : "s"}`)),
      cards.length ? h("div", { class: "cr-cards" }, cards.map((c) =>
        h("article", { class: `cr-card${c.status === "completed" ? "" : " bad"}`, "data-testid": "gallery-card", "data-key": c.key, "data-count": String(c.count) },
          h("a", { class: "cr-card-label", href: `/#/runs/${c.run}`, target: "_blank", title: "Open the witness run" }, c.label),
          h("p", { class: "cr-card-count" }, h("strong", null, String(c.count)), ` student${c.count === 1 ? "" : "s"} found it`, c.runs > c.count ? h("span", { class: "muted" }, ` · ${c.runs} runs`) : null),
          h("p", { class: "muted cr-card-who" }, c.students.map((id) => names.get(id)).filter(Boolean).join(", ")),
          h("button", { class: "btn small", "data-testid": "gallery-spotlight", onclick: () => void this.act("spotlight", classApi.spotlight(this.code, c.run, this.showName)) }, "Show on the projector"))))
        : h("p", { class: "muted cr-empty" }, "Runs appear here grouped by how they ended."));
  }

  private renderSpotlight(): void {
    const s = this.d.spotlight;
    const explore = this.d.activity?.exploration;
    const toggle = h("input", { type: "checkbox", "data-testid": "show-name", checked: this.showName }) as HTMLInputElement;
    toggle.addEventListener("change", () => (this.showName = toggle.checked));
    replaceChildren(this.spot,
      h("header", { class: "panel-head" }, h("h2", null, "On the projector")),
      h("p", { "data-testid": "spotlight-now" }, s ? `${s.kind === "exploration" ? "The exploration" : `A run${s.name ? ` by ${s.name}` : ""}`}${s.outcome ? ` — ${s.outcome.label}` : ""}` : "Nothing spotlighted: the question, and the tally once revealed."),
      h("label", { class: "cr-check-label" }, toggle, " show the student's name"),
      h("div", { class: "cr-row" },
        explore ? h("button", { class: "btn small", "data-testid": "spotlight-exploration", onclick: () => void this.act("spotlight", classApi.spotlight(this.code, explore.run)) }, "Show the exploration") : null,
        s ? h("button", { class: "btn small", "data-testid": "spotlight-clear", onclick: () => void this.act("clear", classApi.spotlight(this.code, null)) }, "Clear") : null));
  }

  private renderComposer(): void {
    replaceChildren(this.composer, h("header", { class: "panel-head" }, h("h2", null, "Push an activity")),
      composerForm(this.d.open, (activity) => this.act("push the activity", classApi.push(this.code, activity).then(() => this.refresh()))));
  }
}

function keyed(el: HTMLElement, what: unknown, draw: () => void): void {
  const key = JSON.stringify(what);
  if (el.dataset.key === key) return;
  el.dataset.key = key;
  draw();
}
