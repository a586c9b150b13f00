/**
 * The host: owns the one tracking store, the kernel of the open notebook and the renderer
 * connections, and routes messages between them. Electron's main process and browser mode create
 * the same host; only the transport carrying `HostCommand`s and `HostEvent`s differs.
 *
 * Nothing here waits on a cell: kernel commands are forwarded and answered by events. Every inbound
 * command is validated first, and a failing one becomes a `reply` error or a log line, never a throw.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { KernelClient, toRemoteError } from "./kernel-client.ts";
import {
  limitsProblem,
  loadNotebook,
  newNotebook,
  parseLimitsDirective,
  parseNotebook,
  pruneLastOutputs,
  readLastOutputs,
  resolveSessionFile,
  saveNotebook,
  withCells,
  withLimitsDirective,
  writeFileAtomic,
  type Notebook,
} from "../notebook/index.ts";
import {
  assertNever,
  type AppSettings,
  type CellId,
  type CellSource,
  type HostCommand,
  type HostEvent,
  type KernelEvent,
  type KernelEventForwarded,
  type KernelState,
  type LastOutput,
  type NotebookParams,
  type Output,
  type OutputLimits,
  type RequestId,
  type RunMode,
} from "../protocol.ts";
import { invokeTracking } from "../tracking/calls.ts";
import type { TrackingInvocation, TrackingStore } from "../tracking/types.ts";
import { createChangeCoalescer, latestPerKey, VIEW_INTERVAL_MS, type ChangeCoalescer } from "./change-coalescer.ts";
import { mergeLimits } from "../common/output-bounds.ts";
import { headerLineCount } from "../common/notebook-lines.ts";
import { NotebookPaths } from "./notebook-paths.ts";
import { createModelServing } from "./model-serving.ts";
import { openHostStore } from "./host-store.ts";
import { createKernelRuns, releaseHostIdentity, type KernelRuns } from "./run-owner.ts";
import { findWidget, validateHostCommand } from "./validate.ts";
import { redactPassword, redactUriIn } from "./shown-uri.ts";
import { openAppSettings } from "./app-settings.ts";
import { createLastOutputWriter } from "./last-output-writer.ts";
import { notebookHtml, type ShownOutput } from "./notebook-export.ts";
import { createViewSources, type ViewSources } from "./view-source.ts";
import { readGitProvenance, withGitProvenance, type GitProvenance } from "./git-provenance.ts";

/** One renderer connection (a WebSocket or an Electron window); commands arrive unvalidated. */
export interface Connection {
  send(event: HostEvent): void;
  onCommand(listener: (raw: unknown) => void): () => void;
}

/** Options of {@link createHost}. Give `notebookDir`, `notebookPath`, or both. */
export interface HostOptions {
  /** Folder the renderer may list, open and save notebooks in (default: the notebook's folder). */
  notebookDir?: string;
  /** A notebook to open at once; it may lie outside `notebookDir`. */
  notebookPath?: string;
  /**
   * The store the host opens: `sqlite:///…` (default: `defaultStoreUri(notebookDir)`), of which it
   * is the one writer, or `postgresql://…`, which other hosts and `flowbook server`s may share.
   */
  trackingUri?: string;
  /**
   * Folder behind `mlflow-artifacts:/` and the artifact proxy, and the root of new experiments'
   * artifacts (default: `mlartifacts/` beside a SQLite file, else in `notebookDir`). On a shared
   * database, give the folder the other processes use.
   */
  artifactsDestination?: string;
  /** Where problems nobody can be told about are reported (default: stderr). */
  log?: (message: string) => void;
  /** The app-wide output bounds (`flowbook edit --output-limit`); a notebook's header line overrides them. */
  outputLimits?: Partial<OutputLimits>;
  /** Where the app-wide settings persist (`app-settings.ts`); absent: kept for this host's life only. */
  settingsFile?: string;
  /** Settings for this host over the file's (not written): tests pick autosave and run on open. */
  settings?: Partial<AppSettings>;
  /** The notebook parameters (`flowbook edit -P name=value`) every kernel gets; cells read them with `args()`. */
  params?: NotebookParams;
}

