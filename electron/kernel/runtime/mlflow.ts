/**
 * The `mlflow` object cells import. It is the tracking client's fluent API over a store that
 *
 * - in the kernel child process forwards every call to the host (`tracking-request` →
 *   `tracking-reply`): one method-name forwarder implements the whole `TrackingStore`, so a new
 *   store method needs no glue here; `flowbook run` passes an embedded store instead;
 * - makes a cell that reads tracking data a live reader, with a match on what it read, so the cell
 *   re-runs when the host forwards a matching `tracking-changed`;
 * - stamps runs started in a cell with provenance (tags, upstream values and a notebook snapshot,
 *   see provenance.ts) and ends them when the cell does not:
 *   KILLED when the cell run is disposed (re-run, interrupt, delete, shutdown) and FAILED when the
 *   cell throws. A run a background task keeps using stays RUNNING while the cell run lives.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { createHash } from "node:crypto";
import { createMlflow, MAX_TAG_VAL_LENGTH, openHttpStore, sqlitePath, storeTransport, writeArtifact, type Mlflow } from "../../tracking/client/index.ts";
import { MlflowError, TERMINAL_STATUSES, type CreateRunRequest, type ErrorCode, type RunStatus, type TrackingStore, type UpdateRunRequest } from "../../tracking/types.ts";
import type { CellId, RequestId, TrackingReply, TrackingRequest } from "../../protocol.ts";
import type { StoreChange, TrackingInvocation } from "../../tracking/contract.ts";
import { markLiveReader, tryCurrentCell, type CellContext } from "./context.ts";
import { logNotebookParams } from "./args.ts";
import { SNAPSHOT_PATH, UPSTREAM_TAG, upstreamTag, upstreamValues, type Provenance } from "./provenance.ts";

/** A `TrackingStore` answered by the host, and the hooks its transport calls. */
export interface RemoteStore {
  store: TrackingStore;
  /** Settles the request a `tracking-reply` answers; late or unknown replies are dropped. */
  receive(reply: TrackingReply): void;
  /** Rejects every pending request (the connection to the host is gone). */
  closeAll(reason: string): void;
}

/** A `TrackingStore` that sends each call to the host with `send` and awaits its reply. */
export function createRemoteStore(send: (req: TrackingRequest) => void): RemoteStore {
  const pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  const call = (invocation: TrackingInvocation) =>
    new Promise<unknown>((resolve, reject) => {
      const requestId = `t${++next}` as RequestId;
      pending.set(requestId, { resolve, reject });
      send({ type: "tracking-request", requestId, ...invocation });
    });
  // Changes reach the kernel as `tracking-changed` commands, not store subscriptions; the host owns the store.
  const local: Partial<TrackingStore> = { onChange: () => () => undefined, close: async () => undefined };
  const store = new Proxy(local, {
    get(target, key) {
      if (typeof key === "symbol" || key === "then") return undefined;
      if (key in target) return target[key as keyof TrackingStore];
      // Any other key is a store method; the host checks the name and arguments against the contract.
      return (...args: unknown[]) => call({ method: key, args } as TrackingInvocation);
    },
  }) as TrackingStore;
  return {
    store,
    receive(reply) {
      const p = pending.get(reply.requestId);
      if (!p) return;
      pending.delete(reply.requestId);
      if (!reply.error) p.resolve(reply.result);
      else if (reply.error.code) p.reject(new MlflowError(reply.error.code as ErrorCode, reply.error.message));
      else p.reject(new Error(reply.error.message));
    },
    closeAll(reason) {
      for (const p of pending.values()) p.reject(new Error(reason));
      pending.clear();
    },
  };
}

type Match = (change: StoreChange) => boolean;
const runOrMetrics = (c: StoreChange): c is Extract<StoreChange, { run_id: string }> => c.type === "run" || c.type === "metrics";
const registry = (name?: string): Match => (c) => c.type === "registry" && (name === undefined || c.name === name);

