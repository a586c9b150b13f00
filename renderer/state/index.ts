/**
 * The renderer's state: one store per domain, composed here, fed by one event switch, and shared
 * through one typed context. Views call the actions below; nothing else sends commands.
 */
import { batch, createContext, createEffect, createMemo, onCleanup, useContext } from "solid-js";
import type {
  AppSettings,
  CellConfig,
  CellId,
  CellSource,
  HostEvent,
  KernelEventForwarded,
  MenuCommand,
  RunMode,
  WidgetId,
} from "../../electron/protocol.ts";
import { createTrackingApi, remoteTrackingApi, type TrackingApi } from "../tracking/data/api.ts";
import { frameBatcher } from "../tracking/data/live.ts";
import { createRequester, type Transport } from "../transport.ts";
import { createHostState } from "./host.ts";
import { createKernelState } from "./kernel.ts";
import { createNotebookState, type Placement } from "./notebook.ts";
import { createTrackingState } from "./tracking.ts";
import { createSettingsState } from "./settings.ts";
import { createLocationState } from "./location.ts";
import { createSentCodeState } from "./sent-code.ts";
import { createUiState } from "./ui.ts";
import { createViewSourceState } from "./view-source.ts";
import { sessionFileUrl } from "./output-limits.ts";

/**
 * Exhaustiveness guard: the build fails when a message type is added and not handled; at run time
 * an unknown message (a newer host) is logged, never fatal.
 */
function assertNever(value: never): void {
  console.warn("flowbook: unhandled message", value);
}

/** How long after the last edit autosave writes the notebook (marimo waits about as long). */
export const AUTOSAVE_DELAY_MS = 1000;

