// The teacher's activity composer: a lesson, a mode, a challenge (a predict challenge
// fills in the question and its choices), the question, locked or open code.

import { h, replaceChildren } from "../views/dom";
import { classApi, type Challenge } from "./classroomApi";
import { modeLabel } from "./widgets";

/** What the teacher pushes to the class. */
export type ActivityPush = Parameters<typeof classApi.push>[1];

/** The composer's form; `push` sends an activity (the page shows what became of it). */
export function composerForm(open: boolean, push: (activity: ActivityPush) => Promise<unknown>): HTMLElement {
    const lesson = h("select", { class: "cr-select", "data-testid": "push-scenario" }, h("option", { value: "" }, "Loading lessons…")) as HTMLSelectElement;
    const mode = h("select", { class: "cr-select", "data-testid": "push-mode" },
      ["predict", "run", "break", "fix"].map((m) => h("option", { value: m }, modeLabel(m)))) as HTMLSelectElement;
    const challenge = h("select", { class: "cr-select", "data-testid": "push-challenge" }) as HTMLSelectElement;
    const question = h("textarea", { class: "cr-input", rows: 3, "data-testid": "push-question", placeholder: "The question (a predict challenge fills it in)" }) as HTMLTextAreaElement;
    const choices = h("input", { class: "cr-input", "data-testid": "push-choices", placeholder: "Choices, separated by |  (empty: a value)" }) as HTMLInputElement;
    const editing = h("select", { class: "cr-select", "data-testid": "push-editing" },
      h("option", { value: "locked" }, "Code locked"), h("option", { value: "open" }, "Students may edit")) as HTMLSelectElement;
    let found: Challenge[] = [];
    const fillChallenge = () => {
      const c = found.find((x) => x.id === challenge.value);
      if (c?.kind === "predict") {
        question.value = c.text;
        choices.value = (c.choices ?? []).map(String).join(" | ");
      }
    };
    const fillChallenges = () => {
      const m = mode.value;
      const fits = found.filter((c) => m === "run" || m === "predict" ? true : c.kind === m);
      replaceChildren(challenge, h("option", { value: "" }, "no challenge"),
        fits.map((c) => h("option", { value: c.id }, `${c.kind}: ${c.id}`)));
      const first = fits.find((c) => (m === "predict" ? c.kind === "predict" : c.kind === m));
      challenge.value = first?.id ?? "";
      question.value = "";
      choices.value = "";
      fillChallenge();
      if (m === "fix") editing.value = "open";
    };
    const loadLesson = () => {
      found = [];
      if (!lesson.value) return fillChallenges();
      void classApi.scenario(lesson.value).then((spec) => {
        found = spec.challenges ?? [];
        fillChallenges();
      });
    };
    lesson.addEventListener("change", loadLesson);
    mode.addEventListener("change", fillChallenges);
    challenge.addEventListener("change", fillChallenge);
    void classApi.scenarios().then((list) => {
      replaceChildren(lesson, list.map((s) => h("option", { value: s.slug }, s.title || s.slug)));
      lesson.value = list.some((s) => s.slug === "bank-withdraw-race") ? "bank-withdraw-race" : list[0]?.slug ?? "";
      loadLesson();
    });
    const form = h("form", { class: "cr-form" },
      h("label", null, "Lesson", lesson), h("label", null, "Mode", mode), h("label", null, "Challenge", challenge),
      h("label", null, "Question", question), h("label", null, "Choices", choices), h("label", null, "Code", editing),
      h("button", { class: "btn primary", type: "submit", "data-testid": "push-activity", disabled: !open }, "Push to the class ▶"));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const text = question.value.trim();
      const list = choices.value.split("|").map((c) => c.trim()).filter(Boolean);
      void push({
        scenario: lesson.value, mode: mode.value, challenge: challenge.value || null, editing: editing.value,
        question: text ? { text, choices: list.length ? list : null } : null,
      });
    });
    return form;
}
