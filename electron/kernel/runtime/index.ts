/**
 * The "flowbook" module cells import (`import { md, ui, mlflow } from "flowbook"`): one object
 * per kernel, built around the tracking store the kernel uses (the host proxy in the kernel process,
 * an embedded store under `flowbook run`). TF.js is not loaded until a cell calls `loadTf()` or an
 * `mlflow.tfjs` / `mlflow.pyfunc` helper (see tfjs.ts).
 */
import type { KernelEvent, NotebookParams } from "../../protocol.ts";
import type { TrackingStore } from "../../tracking/types.ts";
import { MlflowClient } from "../../tracking/client/index.ts";
import { args, setNotebookParams } from "./args.ts";
import { createCaches } from "./cache.ts";
import { md } from "./md.ts";
import { createCellTracking, type CellTracking } from "./mlflow.ts";
import type { Provenance } from "./provenance.ts";
import { plot } from "./plot.ts";
import { progress } from "./progress.ts";
import { state } from "./state.ts";
import { stop } from "./stop.ts";
import { table } from "./table.ts";
import { trackingUi } from "./views.ts";
import { currentCell } from "./context.ts";
import { createTfjsRuntime, type BackendListener, type TfjsRuntime } from "./tfjs.ts";
import { setScriptMode, ui } from "./ui.ts";

export { kernelProvenance, type Provenance } from "./provenance.ts";

/** What `createRuntime` needs. */
export interface RuntimeOptions {
  store: TrackingStore;
  /** The URI `store` answers for (the host's database): a cell's `setTrackingUri` to it keeps using `store`. */
  storeUri?: string;
  /** The folder behind that store's `mlflow-artifacts:` roots (the host's proxy folder). */
  artifactsDestination?: string;
  /** The notebook runs started in cells come from (path, cell code, snapshot text); see provenance.ts. */
  provenance: Provenance;
  /** The notebook's parameters (`args()` in cells; recorded on the runs cells start). */
  params?: NotebookParams;
  /** Running as a script (`flowbook run`): run buttons read as clicked, since nobody can click them. */
  script?: boolean;
  /** Hears which TF.js backend loaded, once, when a cell first uses TF.js (the kernel reports it as `tf-backend`). */
  onTfBackend?: BackendListener;
}

/** A kernel's runtime: the module cells import and the tracking hooks the kernel's host side calls. */
export interface Runtime {
  module: Record<string, unknown>;
  tracking: CellTracking;
  /** The fluent MLflow API in `module` (so a caller can flush it). */
  mlflow: CellTracking["mlflow"] & Pick<TfjsRuntime, "tfjs" | "pyfunc">;
  /**
   * Sees every event the kernel emits: a cell's exception ends the runs it left open as FAILED.
   * Whoever constructs the kernel passes its events through here.
   */
  observe(event: KernelEvent): void;
}

/**
 * The current cell run's AbortSignal (Observable's `invalidation`): aborted when the cell re-runs,
 * is deleted or interrupted, so timers and subscriptions a cell starts can clean up.
 */
function invalidation(): AbortSignal {
  return currentCell().signal;
}

/** Builds the "flowbook" module for one notebook kernel. */
export function createRuntime(opts: RuntimeOptions): Runtime {
  setNotebookParams(opts.params);
  setScriptMode(opts.script ?? false);
  const tracking = createCellTracking(opts.store, opts.provenance, { storeUri: opts.storeUri, artifactsDestination: opts.artifactsDestination });
  const tf = createTfjsRuntime(tracking.mlflow, opts.onTfBackend);
  // `mlflow.tfjs` and `mlflow.pyfunc` sit on the fluent object itself, as in Python's `mlflow` module.
  const mlflow = Object.assign(tracking.mlflow, { tfjs: tf.tfjs, pyfunc: tf.pyfunc, ui: trackingUi });
  // Keys of cached functions leave out what every cell imports (it is the same for the whole session).
  const caches = createCaches(opts.provenance, () => members);
  const module = Object.freeze({ md, table, args, cache: caches.cache, persistentCache: caches.persistentCache, plot, progress, ui, state, stop, mlflow, MlflowClient, loadTf: tf.loadTf, invalidation });
  const members: ReadonlySet<unknown> = new Set(Object.values(module));
  const observe = (event: KernelEvent): void => {
    if (event.type === "cell-output" && event.error?.kind === "exception") {
      // Best effort: a store that fails here fails the same way for the cell's next call, which reports it.
      tracking.cellFailed(event.id, event.runNumber, event.error.message).catch(() => undefined);
    }
  };
  return { module, tracking, mlflow, observe };
}