/** Builds every domain's state, wires it to the transport and returns state plus actions. */
export function createAppState(transport: Transport) {
  const host = createHostState();
  const notebook = createNotebookState();
  const kernel = createKernelState();
  const tracking = createTrackingState();
  const ui = createUiState();
  const location = createLocationState(ui);
  const sentCode = createSentCodeState();
  const settings = createSettingsState();
  const request = createRequester(transport);
  const viewSource = createViewSourceState(request, transport, (message) => ui.setNotice(message));

  const handleKernel = (event: KernelEventForwarded["event"]) => {
    switch (event.type) {
      case "kernel-ready":
      case "completed-run":
        // Kernel liveness and busy/idle come from host-status; per-cell state from the events below.
        break;
      case "cell-status":
        kernel.applyStatus(event);
        break;
      case "cell-output":
        kernel.applyOutput(event);
        break;
      case "cell-console":
        kernel.applyConsole(event);
        break;
      case "interrupted":
        kernel.markInterrupted();
        break;
      case "variables":
        kernel.applyVariables(event.variables);
        break;
      default:
        assertNever(event);
    }
  };

  // The native menu acts through the same actions as the toolbar; the renderer holds the cells to save.
  const runMenuCommand = (event: MenuCommand) => {
    switch (event.command) {
      case "save":
        actions.save();
        break;
      case "save-as":
        actions.save(event.path);
        break;
      case "run-all":
        actions.runAll();
        break;
      case "interrupt":
        actions.interrupt();
        break;
      case "open":
        if (event.path) void actions.open(event.path).catch(fail("Open"));
        break;
      case "new":
        if (event.path) void actions.create(event.path).catch(fail("New notebook"));
        break;
      case "export-html":
        ui.setOverlay("export");
        break;
      default:
        assertNever(event.command);
    }
  };

  const handle = (event: HostEvent) => {
    switch (event.type) {
      case "host-status": {
        const before = host.applyStatus(event);
        const restarting = event.kernel === "restarting" || event.kernel === "starting";
        if (restarting && before !== "restarting" && before !== "starting") kernel.resetForRestart();
        break;
      }
      case "notebook-opened":
        // A reconnect re-announces the same open notebook: keep its outputs; a fresh open starts clean.
        if (event.session !== notebook.session()) {
          kernel.clear();
          sentCode.reset(event.cells);
        }
        notebook.load(event);
        // The notebook's bounds, when the host sends them; until it does, the app's defaults.
        kernel.useLimits(event.limits);
        break;
      case "app-settings":
        settings.apply(event.settings);
        break;
      case "last-outputs":
        kernel.applyLast(event.outputs);
        break;
      case "kernel-event":
        handleKernel(event.event);
        break;
      case "store-changed":
        tracking.applyChange(event.change);
        break;
      case "view-changed":
        // Read by the Tracking tab's api straight from the transport (see viewsApi).
        break;
      case "view-source-status":
        viewSource.applyStatus(event);
        break;
      case "reply":
        // Paired with its request by the requester in transport.ts.
        break;
      case "menu-command":
        runMenuCommand(event);
        break;
      case "session-closed":
        notebook.enterAppView();
        ui.setNotice(event.reason);
        break;
      default:
        assertNever(event);
    }
  };

  // Kernel events arrive in bursts (console chunks, progress); apply them once per frame in one batch
  // so a burst costs one render and the main thread stays free between frames. Hidden windows get
  // no animation frames; a timer keeps state current for when they return.
  const events = frameBatcher<HostEvent>(
    (burst) => batch(() => burst.forEach(handle)),
    (flush) => (document.hidden ? setTimeout(flush, 16) : requestAnimationFrame(flush)),
  );
  transport.onEvent(events.push);
  transport.onStatus((up) => {
    host.setConnected(up);
    ui.setNotice(up ? null : "Disconnected from the host, reconnecting…");
  });
  transport.onEnded((message) => ui.setNotice(message));

  // Plain copies, not store proxies: IPC structured-clones what it sends, and proxies cannot be cloned.
  const plain = (c: CellSource): CellSource => ({ id: c.id, code: c.code, config: { ...c.config } });
  // Tracking views call the store through the host; calls made before the socket is up wait for it.
  const trackingApi = createTrackingApi({
    send: (call) => request({ type: "tracking-call", ...call }),
    serve: (action, modelUri) => request({ type: "serve-model", action, modelUri }) as Promise<{ url: string | null }>,
    subscribe: (listener) => transport.onEvent((e) => e.type === "store-changed" && listener(e.change)),
    ready: () =>
      new Promise<void>((resolve) => {
        const off = transport.onStatus((up) => {
          if (!up) return;
          queueMicrotask(() => off());
          resolve();
        });
      }),
    // The run page's way back to the code; `actions` exists by the time anyone clicks.
    notebook: {
      openPath: () => notebook.store.path,
      liveCode: (cellId) => notebook.store.cells[cellId]?.code,
      async openAt(path, cellId) {
        if (path !== notebook.store.path && !(await actions.open(path))) return;
        ui.focusCell(cellId as CellId);
      },
      async openText(text, path, cellId) {
        if (!(await actions.openText(text, path))) return;
        ui.focusCell(cellId as CellId);
      },
    },
  });

  /**
   * Whether `what` (opening or creating another notebook) may replace the open one: nothing is
   * unsaved, autosave saves it now, or the user chose Save (and it saved) or Discard.
   */
  const mayLeave = async (what: string): Promise<boolean> => {
    if (!notebook.dirty()) return true;
    if (settings.settings()?.autosave && !notebook.fromText()) return actions.save();
    const choice = await ui.askLeave(what);
    if (choice === "save") return actions.save();
    return choice === "discard";
  };
  const nameOf = (path: string) => path.split(/[\\/]/).pop() ?? path;

  const cellSources = (ids: CellId[]) =>
    ids
      .map((id) => notebook.store.cells[id])
      .filter((c) => c !== undefined && !c.config.disabled)
      .map(plain);

  const fail = (what: string) => (err: unknown) =>
    ui.setNotice(`${what} failed: ${err instanceof Error ? err.message : String(err)}`);

  const actions = {
    /** Sends the given cells' current code to the kernel to register and run. */
    run(ids: CellId[]) {
      const cells = cellSources(ids);
      if (cells.length === 0) return;
      sentCode.record(cells);
      transport.send({ type: "execute-cells", cells, requestedAt: Date.now() });
    },
    runAll() {
      actions.run(notebook.store.order);
    },
    /** Runs every cell edited since it last ran, then every stale cell with its descendants: one click leaves nothing stale. */
    runStale() {
      actions.run(notebook.store.order.filter((id) => sentCode.edited(id, notebook.store.cells[id]?.code ?? "")));
      transport.send({ type: "run-stale-cells" });
    },
    interrupt() {
      transport.send({ type: "interrupt" });
    },
    restart() {
      request({ type: "restart-kernel" }).catch(fail("Restart"));
    },
    setMode(mode: RunMode) {
      notebook.setMode(mode);
      transport.send({ type: "set-run-mode", mode });
    },
    addCell(anchor: CellId | undefined, placement: Placement): CellId {
      return notebook.addCell(anchor, placement);
    },
    deleteCell(id: CellId) {
      notebook.deleteCell(id);
      kernel.forget(id);
      transport.send({ type: "delete-cell", id });
    },
    moveCell(id: CellId, delta: -1 | 1) {
      if (notebook.moveCell(id, delta)) transport.send({ type: "set-cell-order", ids: [...notebook.store.order] });
    },
    setConfig(id: CellId, patch: CellConfig) {
      const current = notebook.store.cells[id];
      if (!current) return;
      const config = { ...current.config, ...patch };
      notebook.setConfig(id, config);
      transport.send({ type: "set-cell-config", id, config });
    },
    setUiValue(id: WidgetId, value: unknown) {
      transport.send({ type: "set-ui-value", id, value });
    },
    /**
     * Raises the open notebook's output limit to `outputBytes` and re-runs cell `id`, whose output
     * was over the old limit. The host rewrites the notebook's header line, written with the next
     * save, so the notebook counts as changed.
     */
    raiseOutputLimit(id: CellId, outputBytes: number) {
      kernel.updateLimits({ outputBytes });
      notebook.markChanged();
      transport.send({ type: "set-output-limits", limits: { outputBytes } });
      actions.run([id]);
    },
    /**
     * Saves every cell in order (under `path` for "save as"); the dirty flag clears once the host
     * confirms, unless the notebook changed meanwhile. Resolves to whether it saved.
     */
    save(path?: string): Promise<boolean> {
      const cells = notebook.ordered().map(plain);
      const revision = notebook.revision();
      return request(path === undefined ? { type: "save-notebook", cells } : { type: "save-notebook", cells, path })
        .then((result) => {
          notebook.markSaved(revision, (result as { path: string }).path);
          return true;
        })
        .catch((err: unknown) => {
          fail("Save")(err);
          return false;
        });
    },
    /** Changes app-wide settings (the host keeps them and tells every window); rejects with the host's reason, for the dialog to show. */
    async setSettings(patch: Partial<AppSettings>): Promise<void> {
      await request({ type: "set-app-settings", settings: patch });
    },
    /**
     * Exports the notebook as it is on screen, with its latest outputs, as one HTML page, and offers
     * the file (a download from the host's session-file route).
     */
    async exportHtml(includeCode: boolean): Promise<void> {
      try {
        const { file } = (await request({ type: "export-html", cells: notebook.ordered().map(plain), includeCode })) as { file: string };
        const link = document.createElement("a");
        link.href = sessionFileUrl(file, true);
        link.download = nameOf(file);
        link.click();
      } catch (err) {
        fail("Export")(err);
      }
    },
    listNotebooks(): Promise<unknown> {
      return request({ type: "list-notebooks" });
    },
    /**
     * Opens a notebook once unsaved edits are saved or discarded; the host answers with
     * `notebook-opened`, which replaces the view. Resolves to false when the user stayed.
     */
    async open(path: string): Promise<boolean> {
      if (!(await mayLeave(`opening ${nameOf(path)}`))) return false;
      await request({ type: "open-notebook", path });
      return true;
    },
    /** Opens notebook text (a run's snapshot) as a new notebook that is saved near `path` on the first save. */
    async openText(text: string, path: string): Promise<boolean> {
      if (!(await mayLeave("opening the run's notebook"))) return false;
      await request({ type: "open-notebook-text", path, text });
      return true;
    },
    /** Creates and opens a notebook at `path`, as `open` does. */
    async create(path: string): Promise<boolean> {
      if (!(await mayLeave(`creating ${nameOf(path)}`))) return false;
      await request({ type: "new-notebook", path });
      return true;
    },
  };

  // The Tracking tab's api: the app's own (the same as cells use), or one on the remote server the
  // connection's views read; a new object per source, so the tab remounts fresh on a switch.
  const viewsApi = createMemo((): TrackingApi => {
    const source = viewSource.active();
    if (source.kind === "local") return trackingApi;
    return remoteTrackingApi(trackingApi, source, {
      send: (call) => request({ type: "tracking-call", store: "view", ...call }),
      subscribe: (listener) => transport.onEvent((e) => e.type === "view-changed" && listener(e.change)),
    });
  });

  // Autosave: a short while after the last edit, save the notebook (one on disk, not a snapshot
  // opened from text, which the user names by saving). Drives the host only; sets no signal.
  createEffect(() => {
    notebook.revision();
    if (!notebook.dirty() || !settings.settings()?.autosave || notebook.fromText()) return;
    const timer = setTimeout(() => void actions.save(), AUTOSAVE_DELAY_MS);
    onCleanup(() => clearTimeout(timer));
  });

  return { host, notebook, kernel, tracking, trackingApi, viewSource, viewsApi, ui, location, sentCode, settings, actions };
}

/** Everything views read and do. */
export type AppState = ReturnType<typeof createAppState>;

/** Carries the app state down the component tree; provided once in main.tsx. */
export const AppContext = createContext<AppState>();

/** The app state; throws when used outside `AppContext.Provider`, which is a wiring bug. */
export function useApp(): AppState {
  const app = useContext(AppContext);
  if (!app) throw new Error("useApp() called outside AppContext.Provider");
  return app;
}
