// The scenario editor's code box. CodeMirror (codeMirror.ts) is fetched the
// first time there is code to show; until then the box keeps the latest
// snippet and problems and hands them over once the editor is up.

import { codeMirrorLib, loadFailed } from "./libs";
import type { CodeMirrorEditor, LineProblem } from "./codeMirror";

export class CodeEditor {
  private editor: CodeMirrorEditor | null = null;
  private doc = "";
  private problems: readonly LineProblem[] = [];
  private loading = false;
  private failed: HTMLElement | null = null;

  constructor(private readonly parent: HTMLElement, private readonly onChange: (code: string) => void) {}

  /** Shows another snippet (a fresh undo history: undo/redo of the scenario is the editor's). */
  setDoc(code: string): void {
    this.doc = code;
    if (this.editor) this.editor.setDoc(code);
    else this.start();
  }

  showProblems(problems: readonly LineProblem[]): void {
    this.problems = problems;
    if (this.editor) this.editor.showProblems(problems);
    else this.start();
  }

  private start(): void {
    const lib = codeMirrorLib.now();
    if (lib) {
      this.failed?.remove();
      this.editor = new lib.CodeMirrorEditor(this.parent, this.onChange);
      this.editor.setDoc(this.doc);
      this.editor.showProblems(this.problems);
      return;
    }
    if (this.loading) return;
    this.loading = true;
    codeMirrorLib.load().then(
      () => {
        this.loading = false;
        this.start();
      },
      () => {
        this.loading = false;
        this.failed ??= loadFailed("code editor");
        this.parent.append(this.failed);
      },
    );
  }
}
