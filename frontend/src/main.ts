import "./styles/app.css";
import "./styles/files.css";
import "./styles/lessons.css";
import { App } from "./app/app";

const root = document.getElementById("app");
if (root) {
  root.dataset.ready = "1";
  void new App(root).start();
}
