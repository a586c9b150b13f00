/** Keyboard shortcuts, opened with ? or the Help button. */
import { For } from "solid-js";
import { useApp } from "../state/index.ts";

const SHORTCUTS: [keys: string, what: string][] = [
  ["Shift+Enter", "Run the cell"],
  ["Ctrl/⌘+Enter", "Run the cell"],
  ["Ctrl/⌘+S", "Save the notebook"],
  ["Ctrl+I", "Interrupt the kernel"],
  ["Ctrl+Space", "Complete a name (including names other cells define)"],
  ["Ctrl/⌘+Z, Ctrl/⌘+Shift+Z", "Undo, redo in a cell"],
  ["?", "Show this help (outside an editor)"],
  ["Esc", "Close a dialog"],
];

/** The shortcuts dialog. */
export function HelpPanel() {
  const app = useApp();
  return (
    <div class="overlay" onClick={(e) => e.target === e.currentTarget && app.ui.setOverlay("none")}>
      <div class="dialog" role="dialog" aria-label="Keyboard shortcuts" data-testid="help-panel">
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
