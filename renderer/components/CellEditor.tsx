/**
 * One CodeMirror view for one cell: built on mount, destroyed on cleanup. Typing updates the
 * notebook store; a change to the stored code from elsewhere (a reopened notebook) is dispatched
 * into the editor, never the other way round, so the two cannot loop.
 */
import { EditorState, Transaction } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { createEffect, onCleanup, onMount } from "solid-js";
import { baseSetup } from "../editor/base.ts";
import { notebookCompletion } from "../editor/notebook-completion.ts";
import { runKeymap } from "../editor/run-keymap.ts";
import { editorTheme } from "../editor/theme.ts";

/** Props of a cell editor; `names` feeds autocompletion with what other cells define. */
export interface CellEditorProps {
  code: string;
  onChange(code: string): void;
  onRun(): void;
  names(): { name: string; detail: string }[];
}

/** A cell's code editor. */
export function CellEditor(props: CellEditorProps) {
  let host!: HTMLDivElement;
  let view: EditorView | undefined;

  onMount(() => {
    view = new EditorView({
      parent: host,
      state: EditorState.create({
        doc: props.code,
        extensions: [
          runKeymap(() => props.onRun()),
          baseSetup,
          editorTheme,
          notebookCompletion(() => props.names()),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) props.onChange(update.state.doc.toString());
          }),
        ],
      }),
    });
  });

  // Drives the editor only: brings outside changes of the code into the document.
  createEffect(() => {
    const code = props.code;
    if (view && code !== view.state.doc.toString()) {
      // Not the user's edit: undo must never bring back code from before it.
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: code }, annotations: Transaction.addToHistory.of(false) });
    }
  });

  onCleanup(() => view?.destroy());

  return <div class="editor" data-testid="cell-editor" ref={host} />;
}
