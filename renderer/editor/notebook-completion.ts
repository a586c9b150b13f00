/** Completes names other cells define, from the kernel's `variables` event. */
import type { Completion, CompletionContext, CompletionResult } from "@codemirror/autocomplete";
import { EditorState, type Extension } from "@codemirror/state";

/**
 * Adds the notebook's variable names to autocompletion. `names` is read at completion time, so it
 * always reflects the latest `variables` event without reconfiguring the editor.
 */
export function notebookCompletion(names: () => { name: string; detail: string }[]): Extension {
  const source = (context: CompletionContext): CompletionResult | null => {
    const word = context.matchBefore(/[\w$]+/);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    const options: Completion[] = names().map((n) => ({ label: n.name, type: "variable", detail: n.detail, boost: 1 }));
    return { from: word.from, options, validFor: /^[\w$]*$/ };
  };
  // Language data, not `override`, so the TypeScript language's own completions stay on.
  return EditorState.languageData.of(() => [{ autocomplete: source }]);
}
