/**
 * The renderer's state: one store per domain, composed here, fed by one event switch, and shared
 * through one typed context. Views call the actions below; nothing else sends commands.
 */
import { batch, createContext, createMemo, useContext } from "solid-js";
import type {
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
import { createUiState } from "./ui.ts";
import { createViewSourceState } from "./view-source.ts";

/**
 * Exhaustiveness guard: the build fails when a message type is added and not handled; at run time
 * an unknown message (a newer host) is logged, never fatal.
 */
function assertNever(value: never): void {
  console.warn("flowbook: unhandled message", value);
}

/** Builds every domain's state, wires it to the transport and returns state plus actions. */
export function createAppState(transport: Transport) {
  const host = createHostState();
  const notebook = createNotebookState();
  const kernel = createKernelState();
  const tracking = createTrackingState();
  const ui = createUiState();
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
        // A reconnect re-announces the same notebook: keep its outputs; another notebook starts clean.
        if (event.path !== notebook.store.path) kernel.clear();
        notebook.load(event);
        // The notebook's bounds, when the host sends them; until it does, the app's defaults.
        kernel.useLimits(event.limits);
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
        if (path !== notebook.store.path) {
          if (!discardEdits()) return;
          await actions.open(path);
        }
        ui.focusCell(cellId as CellId);
      },
      async openText(text, path, cellId) {
        if (!discardEdits()) return;
        await actions.openText(text, path);
        ui.focusCell(cellId as CellId);
      },
    },
  });

  /** Whether opening another notebook may go ahead: nothing unsaved, or the user agrees to drop it. */
  const discardEdits = () =>
    !notebook.dirty() || window.confirm("The open notebook has unsaved changes, which opening another one discards. Open it anyway?");

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
      transport.send({ type: "execute-cells", cells, requestedAt: Date.now() });
    },
    runAll() {
      actions.run(notebook.store.order);
    },
    runStale() {
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
    /** Saves every cell in order (under `path` for "save as"); the dirty flag clears once the host confirms. */
    save(path?: string) {
      const cells = notebook.ordered().map(plain);
      request(path === undefined ? { type: "save-notebook", cells } : { type: "save-notebook", cells, path })
        .then(() => notebook.markSaved())
        .catch(fail("Save"));
    },
    listNotebooks(): Promise<unknown> {
      return request({ type: "list-notebooks" });
    },
    /** Opens a notebook; the host answers with `notebook-opened`, which replaces the view. */
    open(path: string): Promise<unknown> {
      return request({ type: "open-notebook", path });
    },
    /** Opens notebook text (a run's snapshot) as a new notebook that is saved near `path` on the first save. */
    openText(text: string, path: string): Promise<unknown> {
      return request({ type: "open-notebook-text", path, text });
    },
    create(path: string): Promise<unknown> {
      return request({ type: "new-notebook", path });
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

  return { host, notebook, kernel, tracking, trackingApi, viewSource, viewsApi, ui, actions };
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
