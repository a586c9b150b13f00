/** The whole window: toolbar, notebook, status bar, dialogs, and the global shortcuts. */
import { createEffect, Match, onCleanup, onMount, Show, Switch } from "solid-js";
import { Icon } from "../components/Icon.tsx";
import { useApp } from "../state/index.ts";
import { ConnectionDialog, TrackingApp } from "../tracking/index.ts";
import { HelpPanel } from "./HelpPanel.tsx";
import { Notebook } from "./Notebook.tsx";
import { LeaveDialog } from "./LeaveDialog.tsx";
import { NewDialog, OpenDialog } from "./NotebookPicker.tsx";
import { ExportDialog, SettingsDialog } from "./SettingsDialog.tsx";
import { StatusBar } from "./StatusBar.tsx";
import { Toolbar } from "./Toolbar.tsx";

/** True when keys typed go into an editor or a form field, so single-key shortcuts stay off. */
function typing(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

/** Application shell. */
export function App() {
  const app = useApp();

  // Drives the document only: the resolved theme as an attribute the stylesheet keys on.
  createEffect(() => {
    document.documentElement.dataset.theme = app.ui.dark() ? "dark" : "light";
  });

  onMount(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === "s") {
        e.preventDefault();
        app.actions.save();
      } else if (e.ctrlKey && e.key.toLowerCase() === "i") {
        e.preventDefault();
        app.actions.interrupt();
      } else if (e.key === "Escape" && app.ui.overlay() !== "none") {
        app.ui.setOverlay("none");
      } else if (e.key === "?" && !mod && !typing(e.target)) {
        e.preventDefault();
        app.ui.setOverlay(app.ui.overlay() === "help" ? "none" : "help");
      }
    };
    window.addEventListener("keydown", onKey);
    // Closing the window with unsaved edits asks first.
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (app.notebook.dirty()) e.preventDefault();
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    onCleanup(() => {
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("beforeunload", onBeforeUnload);
    });
  });

  return (
    <div class="app">
      <Toolbar />
      <Show when={app.ui.notice()}>
        <div class="notice" role="status" data-testid="notice">
          {app.ui.notice()}
          <button type="button" class="icon" aria-label="Dismiss" onClick={() => app.ui.setNotice(null)}>
            <Icon name="close" />
          </button>
        </div>
      </Show>
      {/* The notebook stays mounted while hidden, so editors and charts keep their state. */}
      <div class="main" hidden={app.ui.view() !== "notebook"}>
        <Notebook />
      </div>
      <Show when={app.ui.view() === "tracking"}>
        <div class="main tracking-main" data-testid="tracking-main">
          {/* Keyed on the api: switching the data source remounts the tab on a fresh page. */}
          <Show when={app.viewsApi()} keyed>
            {(api) => (
              <TrackingApp
                api={api}
                location={app.location}
                connection={{ open: () => app.ui.setOverlay("connect"), error: () => app.viewSource.error()?.message ?? null }}
              />
            )}
          </Show>
        </div>
      </Show>
      <StatusBar />
      <Switch>
        <Match when={app.ui.overlay() === "help"}>
          <HelpPanel />
        </Match>
        <Match when={app.ui.overlay() === "open"}>
          <OpenDialog />
        </Match>
        <Match when={app.ui.overlay() === "new"}>
          <NewDialog />
        </Match>
        <Match when={app.ui.overlay() === "settings"}>
          <SettingsDialog />
        </Match>
        <Match when={app.ui.overlay() === "export"}>
          <ExportDialog />
        </Match>
        <Match when={app.ui.overlay() === "connect"}>
          <ConnectionDialog
            current={app.viewSource.active()}
            recent={app.viewSource.recent()}
            test={app.viewSource.test}
            connect={(spec) => app.viewSource.connect(spec).then(() => app.ui.setView("tracking"))}
            forget={app.viewSource.forget}
            onClose={() => app.ui.setOverlay("none")}
          />
        </Match>
      </Switch>
      <LeaveDialog />
    </div>
  );
}