/** A running host. */
export interface Host {
  readonly notebookDir: string;
  readonly trackingUri: string;
  readonly artifactsDestination: string;
  /** The store, for mounting the REST API; only the host writes a SQLite one, while a server database may have other writers. */
  readonly store: TrackingStore;
  /** Each connection's tracking-view source, for the HTTP server's artifact proxy. */
  readonly views: Pick<ViewSources<Connection>, "proxy">;
  /** Adds a connection (sends it the current status and notebook); returns its disconnect. */
  connect(connection: Connection): () => void;
  /** Tells clients where Python `mlflow` can reach the REST API, once the HTTP server listens. */
  setRestUrl(url: string): void;
  /** Allows the renderer to open or save a file the user chose outside `notebookDir` (a native dialog). */
  allowPath(path: string): string;
  /** The open notebook's path, if any. */
  notebookPath(): string | undefined;
  /**
   * The absolute path of a session file of the notebook the kernel runs (`console/<cell>.log`,
   * `outputs/…`, relative to its session folder), or undefined when none is open or `file` would
   * leave that folder. The file itself may not exist.
   */
  sessionFile(file: string): string | undefined;
  /** Stops the kernel, ends the runs it left RUNNING as KILLED, flushes pending changes and closes the store. */
  close(): Promise<void>;
}

/** Events replayed to a connection that joins late, so a reloaded page shows current outputs. */
type Replayed = Extract<KernelEventForwarded["event"], { type: "cell-status" | "cell-output" }>;

