import "./styles/app.css";
import "./styles/files.css";
import "./styles/lessons.css";
import { App } from "./app/app";

const root = document.getElementById("app");
if (root?.dataset.view) {
  // The classroom's pages (/classrooms/…) load their own module, apart from the main page's first load.
  void import("./classroom/classroomPage").then((m) => m.startClassroom(root)).then(() => (root.dataset.ready = "1"));
} else if (root) {
  root.dataset.ready = "1";
  void new App(root).start();
}
