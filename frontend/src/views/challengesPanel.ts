// The open lesson's challenges: predict (choices, or a value, answered before
// running; then Check), break (a goal; the learner's finished run is checked by
// itself), fix (edit the code, Check my fix; not yet → the shortest failing
// schedule, steppable on the page), hints one at a time, and the next lesson.

import { choiceLabel, type Challenge, type ChallengeState, type Lesson } from "../model/curriculum";
import { h, replaceChildren, type Children } from "./dom";
import { markdownToHtml } from "./markdown";

/** What a check answered, as the panel shows it. */
export interface ShownCheck {
  passed: boolean;
  message: string;
  covered?: string;
  witnessSteps: number | null; // fix: the shortest failing schedule's length
}

export interface ChallengeCard {
  challenge: Challenge;
  state: ChallengeState;
  hintsShown: number;
  checking: boolean;
  answer: unknown[]; // predict: the choices ticked
  value: string; // predict without choices: the value typed
  result: ShownCheck | null;
}

export interface ChallengeActions {
  choose(id: string, answer: unknown[]): void;
  type(id: string, value: string): void;
  check(id: string): void; // predict: the answer given
  startStepping(): void; // break: Step mode
  editFix(id: string): void; // fix: the lesson's code in the editor
  checkFix(id: string): void;
  stepWitness(id: string): void;
  hint(id: string): void;
  next(slug: string): void;
}

export interface ChallengesView {
  lesson: Lesson;
  cards: ChallengeCard[];
  fixing: string | null; // the fix challenge whose code is open in the editor
  next: { slug: string; title: string; number: string } | null;
}

const KIND_TITLE: Record<string, string> = { predict: "Predict", break: "Break it", fix: "Fix it" };

export function renderChallenges(root: HTMLElement, view: ChallengesView | null, act: ChallengeActions): void {
  root.hidden = !view;
  if (!view) return replaceChildren(root);
  const passed = view.cards.filter((c) => c.state === "passed").length;
  replaceChildren(root,
    h("header", { class: "panel-head" },
      h("h2", null, `Lesson ${view.lesson.number} · challenges`),
      h("span", { class: "panel-note", "data-testid": "challenges-score" }, `${passed} of ${view.cards.length} passed`)),
    h("ol", { class: "challenges" }, view.cards.map((c) => card(c, view, act))),
    view.next
      ? h("p", { class: "next-lesson" },
          h("button", { class: `btn ${passed === view.cards.length ? "primary" : ""}`.trim(), "data-testid": "next-lesson", onclick: () => act.next(view.next!.slug) },
            `Next lesson → ${view.next.number} ${view.next.title}`))
      : h("p", { class: "muted next-lesson" }, "This is the last lesson of the course."));
}

function card(c: ChallengeCard, view: ChallengesView, act: ChallengeActions): HTMLElement {
  const ch = c.challenge;
  const text = h("div", { class: "challenge-text" });
  text.innerHTML = markdownToHtml(ch.text);
  return h("li", { class: `challenge kind-${ch.kind} state-${c.state.replace(" ", "-")}`, "data-testid": `challenge-${ch.id}`, "data-kind": ch.kind, "data-state": c.state },
    h("div", { class: "challenge-head" },
      h("span", { class: "challenge-kind" }, KIND_TITLE[ch.kind] ?? ch.kind),
      h("span", { class: `challenge-state`, "data-testid": `challenge-state-${ch.id}` }, c.state === "passed" ? "✓ passed" : c.state === "tried" ? "tried" : "not tried")),
    text,
    ch.kind === "predict" ? predict(c, act) : ch.kind === "break" ? breakIt(c, act) : fix(c, view, act),
    c.result ? resultLine(c, act) : null,
    hints(c, act));
}

