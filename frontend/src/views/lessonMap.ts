// The lesson map: the course in chapters, each lesson numbered ("1.2 Two
// withdrawals from one account") with one mark per challenge (not tried,
// tried, passed); below it, scenarios outside the course (your own, saved ones).

import { challengeState, lessonProgress, lessons, type Curriculum, type Progress } from "../model/curriculum";
import type { ScenarioSummary } from "../model/spec";
import { h, replaceChildren } from "./dom";

const KIND_WORD: Record<string, string> = { predict: "Predict", break: "Break it", fix: "Fix it" };

export function renderLessonMap(
  root: HTMLElement, course: Curriculum, progress: Progress, scenarios: readonly ScenarioSummary[],
  selected: string | null, onSelect: (slug: string) => void,
): void {
  const inCourse = new Set(lessons(course).map((l) => l.slug));
  const others = scenarios.filter((s) => !inCourse.has(s.slug));
  replaceChildren(root,
    h("nav", { class: "lesson-map", "data-testid": "lesson-map", "aria-label": "Lessons" },
      course.chapters.filter((c) => c.lessons.length).map((chapter) =>
        h("section", { class: "chapter", "data-testid": `chapter-${chapter.id}` },
          h("h3", { class: "chapter-title" }, h("span", { class: "chapter-no" }, String(chapter.number)), " ", chapter.title),
          h("ol", { class: "lessons", role: "list" }, chapter.lessons.map((lesson) => {
            const done = lessonProgress(progress, lesson);
            const current = lesson.slug === selected;
            return h("li", null,
              h("button", {
                class: `lesson${current ? " selected" : ""}${done.total && done.passed === done.total ? " complete" : ""}`,
                "data-testid": `scenario-${lesson.slug}`, "data-number": lesson.number,
                "data-passed": done.passed, "data-total": done.total,
                "aria-current": current ? "true" : null,
                onclick: () => onSelect(lesson.slug),
              },
                h("span", { class: "lesson-no" }, lesson.number), " ",
                h("span", { class: "lesson-title" }, lesson.title),
                h("span", { class: "challenge-marks", "aria-label": `${done.passed} of ${done.total} challenges passed` },
                  lesson.challenges.map((ch) => {
                    const state = challengeState(progress, lesson.slug, ch.id);
                    return h("span", {
                      class: `mark mark-${state.replace(" ", "-")}`, "data-testid": `mark-${lesson.slug}-${ch.id}`,
                      "data-state": state, title: `${KIND_WORD[ch.kind] ?? ch.kind}: ${state}`,
                    }, state === "passed" ? "✓" : state === "tried" ? "•" : "");
                  }))));
          })))),
      others.length ? h("section", { class: "chapter" },
        h("h3", { class: "chapter-title" }, "More scenarios"),
        h("ul", { class: "lessons", role: "list" }, others.map((s) => h("li", null,
          h("button", {
            class: `lesson${s.slug === selected ? " selected" : ""}`, "data-testid": `scenario-${s.slug}`,
            "aria-current": s.slug === selected ? "true" : null, onclick: () => onSelect(s.slug),
          }, h("span", { class: "lesson-title" }, s.title)))))) : null));
  // The lesson shown, in view in the map's own scroller; never the page (a page scrolled away from Run).
  const sel = root.querySelector<HTMLElement>(".lesson.selected");
  if (sel && root.scrollHeight > root.clientHeight + 1) {
    const r = sel.getBoundingClientRect();
    const box = root.getBoundingClientRect();
    if (r.top < box.top || r.bottom > box.bottom) root.scrollTop += r.top - box.top - box.height / 3;
  }
}
