// The classroom pages, loaded on their own (main.ts imports this module only on
// /classrooms/…, so the main page's first load stays light): the teacher's list of
// classes, the class page (the teacher's dashboard, or a student's page), and the
// projector view.

import "./classroom.css";
import { ApiError } from "../transport/api";
import { h, replaceChildren } from "../views/dom";
import { classApi, type ClassLinks, type Dashboard } from "./classroomApi";
import { ScreenPage } from "./screenPage";
import { StudentPage } from "./studentPage";
import { TeacherPage } from "./teacherPage";
import { shell } from "./widgets";

export async function startClassroom(root: HTMLElement): Promise<void> {
  const view = root.dataset.view;
  const code = root.dataset.classroom ?? "";
  if (view === "screen") return new ScreenPage(root, code).start();
  if (view === "home") return home(root);
  try {
    const seen = await classApi.view<Dashboard | { role: string }>(code);
    if (seen.role === "teacher") {
      new TeacherPage(root, seen as Dashboard);
      return;
    }
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
  }
  await new StudentPage(root, code).start();
}

/** /classrooms/: a signed-in teacher's classes and a form to open one. */
async function home(root: HTMLElement): Promise<void> {
  const me = await classApi.me();
  const list = h("ul", { class: "cr-classes", "data-testid": "class-list" });
  const title = h("input", { class: "cr-input big", "data-testid": "new-class-title", placeholder: "e.g. Concurrency, Tuesday 10:00", maxlength: 200, required: true }) as HTMLInputElement;
  const error = h("p", { class: "error", "data-testid": "new-class-error" });
  const form = h("form", { class: "panel cr-new-class", "data-testid": "new-class" },
    h("h1", null, "Open a class"),
    h("p", { class: "muted" }, "Students join with a code, no account needed. You push lessons, they predict, run and vote; the projector shows what you choose."),
    title, h("button", { class: "btn primary big", type: "submit", "data-testid": "create-class" }, "Open the class"), error);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    classApi.create(title.value.trim()).then((made) => location.assign(`/classrooms/${made.code}/`), (err: Error) => (error.textContent = err.message));
  });
  const who = me.authenticated
    ? h("span", { class: "cr-who" }, me.username, " · ", h("a", { href: me.logout }, "sign out"))
    : h("a", { class: "btn small", href: `${me.login}?next=/classrooms/` }, "Sign in");
  replaceChildren(root, shell("Classroom", [who]), h("main", { class: "cr-main cr-home" }, form, h("section", { class: "panel" }, h("h2", null, "Your classes"), list)));
  if (!me.authenticated) {
    replaceChildren(form, h("h1", null, "Classes are for teachers"), h("p", null, "Sign in with a teacher's account to open a class. Students: open the link or type the code your teacher shows."));
    return;
  }
  try {
    const classes = await classApi.list();
    replaceChildren(list, classes.length ? classes.map((c: ClassLinks) => h("li", null,
      h("a", { href: `/classrooms/${c.code}/` }, h("strong", { class: "cr-code-inline" }, c.code), " ", c.title),
      h("span", { class: "muted" }, c.open ? " · open" : " · ended"))) : h("li", { class: "muted" }, "None yet."));
  } catch (e) {
    replaceChildren(list, h("li", { class: "error" }, (e as Error).message));
  }
}