function predict(c: ChallengeCard, act: ChallengeActions): Children {
  const ch = c.challenge;
  const id = ch.id;
  const many = /\bevery\b|\ball\b/i.test(ch.text);
  const picked = (x: unknown) => c.answer.some((a) => choiceLabel(a) === choiceLabel(x));
  const body: Children = ch.choices?.length
    ? h("div", { class: "choices", role: many ? "group" : "radiogroup" }, ch.choices.map((x) => {
        const input = h("input", { type: many ? "checkbox" : "radio", name: `predict-${id}`, checked: picked(x), "data-testid": `choice-${id}-${choiceLabel(x)}` }) as HTMLInputElement;
        input.addEventListener("change", () => {
          const rest = c.answer.filter((a) => choiceLabel(a) !== choiceLabel(x));
          act.choose(id, many ? (input.checked ? [...rest, x] : rest) : [x]);
        });
        return h("label", { class: "choice" }, input, h("code", null, choiceLabel(x)));
      }))
    : (() => {
        const input = h("input", { value: c.value, placeholder: "your answer", "data-testid": `value-${id}`, "aria-label": "Your answer" }) as HTMLInputElement;
        input.addEventListener("input", () => act.type(id, input.value));
        return input;
      })();
  const ready = ch.choices?.length ? c.answer.length > 0 : c.value.trim() !== "";
  return h("div", { class: "challenge-actions" }, body,
    h("button", { class: "btn small primary", "data-testid": `check-${id}`, disabled: !ready || c.checking, onclick: () => act.check(id) },
      c.checking ? "Checking…" : "Check my answer"));
}

function breakIt(c: ChallengeCard, act: ChallengeActions): Children {
  return h("div", { class: "challenge-actions" },
    h("button", { class: "btn small", "data-testid": `break-step-${c.challenge.id}`, onclick: () => act.startStepping() }, "▷ Start stepping"),
    h("span", { class: "muted" }, c.checking ? "Checking your run…" : "When your run ends, it is checked by itself."));
}

function fix(c: ChallengeCard, view: ChallengesView, act: ChallengeActions): Children {
  const id = c.challenge.id;
  const open = view.fixing === id;
  return h("div", { class: "challenge-actions" },
    open ? null : h("button", { class: "btn small", "data-testid": `edit-fix-${id}`, onclick: () => act.editFix(id) },
      c.challenge.starts_from_other_code ? "✎ Open the broken version in the editor" : "✎ Edit the code"),
    h("button", { class: "btn small primary", "data-testid": `check-fix-${id}`, disabled: !open || c.checking, title: open ? "Explore every interleaving of your code" : "Edit the code first",
      onclick: () => act.checkFix(id) }, c.checking ? "Checking every interleaving…" : "Check my fix"));
}

function resultLine(c: ChallengeCard, act: ChallengeActions): HTMLElement {
  const r = c.result!;
  const kind = c.challenge.kind;
  const head = r.passed ? (kind === "break" ? "Broken! " : kind === "fix" ? "Fixed! " : "Right! ") : "Not yet: ";
  // The server's message may open with its own verdict word; said once is enough.
  const message = r.message
    .replace(/^(Broken!|Fixed[:!]|Right[:!]|Not (?:fixed|broken) yet[:!]?|Not quite\.)\s*/i, "")
    .replace(/^([^:]{2,40}): \1:\s*/i, "$1: ");
  return h("div", { class: `check-result ${r.passed ? "passed" : "failed"}`, "data-testid": `check-result-${c.challenge.id}`, "data-passed": String(r.passed), role: "status" },
    h("strong", null, head), message,
    r.covered && !message.includes(r.covered) ? h("span", { class: "muted covered" }, ` (${r.covered})`) : null,
    !r.passed && r.witnessSteps !== null
      ? h("div", { class: "witness" },
          h("button", { class: "btn small", "data-testid": `witness-${c.challenge.id}`, onclick: () => act.stepWitness(c.challenge.id) },
            `▷ Step through the shortest failing schedule (${r.witnessSteps} steps)`))
      : null);
}

function hints(c: ChallengeCard, act: ChallengeActions): Children {
  const all = c.challenge.hints ?? [];
  if (!all.length) return null;
  const shown = all.slice(0, c.hintsShown);
  return h("div", { class: "hints" },
    shown.length ? h("ol", { class: "hint-list", "data-testid": `hints-${c.challenge.id}` }, shown.map((t) => {
      const li = h("li");
      li.innerHTML = markdownToHtml(t);
      return li;
    })) : null,
    c.hintsShown < all.length
      ? h("button", { class: "linklike", "data-testid": `hint-${c.challenge.id}`, onclick: () => act.hint(c.challenge.id) },
          c.hintsShown ? `Another hint (${all.length - c.hintsShown} left)` : `Show a hint (${all.length})`)
      : null);
}
