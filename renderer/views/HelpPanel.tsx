/** Help, opened with ? or the Help button: what a cell's state means, the run modes, and the keyboard shortcuts. */
import { For } from "solid-js";
import { useApp } from "../state/index.ts";

const SHORTCUTS: [keys: string, what: string][] = [
  ["Shift+Enter", "Run the cell"],
  ["Ctrl/⌘+Enter", "Run the cell"],
  ["Ctrl/⌘+S", "Save the notebook"],
  ["Ctrl+I", "Interrupt the kernel (Stop)"],
  ["Ctrl+Space", "Complete a name (including names other cells define)"],
  ["Ctrl/⌘+Z, Ctrl/⌘+Shift+Z", "Undo, redo in a cell"],
  ["?", "Show this help (outside an editor)"],
  ["Esc", "Close a dialog or the column chooser"],
];

/** The words a cell's badge (left of its code) shows, and the notebook's modes and cell settings. */
const TERMS: [term: string, meaning: string][] = [
  ["stale", "Something the cell reads changed (or the kernel restarted) and it has not run since: its output is out of date. Run it, or Run stale."],
  ["edited", "You changed the code since the cell last ran; nothing uses the new code until you run it."],
  ["error", "The cell failed (a syntax error, an exception, or a cell it reads failed); the reason is under it."],
  ["interrupted", "Stop ended the cell before it finished. A training it started says stopped on its progress bar."],
  ["queued / running", "Waiting for the cells before it, or running now."],
  ["Autorun", "On: running a cell re-runs every cell that reads what it defines. Off (lazy): those cells only turn stale, and Run stale runs every stale cell and what it feeds, in one click."],
  ["Hide (code)", "Hides a cell's code and keeps its output: for notebooks read as reports. The cell still runs."],
  ["Disable", "A disabled cell does not run, and the cells that read it wait (stale) until it is enabled again."],
];

/** The help dialog. */
export function HelpPanel() {
  const app = useApp();
  return (
    <div class="overlay" onClick={(e) => e.target === e.currentTarget && app.ui.setOverlay("none")}>
      <div class="dialog help" role="dialog" aria-label="Help" data-testid="help-panel">
        <h2>Cells and runs</h2>
        <dl class="help-terms" data-testid="help-terms">
          <For each={TERMS}>
            {([term, meaning]) => (
              <>
                <dt>{term}</dt>
                <dd>{meaning}</dd>
              </>
            )}
          </For>
        </dl>
        <h2>Keyboard shortcuts</h2>
        <table class="shortcuts">
          <tbody>
            <For each={SHORTCUTS}>
              {([keys, what]) => (
                <tr>
                  <td>
                    <kbd>{keys}</kbd>
                  </td>
                  <td>{what}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
        <div class="dialog-actions">
          <button type="button" onClick={() => app.ui.setOverlay("none")}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
