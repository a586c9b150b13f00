/**
 * The host behind `flowbook app nb.ts` (marimo's `run`): one notebook served read-only. Each browser
 * session gets its own kernel, which runs every cell when the page connects; the page is sent the
 * cells without their code, and shows outputs and widgets, which still re-run their readers.
 *
 * A session may only move widgets, interrupt, and read the tracking store: every other command
 * (edits, runs of code it sends, saves, files, restarts, model serving, remote views) is refused,
 * with a `PERMISSION_DENIED` reply when it asked for one ({@link appSessionRefuses}). Sessions are
 * bounded (`maxSessions`; more are told to come back later) and closed when their page goes or has
 * sent nothing for `idleMs`.
 */
import { basename, dirname, resolve } from "node:path";
import { loadNotebook, parseLimitsDirective } from "../notebook/index.ts";
import {
  assertNever,
  type CellId,
  type HostCommand,
  type HostEvent,
  type KernelEvent,
  type KernelState,
  type NotebookParams,
  type Output,
  type OutputLimits,
  type RequestId,
} from "../protocol.ts";
import { mergeLimits } from "../common/output-bounds.ts";
import { invokeTracking } from "../tracking/calls.ts";
import { createChangeCoalescer, latestPerKey, VIEW_INTERVAL_MS } from "./change-coalescer.ts";
import { readGitProvenance, withGitProvenance } from "./git-provenance.ts";
import type { Connection, Host } from "./host.ts";
import { headerLineCount } from "../common/notebook-lines.ts";
import { openHostStore } from "./host-store.ts";
import { KernelClient, toRemoteError } from "./kernel-client.ts";
import { createKernelRuns, releaseHostIdentity, type KernelRuns } from "./run-owner.ts";
import { findWidget, validateHostCommand } from "./validate.ts";

/** Kernels an app serves at once when not told. */
export const DEFAULT_MAX_SESSIONS = 4;
/** How long a session may send nothing before its kernel is closed, when not told (15 minutes). */
export const DEFAULT_IDLE_MS = 15 * 60_000;

/** Options of {@link createAppHost}. */
export interface AppHostOptions {
  notebookPath: string;
  /** `sqlite:///…` store (default: `flowbook.db` beside the notebook). */
  trackingUri?: string;
  artifactsDestination?: string;
  /** The notebook parameters every session's kernel gets (`flowbook app -P name=value`). */
  params?: NotebookParams;
  /** The app-wide output bounds; the notebook's header line overrides them. */
  outputLimits?: Partial<OutputLimits>;
  maxSessions?: number;
  idleMs?: number;
  log?: (message: string) => void;
}

/** What the HTTP server needs of a host, which the app host is. */
export type AppHost = Pick<Host, "store" | "artifactsDestination" | "views" | "connect" | "setRestUrl" | "sessionFile" | "notebookPath" | "close"> & {
  /** Sessions with a kernel now. */
  sessions(): number;
};

/**
 * Why an app session may not send `cmd`, or undefined when it may. Only widget input, interrupt and
 * reads of the app's own store pass; a new command is refused until it is placed here.
 */
export function appSessionRefuses(cmd: HostCommand): string | undefined {
  switch (cmd.type) {
    case "set-ui-value":
    case "interrupt":
      return undefined;
    case "tracking-call":
      // Reads only (get…, search…), and of the app's own store: a page cannot write runs or reach other servers.
      return cmd.store !== "view" && /^(get|search)[A-Z]/.test(cmd.method) ? undefined : `this app view only reads the tracking store ('${cmd.method}' refused)`;
    case "execute-cells":
    case "run-stale-cells":
    case "delete-cell":
    case "set-cell-order":
    case "set-cell-config":
    case "set-run-mode":
    case "set-output-limits":
    case "open-notebook":
    case "new-notebook":
    case "open-notebook-text":
    case "save-notebook":
    case "list-notebooks":
    case "restart-kernel":
    case "set-view-source":
    case "test-view-source":
    case "serve-model":
    case "set-app-settings":
    case "export-html":
      return `'${cmd.type}' is not allowed in an app view, which is read-only`;
    default:
      return assertNever(cmd);
  }
}