/** What a read method's call depends on; `undefined` for writes. */
function readMatch(method: string, args: unknown[]): Match | undefined {
  const a = args[0] as Record<string, unknown> | string | undefined;
  const req = (typeof a === "object" && a !== null ? a : {}) as Record<string, unknown>;
  switch (method) {
    case "searchRuns": {
      const ids = (req.experiment_ids as string[] | undefined) ?? [];
      return (c) => (runOrMetrics(c) || c.type === "experiment") && ids.includes(c.experiment_id);
    }
    case "getRun":
      return (c) => runOrMetrics(c) && c.run_id === a;
    case "getMetricHistory":
      return (c) => c.type === "metrics" && c.run_id === req.run_id && c.metrics.some((m) => m.key === req.metric_key);
    case "getMetricHistoryBulkInterval": {
      const ids = (req.run_ids as string[] | undefined) ?? [];
      return (c) => c.type === "metrics" && ids.includes(c.run_id) && c.metrics.some((m) => m.key === req.metric_key);
    }
    case "getExperiment":
      return (c) => c.type === "experiment" && c.experiment_id === a;
    case "getExperimentByName":
    case "searchExperiments":
      return (c) => c.type === "experiment";
    case "getRegisteredModel":
    case "getLatestVersions":
    case "getModelVersionByAlias":
    case "getModelVersion":
    case "getModelVersionDownloadUri":
      return registry(a as string);
    case "searchRegisteredModels":
    case "searchModelVersions":
      return registry();
    default:
      return undefined;
  }
}

/** The cell runtime's tracking: the fluent API plus the hook the kernel's host side calls on a cell error. */
export interface CellTracking {
  mlflow: Mlflow;
  /** Ends the runs a cell run left active as FAILED, tagging the error message. */
  cellFailed(cellId: CellId, runNumber: number, message: string): Promise<void>;
}

/** Set while a fluent setter runs: its internal reads are not dependencies of the cell. */
const quiet = new AsyncLocalStorage<true>();

/** Whether `uri` names the store at `own`: the same string, or the same SQLite file however spelled. */
function sameStore(uri: string, own: string | undefined): boolean {
  if (own === undefined) return false;
  if (uri === own) return true;
  try {
    return uri.startsWith("sqlite:") && own.startsWith("sqlite:") && sqlitePath(uri) === sqlitePath(own);
  } catch {
    return false;
  }
}

/**
 * Builds the `mlflow` object over `store` (whose URI is `where.storeUri`, its `mlflow-artifacts:`
 * roots in `where.artifactsDestination`) for cells of the notebook `provenance` names. A cell's
 * `setTrackingUri` opens HTTP servers itself; pointed back at `storeUri` it keeps using `store`, and
 * any other SQLite file is refused: the database has one owner.
 */
