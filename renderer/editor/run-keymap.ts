/** Shift+Enter and Ctrl/Cmd+Enter run the cell instead of inserting a line break. */
import { Prec, type Extension } from "@codemirror/state";
import { keymap } from "@codemirror/view";

/** Binds the run shortcuts to `run`, ahead of the default Enter handling. */
export function runKeymap(run: () => void): Extension {
  const handler = () => {
    run();
    return true;
  };
  return Prec.highest(keymap.of([
    { key: "Shift-Enter", run: handler },
    { key: "Mod-Enter", run: handler },
  ]));
}
