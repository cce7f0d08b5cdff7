// The question a student answers (vote 1, then vote 2 when the teacher opens it): one
// button per choice, or a value typed in; closed votes show the answer given.

import { h } from "../views/dom";
import type { Activity } from "./classroomApi";
import { answerText } from "./widgets";

export function questionView(a: Activity, mine: unknown, send: (answer: unknown) => Promise<void>): HTMLElement {
  const q = a.question!;
  const vote = a.vote.number;
  const open = a.vote.open;
  const choices = q.choices?.length
    ? h("div", { class: "cr-choices" }, q.choices.map((c) =>
        h("button", {
          class: `btn big cr-choice${mine !== undefined && answerText(mine) === answerText(c) ? " chosen" : ""}`,
          "data-testid": `choice-${answerText(c)}`, disabled: !open, onclick: () => void send(c),
        }, answerText(c))))
    : valueForm(open, mine, send);
  return h("div", { class: "cr-question", "data-testid": "question" },
    h("p", { class: "cr-question-text" }, q.text),
    h("p", { class: "cr-vote-state", "data-testid": "vote-state" },
      open ? `Vote ${vote} is open` : `Vote ${vote} is closed`,
      mine !== undefined ? h("span", { "data-testid": "my-answer" }, ` · your answer: ${answerText(mine)}`) : open ? " · choose your answer" : ""),
    choices);
}

function valueForm(open: boolean, mine: unknown, send: (a: unknown) => Promise<void>): HTMLElement {
  const input = h("input", { class: "cr-input", "data-testid": "answer-value", value: mine === undefined ? "" : answerText(mine), disabled: !open }) as HTMLInputElement;
  const form = h("form", { class: "cr-value" }, input, h("button", { class: "btn primary", type: "submit", disabled: !open, "data-testid": "answer-submit" }, "Answer"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    void send(text !== "" && !Number.isNaN(Number(text)) ? Number(text) : text);
  });
  return form;
}