export function createCellTracking(store: TrackingStore, provenance: Provenance, where: { storeUri?: string; artifactsDestination?: string } = {}): CellTracking {
  const { storeUri } = where;
  const open = new Map<string, { cellId: CellId; runNumber: number }>();
  /** Notebook snapshots still being written, by run id. */
  const snapshots = new Map<string, Promise<void>>();
  /** Runs cells started that have not recorded the notebook's parameters yet (they do when they end). */
  const paramsDue = new Set<string>();
  let mlflow: Mlflow;

  async function end(runId: string, status: RunStatus, tags: Record<string, string> = {}): Promise<void> {
    if (!open.delete(runId)) return;
    for (const [key, value] of Object.entries(tags)) await store.setTag(runId, { key, value });
    // The fluent API keeps a stack of active runs; ending through it also flushes buffered metrics.
    if (mlflow.activeRun()?.info.run_id === runId) await mlflow.endRun(status);
    else await wrapped.updateRun({ run_id: runId, status, end_time: Date.now() });
  }

  function started(runId: string, ctx: CellContext): void {
    open.set(runId, { cellId: ctx.cellId, runNumber: ctx.runNumber });
    paramsDue.add(runId);
    // A cell that throws is disposed just before its error is reported; waiting a microtask lets
    // `cellFailed` claim the run as FAILED first, so only runs nobody explains end KILLED.
    ctx.onDispose(() => queueMicrotask(() => void end(runId, "KILLED").catch(() => undefined)));
  }

  const wrapped = new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof key === "symbol" || typeof value !== "function") return value;
      if (key === "createRun") return (req: CreateRunRequest) => createRun(target, req);
      if (key === "updateRun") {
        return async (req: UpdateRunRequest) => {
          if (req.status && TERMINAL_STATUSES.includes(req.status)) {
            open.delete(req.run_id);
            // A run ends after its snapshot is written, so an ended run always has it.
            await snapshots.get(req.run_id);
            // The notebook's parameters, unless the cell logged the key itself; a failure warns under the cell.
            if (paramsDue.delete(req.run_id)) await logNotebookParams(target, req.run_id).catch((err: Error) => console.warn(`flowbook: run ${req.run_id} lacks the notebook's parameters: ${err.message}`));
          }
          return target.updateRun(req);
        };
      }
      return (...args: unknown[]) => {
        const match = readMatch(key, args);
        if (match && !servesOwnWrite(key, args)) markLiveReader(match);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });

  /**
   * Reads that serve the cell's own writes must not make it a live reader, or its own logging
   * would re-run it: `setExperiment`'s get-or-create, and reads of a run this very cell started
   * (`registerModel`, `tfjs.logModel`). Another cell reading that run stays a live reader.
   */
  function servesOwnWrite(method: string, args: unknown[]): boolean {
    if (quiet.getStore()) return true;
    const ctx = tryCurrentCell();
    const owner = method === "getRun" && typeof args[0] === "string" ? open.get(args[0]) : undefined;
    return !!ctx && owner?.cellId === ctx.cellId;
  }

  async function createRun(target: TrackingStore, req: CreateRunRequest) {
    const ctx = tryCurrentCell();
    if (!ctx) return target.createRun(req);
    const code = provenance.codeOf(ctx.cellId) ?? "";
    const stamp: Record<string, string> = {
      "flowbook.notebook": provenance.notebookPath,
      "flowbook.cellId": ctx.cellId,
      "flowbook.codeHash": createHash("sha256").update(code).digest("hex"),
      "mlflow.source.name": provenance.notebookPath,
      "mlflow.source.type": "NOTEBOOK",
      [UPSTREAM_TAG]: upstreamTag(upstreamValues(ctx.inputs)),
    };
    const tags = (req.tags ?? []).filter((t) => !(t.key in stamp));
    const run = await target.createRun({ ...req, tags: [...tags, ...Object.entries(stamp).map(([key, value]) => ({ key, value }))] });
    started(run.info.run_id, ctx);
    // Written while the cell goes on (a durable write costs milliseconds); the run's end waits for it.
    const id = run.info.run_id;
    snapshots.set(id, saveSnapshot(target, id, run.info.artifact_uri).finally(() => snapshots.delete(id)));
    return run;
  }

  /**
   * Writes the notebook snapshot beside the run's other artifacts: one file write, straight to a
   * `file:` root (the host's store) or through the server's artifact proxy. It never fails the
   * cell: a problem becomes a warning line under it (console routing finds the cell).
   */
  async function saveSnapshot(target: TrackingStore, runId: string, artifactUri: string): Promise<void> {
    try {
      await writeArtifact(artifactUri, SNAPSHOT_PATH, provenance.notebookText(), storeTransport(target, where.artifactsDestination));
    } catch (err) {
      console.warn(`flowbook: run ${runId} has no notebook snapshot (${SNAPSHOT_PATH}): ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  mlflow = createMlflow(wrapped, async (uri) => (sameStore(uri, storeUri) ? { store: wrapped, owned: false } : openHttpStore(uri)), where);
  const setExperiment = mlflow.setExperiment;
  mlflow.setExperiment = (...args) => quiet.run(true, () => setExperiment(...args));
  return {
    mlflow,
    async cellFailed(cellId, runNumber, message) {
      const failed = [...open].filter(([, o]) => o.cellId === cellId && o.runNumber === runNumber).map(([id]) => id);
      for (const runId of failed) await end(runId, "FAILED", { "flowbook.error": message.slice(0, MAX_TAG_VAL_LENGTH) });
    },
  };
}
