/**
 * TensorFlow.js in cells, bound to the running cell:
 *
 *     const tf = await loadTf();                          // the TF.js namespace, loaded on first use
 *     const cb = await mlflow.tfjs.callback(model, { epochs, batchSize, samples });
 *     await model.fit(x, y, { epochs, batchSize, callbacks: [cb] });
 *     await mlflow.tfjs.logModel(model, "model", { registeredModelName: "mnist" });
 *     const m = await mlflow.pyfunc.loadModel("models:/mnist@champion"); // live: re-runs when the alias moves
 *
 * TF.js is loaded lazily (an `await loadTf()` in a cell, or any `mlflow.tfjs` helper), so notebooks
 * that never train do not pay for it. The first load reports the chosen backend to whoever built the
 * runtime (the kernel process forwards it to the host's status bar); runs that train are tagged
 * `flowbook.tf.backend`. The callback ties training to the cell: interrupting or re-running the
 * cell stops training after the current batch, ends the run KILLED and throws the abort reason so
 * the cell's remaining code (logging a half-trained model) does not run.
 */
import type { Mlflow } from "../../tracking/client/index.ts";
import { parseModelUri } from "../../tracking/client/index.ts";
import { loadTf as loadBackend, type BackendAttempt, type BackendName, type Callback, type LayersModel, type TfRuntime } from "../../ml/backend.ts";
import type { LoadedModel } from "../../ml/model-dir.ts";
import { BACKEND_TAG, autolog, loadModel, logModel, runLogger, type AutologOptions, type LogModelOptions, type ModelInfo } from "../../ml/tfjs-mlflow.ts";
import { mlflowCallback, type FitConfig, type MlflowCallbackOptions } from "../../ml/training.ts";
import { markLiveReader, tryCurrentCell } from "./context.ts";
import { progress } from "./progress.ts";

/** Told once per process which backend TF.js runs on (and which were passed over). */
export type BackendListener = (backend: BackendName, skipped: BackendAttempt[]) => void;

/** Options of `mlflow.tfjs.callback`: the training callback's, without the cell-bound ones. */
export type CellCallbackOptions = Pick<MlflowCallbackOptions, "logEveryBatch"> & {
  /** Show a progress bar in the cell's output (default true). */
  progress?: boolean;
};

/** `mlflow.tfjs`: TF.js helpers over the cell's fluent client. */
export interface TfjsFlavor {
  autolog(opts?: Omit<AutologOptions, "signal" | "onProgress" | "onTrainBegin" | "onTrainEnd">): Promise<() => void>;
  callback(model: LayersModel, fitConfig?: FitConfig, opts?: CellCallbackOptions): Promise<Callback>;
  logModel(model: LayersModel, artifactPath?: string, opts?: LogModelOptions): Promise<ModelInfo>;
  loadModel(uri: string): Promise<LoadedModel>;
}

/** `mlflow.pyfunc`: the generic loader (for TF.js models, the same as `mlflow.tfjs.loadModel`). */
export interface PyfuncFlavor {
  loadModel(uri: string): Promise<LoadedModel>;
}

/** The TF.js parts of the "flowbook" module. */
export interface TfjsRuntime {
  loadTf(): Promise<TfRuntime["tf"]>;
  tfjs: TfjsFlavor;
  pyfunc: PyfuncFlavor;
}

/** Batches `fit` will run in total, when the config says enough to know. */
function totalBatches(fit: FitConfig): number | undefined {
  if (fit.samples === undefined) return undefined;
  const trained = Math.ceil(fit.samples * (1 - (fit.validationSplit ?? 0)));
  return Math.ceil(trained / (fit.batchSize ?? 32)) * (fit.epochs ?? 1);
}

/** Builds the TF.js helpers over `mlflow`; `onBackend` hears the backend on first load. */
export function createTfjsRuntime(mlflow: Mlflow, onBackend?: BackendListener): TfjsRuntime {
  let reported = false;
  const runtime = async () => {
    const rt = await loadBackend();
    if (!reported) {
      reported = true;
      onBackend?.(rt.backend, rt.skipped);
    }
    return rt;
  };

  const load = async (uri: string): Promise<LoadedModel> => {
    // A registry URI names whatever version the registry points at now: re-run when that changes.
    if (uri.startsWith("models:/")) {
      const { name } = parseModelUri(uri);
      markLiveReader((c) => c.type === "registry" && c.name === name);
    }
    await runtime();
    return loadModel(mlflow, uri);
  };

  const tfjs: TfjsFlavor = {
    async autolog(opts = {}) {
      await runtime();
      // The patch is process-wide, as MLflow's is, so it takes no cell's signal; use `callback` for that.
      return autolog(mlflow, opts);
    },

    async callback(model, fitConfig = {}, opts = {}) {
      const { tf, backend } = await runtime();
      const cell = tryCurrentCell();
      const signal = cell?.signal;
      const runId = mlflow.activeRun()?.info.run_id ?? (await mlflow.startRun()).info.run_id;
      await mlflow.setTag(BACKEND_TAG, backend);
      const total = totalBatches(fitConfig);
      const bar = cell && (opts.progress ?? true) ? progress(total ?? fitConfig.epochs ?? 1, { label: "training" }) : undefined;
      // Training the cell does not await (so that live views re-render meanwhile) still belongs to
      // the cell: the kernel stays busy and an interrupt stops it.
      let release: (() => void) | undefined;
      const onTrainBegin = () => {
        release = cell?.holdBackground();
      };
      // Stopped by an interrupt or re-run: the run did not finish, and the cell must not go on.
      const onTrainEnd = async () => {
        bar?.done();
        release?.();
        if (!signal?.aborted) return;
        if (mlflow.activeRun()?.info.run_id === runId) await mlflow.endRun("KILLED");
        signal.throwIfAborted();
      };
      return mlflowCallback(tf, model, runLogger(mlflow, runId), fitConfig, {
        logEveryBatch: opts.logEveryBatch,
        signal,
        onProgress: (p) => bar?.set(total === undefined ? p.epoch : p.batches),
        onTrainBegin,
        onTrainEnd,
      });
    },

    async logModel(model, artifactPath = "model", opts = {}) {
      await runtime();
      return logModel(mlflow, model, artifactPath, opts);
    },

    loadModel: load,
  };

  return {
    async loadTf() {
      return (await runtime()).tf;
    },
    tfjs,
    pyfunc: { loadModel: load },
  };
}
