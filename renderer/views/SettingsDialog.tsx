/** App-wide settings (kept by the host for every notebook and window), and exporting the notebook as HTML. */
import { createEffect, createSignal, on, Show } from "solid-js";
import type { AppSettings } from "../../electron/protocol.ts";
import { useApp } from "../state/index.ts";
import { Dialog } from "./NotebookPicker.tsx";
import "./session.css";

/** Autosave and run-on-open switches, and the tracking store the app opens at its next start. */
export function SettingsDialog() {
  const app = useApp();
  const current = () => app.settings.settings();
  const [error, setError] = createSignal<string | null>(null);
  const change = (patch: Partial<AppSettings>) => {
    setError(null);
    app.actions.setSettings(patch).catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  };
  return (
    <Dialog title="Settings" testid="settings-dialog">
      <Show when={current()} fallback={<div class="muted">Waiting for the host…</div>}>
        {(s) => (
          <>
            <label class="check">
              <input type="checkbox" data-testid="setting-autosave" checked={s().autosave} onChange={(e) => change({ autosave: e.currentTarget.checked })} />
              <span>
                Save automatically
                <small>A second after each edit. Off: opening another notebook asks what to do with unsaved changes.</small>
              </span>
            </label>
            <label class="check">
              <input type="checkbox" data-testid="setting-run-on-open" checked={s().runOnOpen} onChange={(e) => change({ runOnOpen: e.currentTarget.checked })} />
              <span>
                Run notebooks when they open
                <small>
                  Off: a notebook shows its last outputs as stale until you run it. A notebook's own <code>// flowbook: run-on-open=false</code> line
                  wins over this.
                </small>
              </span>
            </label>
            <TrackingStoreSetting saved={s().trackingUri} save={(trackingUri) => change({ trackingUri })} />
          </>
        )}
      </Show>
      <Show when={error()}>
        <div class="dialog-error" data-testid="settings-error">
          {error()}
        </div>
      </Show>
      <div class="dialog-actions">
        <button type="button" onClick={() => app.ui.setOverlay("none")}>
          Close
        </button>
      </div>
    </Dialog>
  );
}

/** The tracking store field: typed, then saved with its button (or Enter); it takes effect at the next start. */
function TrackingStoreSetting(props: { saved: string; save: (uri: string) => void }) {
  const app = useApp();
  const [draft, setDraft] = createSignal(props.saved);
  // A change saved (here or in another window) replaces what the field shows.
  createEffect(on(() => props.saved, (saved) => setDraft(saved), { defer: true }));
  const save = () => props.save(draft().trim());
  return (
    <div class="store-setting">
      <label for="setting-tracking-uri">Tracking store</label>
      <div class="store-setting-row">
        <input
          id="setting-tracking-uri"
          data-testid="setting-tracking-uri"
          type="text"
          spellcheck={false}
          placeholder="the store beside the notebooks"
          value={draft()}
          onInput={(e) => setDraft(e.currentTarget.value)}
          onKeyDown={(e) => e.key === "Enter" && save()}
        />
        <button type="button" data-testid="setting-tracking-uri-save" disabled={draft().trim() === props.saved} onClick={save}>
          Save
        </button>
      </div>
      <small>
        Empty: <code>flowbook.db</code> beside the notebooks. Or a <code>sqlite:///path.db</code> file, or a team database:{" "}
        <code>postgresql://user:password@host:5432/db</code>. The password is shown as <code>***</code>; save it unchanged to keep it. Starting with <code>--tracking-uri</code> uses that store instead.
      </small>
      <small class="store-setting-restart" data-testid="setting-tracking-uri-restart">
        Applies the next time Flowbook starts. In use now: <code>{app.host.info.trackingUri || "—"}</code>
      </small>
    </div>
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
