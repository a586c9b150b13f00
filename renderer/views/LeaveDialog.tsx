/**
 * "The notebook has unsaved changes": asked before opening or creating another notebook would
 * replace the open one, like closing the page does. Save / Discard / Cancel; Esc cancels.
 */
import { onCleanup, onMount, Show } from "solid-js";
import { useApp } from "../state/index.ts";
import type { LeaveQuestion } from "../state/ui.ts";
import "./session.css";

function Question(props: { question: LeaveQuestion; name: string }) {
  let save!: HTMLButtonElement;
  onMount(() => {
    save.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      e.stopPropagation();
      props.question.answer("cancel");
    };
    window.addEventListener("keydown", onKey, true);
    onCleanup(() => window.removeEventListener("keydown", onKey, true));
  });
  return (
    <div class="overlay leave-overlay">
      <div class="dialog" role="alertdialog" aria-label="Unsaved changes" data-testid="leave-dialog">
        <h2>Save changes to {props.name}?</h2>
        <p>It has unsaved changes, which {props.question.what} would discard.</p>
        <div class="dialog-actions">
          <button type="button" data-testid="leave-cancel" onClick={() => props.question.answer("cancel")}>
            Cancel
          </button>
          <button type="button" class="danger" data-testid="leave-discard" onClick={() => props.question.answer("discard")}>
            Discard
          </button>
          <button type="button" class="primary" data-testid="leave-save" ref={save} onClick={() => props.question.answer("save")}>
            Save
          </button>
        </div>
      </div>
    </div>
  );
}

/** Shows the unsaved-changes question while one is asked. */
export function LeaveDialog() {
  const app = useApp();
  const name = () => app.notebook.store.path.split(/[\\/]/).pop() || "the notebook";
  return <Show when={app.ui.leaving()}>{(q) => <Question question={q()} name={name()} />}</Show>;
}
