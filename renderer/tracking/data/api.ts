/**
 * The tracking views' only dependency: a typed facade over the host's `tracking-call` command,
 * its `store-changed` pushes, and the same-origin artifact routes — or, for a remote MLflow server,
 * the connection's view source, the host's `view-changed` re-reads and its artifact proxy. The shell
 * builds one from its transport; tests and embeddings can build one from anything that answers the same calls.
 */
import type { ViewSourceInfo } from "../../../electron/protocol.ts";
import type {
  StoreChange,
  TrackingArgs,
  TrackingInvocation,
  TrackingMethod,
  TrackingResult,
} from "../../../electron/tracking/contract.ts";
import type { ArtifactFile } from "./types.ts";

/** What the tracking views may do with the app's notebook; absent where no notebook is around. */
export interface NotebookLink {
  /** The path of the notebook open in the app ("" when none). */
  openPath(): string;
  /** A cell's code as the editor has it now, in the open notebook; reactive. */
  liveCode(cellId: string): string | undefined;
  /** Opens the notebook at `path` (unless it is the open one) and brings cell `cellId` into view. */
  openAt(path: string, cellId: string): Promise<void>;
  /** Opens `text` as a new, unsaved notebook to be saved near `path`, showing cell `cellId`. */
  openText(text: string, path: string, cellId: string): Promise<void>;
}

/** What the tracking views need from the outside world. */
export interface TrackingApi {
  /**
   * Calls a store method on the host by name, with that method's arguments, resolving to its
   * result; rejects with the store's error message.
   */
  call<M extends TrackingMethod>(method: M, ...args: TrackingArgs<M>): Promise<TrackingResult<M>>;
  /** Subscribes to committed store changes; returns the unsubscribe function. */
  onStoreChange(listener: (change: StoreChange) => void): () => void;
  /** A URL the browser can load for a run's artifact (img src, iframe src, download link). */
  artifactUrl(runId: string, path: string): string;
  /** Lists one artifact directory of a run (root when `path` is absent). */
  listArtifacts(runId: string, path?: string): Promise<ArtifactFile[]>;
  /** The app's notebook, for the run page's "open the notebook" actions; absent when there is none. */
  notebook?: NotebookLink;
  /** Starts, stops or looks up the host's scoring server for a model URI; resolves to its URL or null. */
  serveModel(action: "start" | "stop" | "status", modelUri: string): Promise<string | null>;
  /** Where the data comes from: the app's own store, or a remote MLflow server the host re-reads. */
  source: ViewSourceInfo;
}

/** `artifactUrl` and `listArtifacts` over MLflow's artifact routes at `base` ("" is the page's origin). */
function artifactRoutes(base: string): Pick<TrackingApi, "artifactUrl" | "listArtifacts"> {
  return {
    artifactUrl: (runId, path) =>
      `${base}/get-artifact?run_uuid=${encodeURIComponent(runId)}&path=${encodeURIComponent(path)}`,
    listArtifacts: async (runId, path) => {
      const q = new URLSearchParams({ run_id: runId });
      if (path) q.set("path", path);
      const res = await fetch(`${base}/api/2.0/mlflow/artifacts/list?${q}`);
      const body = (await res.json().catch(() => ({}))) as { files?: ArtifactFile[]; message?: string };
      if (!res.ok) throw new Error(body.message ?? `artifact listing failed (HTTP ${res.status})`);
      return body.files ?? [];
    },
  };
}

/**
 * A call that sends a plain JSON copy of `args`: they may hold Solid store proxies (cell props),
 * which IPC cannot clone. The one place a reply is taken to be the method's result: the host
 * answers a call with what the store method resolved to.
 */
function plainCall(send: TrackingCallSender, ready: () => Promise<void>): TrackingApi["call"] {
  return async (method, ...args) => {
    await ready();
    const invocation = { method, args: JSON.parse(JSON.stringify(args)) } as TrackingInvocation;
    return (await send(invocation)) as TrackingResult<typeof method>;
  };
}

/** A transport's request function, as the shell has it: a store call in, the reply's result out. */
export type TrackingCallSender = (call: TrackingInvocation) => Promise<unknown>;
/** The shell's request for `serve-model`: action and model URI in, the reply's `{ url }` out. */
export type ServeSender = (action: "start" | "stop" | "status", modelUri: string) => Promise<{ url: string | null }>;

/**
 * Builds a TrackingApi from the shell's pieces. Artifact routes are MLflow's, served by the host at
 * `base` (default: same origin, so relative URLs work in browser mode).
 */
export function createTrackingApi(opts: {
  send: TrackingCallSender;
  serve: ServeSender;
  subscribe: (listener: (change: StoreChange) => void) => () => void;
  base?: string;
  /**
   * Resolves once the host connection is up; calls wait for it, so views mounted before the
   * WebSocket opens do not fail their first reads.
   */
  ready?: () => Promise<void>;
  notebook?: NotebookLink;
}): TrackingApi {
  const ready = opts.ready ?? (() => Promise.resolve());
  return {
    source: { kind: "local" },
    call: plainCall(opts.send, ready),
    onStoreChange: opts.subscribe,
    ...(opts.notebook ? { notebook: opts.notebook } : {}),
    serveModel: async (action, modelUri) => {
      await ready();
      return (await opts.serve(action, modelUri)).url;
    },
    ...artifactRoutes(opts.base ?? ""),
  };
}

/**
 * The views' api on a remote MLflow server, derived from the app's own: calls go to the
 * connection's view source (`send`), changes are the host's re-reads of it (`subscribe`), and
 * artifacts load through the host's proxy for that server. Serving stays with the app's store.
 */
export function remoteTrackingApi(
  local: TrackingApi,
  source: Extract<ViewSourceInfo, { kind: "remote" }>,
  opts: { send: TrackingCallSender; subscribe: (listener: (change: StoreChange) => void) => () => void },
): TrackingApi {
  return {
    ...local,
    source,
    call: plainCall(opts.send, () => Promise.resolve()),
    onStoreChange: opts.subscribe,
    ...artifactRoutes(source.artifactBase),
    serveModel: (action) =>
      action === "status"
        ? Promise.resolve(null)
        : Promise.reject(new Error("Serving runs on this app's store only: switch the Tracking tab back to it to serve a model.")),
  };
}

/** The message of whatever a failed call rejected with. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (err && typeof err === "object" && "message" in err) return String((err as { message: unknown }).message);
  return String(err);
}
