// A Python editor (CodeMirror 6) for one snippet at a time, with the
// server's validation errors shown as lint diagnostics at their line.
// Loaded on first use through codeEditor.ts (its own chunk: CodeMirror is big).

import type { CompletionContext, CompletionResult } from "@codemirror/autocomplete";
import { python, pythonLanguage } from "@codemirror/lang-python";
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { tags as t } from "@lezer/highlight";
import { lintGutter, setDiagnostics, type Diagnostic } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { basicSetup, EditorView } from "codemirror";
import { SNIPPET_API } from "./snippetApi";

/** Completion of the snippet API's names (send, recv, spawn, Lock, …), beside Python's own. */
function snippetCompletions(context: CompletionContext): CompletionResult | null {
  const word = context.matchBefore(/\w+/);
  if (!word || (word.from === word.to && !context.explicit)) return null;
  return {
    from: word.from,
    options: SNIPPET_API.map((e) => ({
      label: e.name, detail: e.signature, info: e.info,
      type: e.group === "threading" ? "class" : e.name === "me" ? "variable" : "function",
      boost: 5,
    })),
    validFor: /^\w*$/,
  };
}

/** A server's validation error at a line of the snippet shown. */
export interface LineProblem {
  line: number;
  message: string;
}

const theme = EditorView.theme({
  "&": { backgroundColor: "var(--code-bg)", color: "var(--fg)", fontSize: "13px", border: "1px solid var(--line)", borderRadius: "8px" },
  "&.cm-focused": { outline: "2px solid var(--accent)", outlineOffset: "-1px" },
  ".cm-content": { fontFamily: "var(--font-mono)", caretColor: "var(--fg)" },
  ".cm-gutters": { backgroundColor: "var(--panel-2)", color: "var(--muted)", borderRight: "1px solid var(--line)", borderRadius: "8px 0 0 8px" },
  ".cm-activeLine": { backgroundColor: "color-mix(in srgb, var(--accent) 7%, transparent)" },
  ".cm-activeLineGutter": { backgroundColor: "color-mix(in srgb, var(--accent) 12%, transparent)" },
  "&.cm-focused .cm-cursor": { borderLeftColor: "var(--fg)" },
  ".cm-scroller": { minHeight: "150px", maxHeight: "420px" },
});

// Token colours from the page's variables, so the code reads well in light and dark.
const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.definitionKeyword, t.operatorKeyword, t.moduleKeyword], color: "var(--cm-keyword)", fontWeight: "600" },
  { tag: [t.string, t.special(t.string)], color: "var(--cm-string)" },
  { tag: [t.number, t.bool, t.null], color: "var(--cm-number)" },
  { tag: t.comment, color: "var(--muted)", fontStyle: "italic" },
  { tag: [t.function(t.variableName), t.function(t.propertyName), t.definition(t.variableName)], color: "var(--cm-def)" },
  { tag: [t.className, t.definition(t.className)], color: "var(--cm-def)", fontWeight: "600" },
]);

export class CodeMirrorEditor {
  readonly view: EditorView;
  private quiet = false;

  constructor(parent: HTMLElement, private readonly onChange: (code: string) => void) {
    this.view = new EditorView({ parent, state: this.state("") });
  }

  /** Shows another snippet (a fresh undo history: undo/redo of the scenario is the editor's). */
  setDoc(code: string): void {
    if (this.view.state.doc.toString() === code) return;
    this.quiet = true;
    this.view.setState(this.state(code));
    this.quiet = false;
  }

  showProblems(problems: readonly LineProblem[]): void {
    const doc = this.view.state.doc;
    const diagnostics: Diagnostic[] = problems.map((p) => {
      const line = doc.line(Math.max(1, Math.min(doc.lines, p.line)));
      return { from: line.from, to: Math.max(line.from, line.to), severity: "error", message: p.message };
    });
    this.view.dispatch(setDiagnostics(this.view.state, diagnostics));
    this.view.dom.dataset.problems = String(diagnostics.length);
  }

  private state(code: string): EditorState {
    return EditorState.create({
      doc: code,
      extensions: [
        syntaxHighlighting(highlight), basicSetup, python(), pythonLanguage.data.of({ autocomplete: snippetCompletions }), lintGutter(), theme, EditorState.tabSize.of(4),
        EditorView.updateListener.of((u) => {
          if (u.docChanged && !this.quiet) this.onChange(u.state.doc.toString());
        }),
      ],
    });
  }
}
