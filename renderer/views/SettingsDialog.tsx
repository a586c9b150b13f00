/** App-wide settings (kept by the host for every notebook and window), and exporting the notebook as HTML. */
import { createSignal, Show } from "solid-js";
import { useApp } from "../state/index.ts";
import { Dialog } from "./NotebookPicker.tsx";
import "./session.css";

/** Autosave and run-on-open switches. */
export function SettingsDialog() {
  const app = useApp();
  const current = () => app.settings.settings();
  return (
    <Dialog title="Settings" testid="settings-dialog">
      <Show when={current()} fallback={<div class="muted">Waiting for the host…</div>}>
        {(s) => (
          <>
            <label class="check">
              <input type="checkbox" data-testid="setting-autosave" checked={s().autosave} onChange={(e) => app.actions.setSettings({ autosave: e.currentTarget.checked })} />
              <span>
                Save automatically
                <small>A second after each edit. Off: opening another notebook asks what to do with unsaved changes.</small>
              </span>
            </label>
            <label class="check">
              <input type="checkbox" data-testid="setting-run-on-open" checked={s().runOnOpen} onChange={(e) => app.actions.setSettings({ runOnOpen: e.currentTarget.checked })} />
              <span>
                Run notebooks when they open
                <small>
                  Off: a notebook shows its last outputs as stale until you run it. A notebook's own <code>// flowbook: run-on-open=false</code> line
                  wins over this.
                </small>
              </span>
            </label>
          </>
        )}
      </Show>
      <div class="dialog-actions">
        <button type="button" onClick={() => app.ui.setOverlay("none")}>
          Close
        </button>
      </div>
    </Dialog>
  );
}

/** Exports the notebook as one self-contained HTML page, with or without its code. */
export function ExportDialog() {
  const app = useApp();
  const [includeCode, setIncludeCode] = createSignal(true);
  const [busy, setBusy] = createSignal(false);
  const exportNow = async () => {
    setBusy(true);
    await app.actions.exportHtml(includeCode());
    setBusy(false);
    app.ui.setOverlay("none");
  };
  return (
    <Dialog title="Export as HTML" testid="export-dialog">
      <p class="muted">One file that opens in any browser without Flowbook or a network: Markdown, tables and interactive charts as last computed.</p>
      <label class="check">
        <input type="checkbox" data-testid="export-include-code" checked={includeCode()} onChange={(e) => setIncludeCode(e.currentTarget.checked)} />
        <span>Include the cells' code</span>
      </label>
      <div class="dialog-actions">
        <button type="button" onClick={() => app.ui.setOverlay("none")}>
          Cancel
        </button>
        <button type="button" class="primary" data-testid="export-html" disabled={busy()} onClick={() => void exportNow()}>
          Export
        </button>
      </div>
    </Dialog>
  );
}
