/** The top bar: notebook name and dirty marker, run/stop/restart, run mode, file actions, theme, help. */
import { createMemo, Show } from "solid-js";
import { useApp } from "../state/index.ts";
import { Icon } from "../components/Icon.tsx";

/** Restart throws every cell's values away (and stops what runs): the user agrees first. */
const confirmRestart = () =>
  window.confirm("Restart the kernel? Every value the cells computed is dropped, running cells stop, and all cells become stale (outputs stay until they run again).");

/** Application toolbar. */
export function Toolbar() {
  const app = useApp();
  const fileName = createMemo(() => app.notebook.store.path.split(/[\\/]/).pop() || "untitled");
  // Either signal counts: the host reports kernel state, the kernel reports per-cell status.
  const busy = createMemo(
    () =>
      app.host.info.kernel === "busy" ||
      Object.values(app.kernel.cells).some((c) => c.status === "running" || c.status === "queued"),
  );
  const themeLabel = () => ({ system: "Theme: system", light: "Theme: light", dark: "Theme: dark" })[app.ui.theme()];

  return (
    <header class="toolbar" data-testid="toolbar">
      <div class="brand">Flowbook</div>
      <nav class="tabs" aria-label="Main view">
        <button
          type="button"
          data-testid="tab-notebook"
          classList={{ active: app.ui.view() === "notebook" }}
          aria-pressed={app.ui.view() === "notebook"}
          onClick={() => app.ui.setView("notebook")}
        >
          Notebook
        </button>
        <button
          type="button"
          data-testid="tab-tracking"
          classList={{ active: app.ui.view() === "tracking" }}
          aria-pressed={app.ui.view() === "tracking"}
          onClick={() => app.ui.setView("tracking")}
        >
          Tracking
        </button>
      </nav>
      <div class="title" title={app.notebook.store.path} data-testid="notebook-title">
        {fileName()}
        <Show when={app.notebook.dirty()}>
          <span class="dirty" data-testid="dirty-marker" title="Unsaved changes">
            {" "}
            ●
          </span>
        </Show>
      </div>
      <div class="group">
        <button type="button" data-testid="run-all" title="Run all cells" onClick={() => app.actions.runAll()}>
          <Icon name="run" /> Run all
        </button>
        <Show when={app.notebook.mode() === "lazy"}>
          <button type="button" data-testid="run-stale" title="Run stale cells" onClick={() => app.actions.runStale()}>
            Run stale
          </button>
        </Show>
        <button
          type="button"
          class="danger"
          data-testid="interrupt"
          title="Interrupt (Ctrl+I)"
          disabled={!busy()}
          onClick={() => app.actions.interrupt()}
        >
          <Icon name="stop" /> Stop
        </button>
        <button type="button" data-testid="restart-kernel" title="Restart kernel" onClick={() => confirmRestart() && app.actions.restart()}>
          <Icon name="restart" /> Restart
        </button>
        <label class="mode" title="Autorun re-runs dependent cells; lazy marks them stale">
          <input
            type="checkbox"
            data-testid="mode-toggle"
            checked={app.notebook.mode() === "autorun"}
            onChange={(e) => app.actions.setMode(e.currentTarget.checked ? "autorun" : "lazy")}
          />
          Autorun
        </label>
      </div>
      <span class="spacer" />
      <div class="group">
        <button type="button" data-testid="new-notebook" onClick={() => app.ui.setOverlay("new")}>
          New
        </button>
        <button type="button" data-testid="open-notebook" onClick={() => app.ui.setOverlay("open")}>
          Open
        </button>
        <button type="button" data-testid="save" title="Save (Ctrl+S)" onClick={() => app.actions.save()}>
          Save
        </button>
        <button type="button" data-testid="export" title="Export as one HTML file" onClick={() => app.ui.setOverlay("export")}>
          Export
        </button>
        <button type="button" data-testid="settings" title="Settings: autosave, run on open" onClick={() => app.ui.setOverlay("settings")}>
          Settings
        </button>
        <button type="button" data-testid="theme-toggle" title={themeLabel()} onClick={() => app.ui.cycleTheme()}>
          <Icon name={app.ui.dark() ? "moon" : "sun"} />
        </button>
        <button type="button" data-testid="help" title="Keyboard shortcuts (?)" onClick={() => app.ui.setOverlay("help")}>
          ?
        </button>
      </div>
    </header>
  );
}