/** Creates a host: opens the store (and the notebook, when given). */
export async function createHost(opts: HostOptions): Promise<Host> {
  const notebookDir = resolve(opts.notebookDir ?? (opts.notebookPath ? dirname(resolve(opts.notebookPath)) : "."));
  // The app-wide bounds come from a flag or a launch argument: out of bounds is a start-up error.
  const limitsError = opts.outputLimits && limitsProblem(opts.outputLimits);
  if (limitsError) throw new Error(`invalid output limits: ${limitsError}`);
  const log = opts.log ?? ((m: string) => process.stderr.write(`flowbook host: ${m}\n`));
  const settings = openAppSettings(opts.settingsFile, opts.settings, log);
  // The store setting applies at start: a change is saved for the next one (the status bar shows the store in use).
  const setting = settings.get().trackingUri;
  const { store, trackingUri, artifactsDestination, me } = await openHostStore({ ...opts, notebookDir, setting, log }).catch((err: Error) => {
    if (opts.trackingUri !== undefined || setting === "") throw err;
    // The app cannot start to show its Settings: say where the setting is, and the way around it.
    const where = opts.settingsFile ? ` in ${opts.settingsFile}` : "";
    throw new Error(`could not open the tracking store '${redactPassword(setting)}' set in Settings (change "trackingUri"${where}, or start with --tracking-uri): ${redactUriIn(err.message, setting)}`);
  });
  const serving = createModelServing(store);
  const paths = new NotebookPaths(notebookDir);
  const lastOutputs = createLastOutputWriter(log);
  const connections = new Set<Connection>();

  let restUrl = "";
  let kernel: KernelClient | undefined;
  /** The runs the current kernel started and has not ended. */
  let kernelRuns: KernelRuns | undefined;
  let kernelState: KernelState = "dead";
  /** The TF.js backend the kernel reported; "unknown" until a cell first uses TF.js. */
  let tfBackend = "unknown";
  /** Cells running or queued, and cells whose finished runs still have background work going. */
  const busy = new Set<CellId>();
  const background = new Set<CellId>();
  /** A kernel that starts, exits or restarts has nothing running. */
  const forgetWork = () => {
    busy.clear();
    background.clear();
  };
  const replay = new Map<CellId, Map<Replayed["type"], Replayed>>();
  /** The open notebook; `unsaved` while it came from text and its file does not exist yet. */
  let open: { path: string; notebook: Notebook; mode: RunMode; unsaved?: boolean; session: number; runOnOpen: boolean } | undefined;
  /** Counts opens, so windows tell a fresh open from a reconnect's re-announcement. */
  // Starting from the clock, a restarted host never reuses a number a window still holds.
  let sessions = Date.now();
  /** What the open notebook's cells showed last session, for cells that have not shown anything since. */
  const previous = new Map<CellId, LastOutput>();
  /** The notebook path the kernel was started on: its session files stay there after a "save as". */
  let kernelPath: string | undefined;
  /**
   * Where the open notebook stands in git, which runs its cells start carry: read when the first run
   * after an open or a save needs it (not at every autosave), then kept until the next open or save.
   */
  let git: Promise<GitProvenance | undefined> | undefined;
  const currentGit = () => (git ??= open && !open.unsaved ? readGitProvenance(open.path) : Promise.resolve(undefined));
  let closed = false;

  const broadcast = (event: HostEvent) => {
    for (const c of connections) sendTo(c, event);
  };
  const sendTo = (c: Connection, event: HostEvent) => {
    try {
      c.send(event);
    } catch (err) {
      log(`could not send '${event.type}': ${(err as Error).message}`);
      // An output the window cannot take (too big to serialize, say) shows as an error, never as nothing.
      if (event.type === "kernel-event" && event.event.type === "cell-output") {
        const message = `the output could not be sent to this window: ${(err as Error).message}`;
        try {
          c.send({ type: "kernel-event", event: { ...event.event, output: null, error: { kind: "invalid", message } } });
        } catch {
          // The connection itself is broken; its close handler cleans up.
        }
      }
    }
  };
  // Windows show the store's URI; a database password stays in the host (and the kernel it starts).
  const status = (): HostEvent => ({ type: "host-status", trackingUri: redactPassword(trackingUri), restUrl, tfBackend, kernel: kernelState });
  const setKernelState = (next: KernelState) => {
    if (next === kernelState) return;
    kernelState = next;
    broadcast(status());
  };
  const settle = () => {
    if (kernelState === "idle" || kernelState === "busy") setKernelState(busy.size + background.size > 0 ? "busy" : "idle");
  };

  // Views get metrics once a frame (a chart's metric→pixel latency); the kernel only re-runs live
  // reader cells, which it throttles to 10 Hz itself, so it keeps the coarser default interval and
  // gets which keys changed, not every point (a training run would ship each one to it).
  const coalescers: ChangeCoalescer[] = [
    createChangeCoalescer((change) => broadcast({ type: "store-changed", change }), VIEW_INTERVAL_MS),
    createChangeCoalescer((change) => kernel?.send({ type: "tracking-changed", change: latestPerKey(change) })),
  ];
  const offStore = store.onChange((change) => coalescers.forEach((c) => c.push(change)));

  const callStore = (call: TrackingInvocation): Promise<unknown> => invokeTracking(store, call);

  const onKernelEvent = (event: KernelEvent) => {
    switch (event.type) {
      case "kernel-ready":
        forgetWork();
        kernelState = "idle";
        // A new kernel process has not loaded TF.js yet; it reports its backend on first use.
        tfBackend = "unknown";
        broadcast(status());
        break;
      case "cell-status":
        if (event.status === "running" || event.status === "queued") busy.add(event.id);
        else busy.delete(event.id);
        remember(event);
        settle();
        break;
      case "cell-output":
        remember(event);
        previous.delete(event.id);
        if (kernelPath !== undefined && open) {
          const entry = { id: event.id, output: event.output, ...(event.error ? { error: event.error } : {}), savedAt: Date.now() };
          lastOutputs.record(kernelPath, entry, limitsOf(open.notebook).outputBytes);
        }
        break;
      case "completed-run":
        busy.clear();
        settle();
        break;
      case "cell-background":
        if (event.active) background.add(event.id);
        else background.delete(event.id);
        settle();
        return;
      case "cell-console":
      case "interrupted":
      case "variables":
        break;
      case "tracking-request":
        // KernelClient answers these through onTrackingRequest; one never reaches here.
        return;
      case "tf-backend":
        tfBackend = event.backend;
        broadcast(status());
        return;
      default:
        assertNever(event);
    }
    broadcast({ type: "kernel-event", event });
  };
  /** The cells' current outputs: where the widgets a renderer may set are. */
  function* shownOutputs(): Iterable<Output> {
    for (const slot of replay.values()) {
      const event = slot.get("cell-output");
      if (event?.type === "cell-output" && event.output) yield event.output;
    }
  }
  const remember = (event: Replayed) => {
    let slot = replay.get(event.id);
    if (!slot) replay.set(event.id, (slot = new Map()));
    slot.set(event.type, event);
  };

  /** The open notebook's bounds: the app's, then its header line's (checked when it was opened). */
  const limitsOf = (nb: Notebook): OutputLimits => mergeLimits(opts.outputLimits, parseLimitsDirective(nb.header).limits);

  const startKernel = (path: string, nb: Notebook, mode: RunMode) => {
    // No `cwd`: KernelClient forks with `--import tsx`, which Node resolves from the child's working
    // directory, so a notebook folder without node_modules would kill the kernel at start.
    const client = new KernelClient();
    const runs = createKernelRuns(withGitProvenance(store, currentGit, log, artifactsDestination), me, log);
    kernel = client;
    kernelRuns = runs;
    kernelPath = path;
    client.onTrackingRequest((call) => runs.call(call));
    client.onEvent((event) => {
      // A new process (a restart, or an interrupt that had to kill): the old one's open runs are over.
      if (event.type === "kernel-ready") void runs.endAll("KILLED");
      onKernelEvent(event);
    });
    client.onExit((exit) => {
      if (kernel !== client) return;
      const how = exit.signal ?? `code ${exit.code}`;
      void runs.endAll("FAILED", `the kernel process exited unexpectedly (${how})`);
      log(`kernel exited (${how}); restart it to continue`);
      forgetWork();
      setKernelState("dead");
    });
    setKernelState("starting");
    const cells = nb.cells.map(({ id, code, config }) => ({ id, code, config }));
    client.send({ type: "kernel-init", notebookPath: path, cells, mode, trackingUri, artifactsDestination, limits: limitsOf(nb), ...(opts.params ? { params: opts.params } : {}) });
    return client;
  };

  const openPath = async (path: string): Promise<string> => openLoaded(path, await loadNotebook(path), false);
  /** Makes `notebook` the open one at `path` on a fresh kernel; `unsaved` when its file is not written yet. */
  const openLoaded = async (path: string, notebook: Notebook, unsaved: boolean): Promise<string> => {
    // A bad `// flowbook:` line refuses the notebook (naming the line) before the open one is closed.
    for (const warning of parseLimitsDirective(notebook.header, path).warnings) log(warning);
    const old = kernel;
    const oldRuns = kernelRuns;
    kernel = undefined;
    kernelRuns = undefined;
    await old?.dispose();
    await oldRuns?.endAll("KILLED");
    await lastOutputs.flush();
    forgetWork();
    replay.clear();
    previous.clear();
    const limits = limitsOf(notebook);
    for (const entry of await readLastOutputs(path, notebook.cells.map((c) => c.id), limits.outputBytes)) previous.set(entry.id, entry);
    // A run's snapshot opened from text is looked at, not retrained; the header's line beats the app's setting.
    const runOnOpen = !unsaved && (parseLimitsDirective(notebook.header).runOnOpen ?? settings.get().runOnOpen);
    open = { path, notebook, mode: open?.mode ?? "autorun", ...(unsaved ? { unsaved } : {}), session: ++sessions, runOnOpen };
    git = undefined;
    const started = startKernel(path, notebook, open.mode);
    if (runOnOpen) started.send({ type: "run-stale-cells" });
    broadcast(opened());
    lastShown().forEach(broadcast);
    return path;
  };
  const opened = (): HostEvent => ({
    type: "notebook-opened",
    path: open!.path,
    cells: open!.notebook.cells.map(({ id, code, config }) => ({ id, code, config })),
    mode: open!.mode,
    limits: limitsOf(open!.notebook),
    headerLines: headerLineCount(open!.notebook.header),
    session: open!.session,
    runOnOpen: open!.runOnOpen,
    ...(open!.unsaved ? { unsaved: true } : {}),
  });
  /**
   * The last outputs as messages of at most about one output limit each (each output is within it),
   * so a notebook of many big charts never makes one message a window cannot take; always one at least.
   */
  const lastShown = (): HostEvent[] => {
    const limit = open ? limitsOf(open.notebook).outputBytes : 0;
    const messages: LastOutput[][] = [[]];
    let bytes = 0;
    for (const entry of previous.values()) {
      const size = JSON.stringify(entry).length;
      if (bytes > 0 && bytes + size > limit) {
        messages.push([]);
        bytes = 0;
      }
      messages.at(-1)!.push(entry);
      bytes += size;
    }
    return messages.map((outputs) => ({ type: "last-outputs", outputs }));
  };

  const createAndOpen = async (path: string): Promise<string> => {
    if (existsSync(path)) throw new Error(`${path} already exists; open it instead`);
    await saveNotebook(path, newNotebook());
    return openPath(path);
  };

  const confined = (path: string): string => {
    const r = paths.resolve(path);
    if ("error" in r) throw new Error(r.error);
    return r.path;
  };

  /**
   * A path no file has yet, like `wanted` (`a.ts`, else `a-2.ts`, `a-3.ts`, …): beside `wanted` when
   * the renderer may write there, else in the notebook folder, so a snapshot keeps its imports' folder.
   */
  const freshPath = (wanted: string): string => {
    const r = paths.resolve(wanted);
    const first = "path" in r ? r.path : confined(basename(wanted));
    let path = first;
    for (let n = 2; existsSync(path); n++) path = first.replace(/\.ts$/, `-${n}.ts`);
    return path;
  };

  // Tracking-tab calls go to each connection's view source: this store, or a remote MLflow server.
  const views = createViewSources<Connection>({ local: callStore, send: (c, e) => sendTo(c, e) });

  /** Runs one request command from `from`; the returned value is the reply's `result`. */
  const request = async (cmd: Extract<HostCommand, { requestId: RequestId }>, from: Connection): Promise<unknown> => {
    switch (cmd.type) {
      case "open-notebook": {
        const path = confined(cmd.path);
        if (!existsSync(path)) throw new Error(`no notebook at ${path}`);
        return { path: await openPath(path) };
      }
      case "new-notebook":
        return { path: await createAndOpen(confined(cmd.path)) };
      case "open-notebook-text":
        return { path: await openLoaded(freshPath(cmd.path), parseNotebook(cmd.text), true) };
      case "save-notebook": {
        if (!open) throw new Error("no notebook is open");
        const path = cmd.path === undefined ? open.path : confined(cmd.path);
        const notebook = withCells(open.notebook, cmd.cells);
        await saveNotebook(path, notebook);
        // The saved cells are the notebook's: outputs of deleted cells go (after pending writes land).
        if (path === kernelPath) {
          await lastOutputs
            .flush()
            .then(() => pruneLastOutputs(path, notebook.cells.map((c) => c.id)))
            .catch((err: Error) => log(`could not tidy the last outputs of ${path}: ${err.message}`));
        }
        open = { path, notebook, mode: open.mode, session: open.session, runOnOpen: open.runOnOpen };
        git = undefined;
        return { path };
      }
      case "set-app-settings": {
        const next = await settings.set(cmd.settings);
        broadcast({ type: "app-settings", settings: next });
        return next;
      }
      case "export-html":
        return exportOpen(cmd.cells, cmd.includeCode);
      case "list-notebooks":
        return paths.list();
      case "restart-kernel": {
        if (!kernel) throw new Error("no notebook is open");
        forgetWork();
        setKernelState("restarting");
        await kernel.restart();
        return null;
      }
      case "tracking-call":
        return cmd.store === "view" ? views.call(from, cmd) : callStore(cmd);
      case "set-view-source":
        return views.set(from, cmd.source);
      case "test-view-source":
        return views.test(cmd.url);
      case "serve-model":
        if (cmd.action === "start") return { url: await serving.start(cmd.modelUri) };
        if (cmd.action === "stop") await serving.stop(cmd.modelUri);
        return { url: serving.url(cmd.modelUri) };
      default:
        return assertNever(cmd);
    }
  };

  /**
   * Raises (or lowers) the open notebook's bounds: its header line is rewritten (written with the
   * next save) and the kernel gets the merged bounds for its later runs.
   */
  const setOutputLimits = (limits: Partial<OutputLimits>) => {
    if (!open) return log("'set-output-limits' ignored: no notebook is open");
    try {
      const header = withLimitsDirective(open.notebook.header, limits);
      open = { ...open, notebook: { ...open.notebook, header } };
    } catch (err) {
      return log(`'set-output-limits' refused: ${(err as Error).message}`);
    }
    kernel?.send({ type: "set-output-limits", limits: limitsOf(open.notebook) });
  };

  /**
   * Writes the open notebook (as the window has it) with what each cell shows now, or showed last
   * session, as one HTML page in its session folder; resolves to that file, relative to the folder.
   */
  const exportOpen = async (cells: CellSource[], includeCode: boolean): Promise<{ file: string }> => {
    if (!open || kernelPath === undefined) throw new Error("no notebook is open");
    const outputs = new Map<CellId, ShownOutput>();
    for (const [id, entry] of previous) outputs.set(id, entry);
    for (const [id, slot] of replay) {
      const e = slot.get("cell-output");
      if (e?.type === "cell-output") outputs.set(id, { output: e.output, ...(e.error ? { error: e.error } : {}) });
    }
    const file = `export/${basename(open.path).replace(/\.ts$/, "")}.html`;
    const full = resolveSessionFile(kernelPath, file);
    if (!full) throw new Error(`cannot write ${file} in the notebook's session folder`);
    await mkdir(dirname(full), { recursive: true });
    await writeFileAtomic(full, await notebookHtml({ path: open.path, cells, outputs, includeCode, computedAt: new Date() }));
    return { file };
  };

  const handle = (raw: unknown, from: Connection) => {
    if (closed) return;
    const v = validateHostCommand(raw, (id) => findWidget(shownOutputs(), id));
    if (!v.ok) {
      if (v.requestId) sendTo(from, { type: "reply", requestId: v.requestId, error: { message: v.error, code: "INVALID_PARAMETER_VALUE" } });
      else log(v.error);
      return;
    }
    const cmd = v.command;
    switch (cmd.type) {
      case "execute-cells":
      case "run-stale-cells":
      case "delete-cell":
      case "set-cell-order":
      case "set-cell-config":
      case "set-ui-value":
      case "set-run-mode":
      case "interrupt":
      case "set-output-limits":
        if (cmd.type === "set-output-limits") return setOutputLimits(cmd.limits);
        if (cmd.type === "set-run-mode" && open) open = { ...open, mode: cmd.mode };
        if (cmd.type === "delete-cell") {
          replay.delete(cmd.id);
          previous.delete(cmd.id);
        }
        if (kernel) kernel.send(cmd);
        else log(`'${cmd.type}' ignored: no notebook is open`);
        return;
      case "open-notebook":
      case "new-notebook":
      case "open-notebook-text":
      case "save-notebook":
      case "list-notebooks":
      case "restart-kernel":
      case "set-app-settings":
      case "export-html":
      case "tracking-call":
      case "set-view-source":
      case "test-view-source":
      case "serve-model":
        request(cmd, from).then(
          (result) => sendTo(from, { type: "reply", requestId: cmd.requestId, result }),
          (err: unknown) => sendTo(from, { type: "reply", requestId: cmd.requestId, error: toRemoteError(err) }),
        );
        return;
      default:
        assertNever(cmd);
    }
  };

  if (opts.notebookPath) await openPath(paths.allow(opts.notebookPath));

  return {
    notebookDir,
    trackingUri,
    artifactsDestination,
    store,
    views,
    connect(connection) {
      connections.add(connection);
      const off = connection.onCommand((raw) => handle(raw, connection));
      sendTo(connection, status());
      if (open) {
        sendTo(connection, opened());
        for (const event of lastShown()) sendTo(connection, event);
        for (const slot of replay.values()) for (const event of slot.values()) sendTo(connection, { type: "kernel-event", event });
      }
      sendTo(connection, { type: "app-settings", settings: settings.shown() });
      return () => {
        off();
        connections.delete(connection);
        views.drop(connection);
      };
    },
    setRestUrl(url) {
      restUrl = url;
      broadcast(status());
    },
    allowPath: (path) => paths.allow(path),
    notebookPath: () => open?.path,
    sessionFile: (file) => (kernelPath === undefined ? undefined : resolveSessionFile(kernelPath, file)),
    async close() {
      if (closed) return;
      closed = true;
      connections.clear();
      const k = kernel;
      const runs = kernelRuns;
      kernel = undefined;
      kernelRuns = undefined;
      await k?.dispose();
      // Runs the kernel left open end KILLED before the store closes (quit, Ctrl-C, SIGTERM).
      await runs?.endAll("KILLED");
      await lastOutputs.flush();
      releaseHostIdentity(me);
      coalescers.forEach((c) => c.dispose());
      offStore();
      views.close();
      await serving.close();
      await store.close();
    },
  };
}