/** One browser session: its kernel, the runs that kernel opened, and what it shows. */
interface Session {
  kernel: KernelClient;
  runs: KernelRuns;
  state: KernelState;
  tfBackend: string;
  /** Cells running or queued, and cells whose finished runs still have background work going. */
  busy: Set<CellId>;
  background: Set<CellId>;
  /** Each cell's latest output: where the widgets this page may set are. */
  outputs: Map<CellId, Output>;
  idle: NodeJS.Timeout | undefined;
}

/** Opens the notebook and the store, and serves sessions as pages connect. */
export async function createAppHost(opts: AppHostOptions): Promise<AppHost> {
  const path = resolve(opts.notebookPath);
  const notebook = await loadNotebook(path);
  const log = opts.log ?? ((m: string) => process.stderr.write(`flowbook app: ${m}\n`));
  const directive = parseLimitsDirective(notebook.header, path);
  for (const warning of directive.warnings) log(warning);
  const limits = mergeLimits(opts.outputLimits, directive.limits);
  const maxSessions = opts.maxSessions ?? DEFAULT_MAX_SESSIONS;
  const idleMs = opts.idleMs ?? DEFAULT_IDLE_MS;
  const { store, trackingUri, artifactsDestination, me } = await openHostStore({ ...opts, notebookDir: dirname(path), log });
  // The notebook does not change while served: its git provenance is read once.
  const git = readGitProvenance(path);
  const runStore = withGitProvenance(store, () => git, log, artifactsDestination);
  const cells = notebook.cells.map(({ id, code, config }) => ({ id, code, config }));
  // What a page is told: the cells' ids and names, never their code, and not where the file lives.
  const opened: HostEvent = {
    type: "notebook-opened",
    path: basename(path),
    cells: cells.map(({ id, config }) => ({ id, code: "", config })),
    mode: "autorun",
    limits,
    headerLines: headerLineCount(notebook.header),
    // Every page is its own open, and a page connects once: no editors to keep across opens.
    session: 0,
    runOnOpen: true,
    appView: true,
  };
  const sessions = new Map<Connection, Session>();
  let closed = false;

  const send = (c: Connection, event: HostEvent) => {
    try {
      c.send(event);
    } catch (err) {
      log(`could not send '${event.type}': ${(err as Error).message}`);
    }
  };
  // Where the store lives stays on the server: an app serves no REST API to point Python at.
  const status = (s: Session): HostEvent => ({ type: "host-status", trackingUri: "", restUrl: "", tfBackend: s.tfBackend, kernel: s.state });
  const setState = (c: Connection, s: Session, next: KernelState) => {
    if (s.state === next) return;
    s.state = next;
    send(c, status(s));
  };
  const settle = (c: Connection, s: Session) => {
    if (s.state === "idle" || s.state === "busy") setState(c, s, s.busy.size + s.background.size > 0 ? "busy" : "idle");
  };

  const coalescers = [
    createChangeCoalescer((change) => sessions.forEach((_, c) => send(c, { type: "store-changed", change })), VIEW_INTERVAL_MS),
    createChangeCoalescer((change) => sessions.forEach((s) => s.kernel.send({ type: "tracking-changed", change: latestPerKey(change) }))),
  ];
  const offStore = store.onChange((change) => coalescers.forEach((k) => k.push(change)));

  const onKernelEvent = (c: Connection, s: Session, event: KernelEvent) => {
    switch (event.type) {
      case "kernel-ready":
        // A new process (an interrupt that had to kill): the old one's open runs are over.
        void s.runs.endAll("KILLED");
        s.busy.clear();
        s.background.clear();
        s.state = "idle";
        send(c, status(s));
        break;
      case "cell-status":
        if (event.status === "running" || event.status === "queued") s.busy.add(event.id);
        else s.busy.delete(event.id);
        settle(c, s);
        break;
      case "cell-output":
        if (event.output) s.outputs.set(event.id, event.output);
        else s.outputs.delete(event.id);
        break;
      case "completed-run":
        s.busy.clear();
        settle(c, s);
        break;
      case "cell-background":
        if (event.active) s.background.add(event.id);
        else s.background.delete(event.id);
        settle(c, s);
        return;
      case "tf-backend":
        s.tfBackend = event.backend;
        send(c, status(s));
        return;
      // Which names each cell defines would tell the page about the code it does not show.
      case "variables":
      // KernelClient answers tracking requests through onTrackingRequest; none reaches here.
      case "tracking-request":
        return;
      case "cell-console":
      case "interrupted":
        break;
      default:
        assertNever(event);
    }
    send(c, { type: "kernel-event", event });
  };

  /** Tells a page its session is over (no kernel runs for it) and why. */
  const closeWith = (c: Connection, reason: string) => {
    send(c, { type: "host-status", trackingUri: "", restUrl: "", tfBackend: "unknown", kernel: "dead" });
    send(c, { type: "session-closed", reason });
  };

  const end = async (c: Connection, reason?: string) => {
    const s = sessions.get(c);
    if (!s) return;
    sessions.delete(c);
    clearTimeout(s.idle);
    if (reason) closeWith(c, reason);
    await s.kernel.dispose();
    await s.runs.endAll("KILLED");
  };

  const touch = (c: Connection, s: Session) => {
    clearTimeout(s.idle);
    const after = idleMs >= 60_000 ? `${Math.round(idleMs / 60_000)} min` : `${Math.round(idleMs / 1000)} s`;
    s.idle = setTimeout(() => void end(c, `this app session was closed after ${after} without input; reload the page to start a new one`), idleMs);
    s.idle.unref?.();
  };

  const start = (c: Connection) => {
    const kernel = new KernelClient();
    const s: Session = { kernel, runs: createKernelRuns(runStore, me, log), state: "starting", tfBackend: "unknown", busy: new Set(), background: new Set(), outputs: new Map(), idle: undefined };
    sessions.set(c, s);
    kernel.onTrackingRequest((call) => s.runs.call(call));
    kernel.onEvent((event) => onKernelEvent(c, s, event));
    kernel.onExit((exit) => {
      const how = exit.signal ?? `code ${exit.code}`;
      void s.runs.endAll("FAILED", `the kernel process exited unexpectedly (${how})`);
      s.busy.clear();
      s.background.clear();
      setState(c, s, "dead");
    });
    send(c, status(s));
    send(c, opened);
    // Many sessions run this notebook at once: none writes console logs or outputs beside it.
    kernel.send({ type: "kernel-init", notebookPath: path, cells, mode: "autorun", trackingUri, artifactsDestination, limits, sessionFiles: false, ...(opts.params ? { params: opts.params } : {}) });
    const enabled = cells.filter((cell) => !cell.config.disabled);
    if (enabled.length > 0) kernel.send({ type: "execute-cells", cells: enabled, requestedAt: Date.now() });
    touch(c, s);
  };

  const handle = (c: Connection, raw: unknown) => {
    const s = sessions.get(c);
    if (!s || closed) return;
    touch(c, s);
    const v = validateHostCommand(raw, (id) => findWidget(s.outputs.values(), id));
    const refused = v.ok ? appSessionRefuses(v.command) : v.error;
    const requestId = v.ok ? (v.command as { requestId?: RequestId }).requestId : v.requestId;
    if (refused !== undefined) {
      if (requestId) send(c, { type: "reply", requestId, error: { message: refused, code: v.ok ? "PERMISSION_DENIED" : "INVALID_PARAMETER_VALUE" } });
      else log(refused);
      return;
    }
    const cmd = v.ok ? v.command : undefined;
    if (cmd?.type === "tracking-call") {
      invokeTracking(store, cmd).then(
        (result) => send(c, { type: "reply", requestId: cmd.requestId, result }),
        (err: unknown) => send(c, { type: "reply", requestId: cmd.requestId, error: toRemoteError(err) }),
      );
    } else if (cmd) s.kernel.send(cmd as Extract<HostCommand, { type: "set-ui-value" | "interrupt" }>);
  };

  return {
    store,
    artifactsDestination,
    // An app has no remote tracking views, and shows no console logs or saved outputs by path.
    views: { proxy: (_req, res) => void res.writeHead(404).end() },
    sessionFile: () => undefined,
    notebookPath: () => path,
    sessions: () => sessions.size,
    // An app view serves no REST API (see `startHttpServer`'s `rest`), so there is no URL to tell pages.
    setRestUrl: () => undefined,
    connect(connection) {
      if (closed) return () => undefined;
      if (sessions.size >= maxSessions) {
        closeWith(connection, `this app serves ${maxSessions} sessions at once, all in use; try again later`);
        return () => undefined;
      }
      const off = connection.onCommand((raw) => handle(connection, raw));
      start(connection);
      return () => {
        off();
        void end(connection);
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...sessions.keys()].map((c) => end(c)));
      releaseHostIdentity(me);
      coalescers.forEach((k) => k.dispose());
      offStore();
      await store.close();
    },
  };
}
