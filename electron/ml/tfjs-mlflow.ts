/**
 * `mlflow.tfjs` and `mlflow.pyfunc` for TF.js: log a model as an MLflow model directory on the
 * active run (optionally registering it), load one back from any model URI (`runs:/`, `models:/`
 * by version, stage, alias or `latest`, or a plain artifact location), and autolog `model.fit`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as Tf from "@tensorflow/tfjs";
import { resolveModelVersion, type Mlflow } from "../tracking/client/index.ts";
import { MlflowError, type ModelVersion } from "../tracking/types.ts";
import { loadTf } from "./backend.ts";
import { loadModelDir, saveModelDir, type LoadedModel } from "./model-dir.ts";
import type { Signature } from "./signature.ts";
import { mlflowCallback, type MlflowCallbackOptions, type TrainingLogger } from "./training.ts";

/** The run tag naming the TF.js backend a run trained on (`tensorflow`, `wasm` or `cpu`). */
export const BACKEND_TAG = "flowbook.tf.backend";

/** Options of `logModel`, as `mlflow.tensorflow.log_model`'s keyword arguments. */
export interface LogModelOptions {
  signature?: Signature;
  inputExample?: number[][];
  /** Also register the logged model under this name. */
  registeredModelName?: string;
}

/** What `logModel` returns: where the model went. */
export interface ModelInfo {
  runId: string;
  artifactPath: string;
  modelUri: string;
  registeredVersion?: ModelVersion;
}

/** Logs `model` under `artifactPath` of the active run (starting one if none is active). */
export async function logModel(mlflow: Mlflow, model: Tf.LayersModel, artifactPath = "model", opts: LogModelOptions = {}): Promise<ModelInfo> {
  const runId = mlflow.activeRun()?.info.run_id ?? (await mlflow.startRun()).info.run_id;
  const dir = await mkdtemp(join(tmpdir(), "flowbook-model-"));
  try {
    const mlmodel = await saveModelDir(model, dir, { artifactPath, runId, signature: opts.signature, inputExample: opts.inputExample });
    await mlflow.logArtifacts(dir, artifactPath);
    // MLflow lists every model logged on a run in this tag, which its UI reads.
    const run = await mlflow.getRun(runId);
    const previous = run.data.tags.find((t) => t.key === "mlflow.log-model.history")?.value;
    const history = previous ? (JSON.parse(previous) as unknown[]) : [];
    const { flavors, model_uuid, utc_time_created } = mlmodel;
    history.push({ run_id: runId, artifact_path: artifactPath, utc_time_created, flavors, model_uuid });
    await mlflow.setTag("mlflow.log-model.history", JSON.stringify(history));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const modelUri = `runs:/${runId}/${artifactPath}`;
  const info: ModelInfo = { runId, artifactPath, modelUri };
  if (opts.registeredModelName) info.registeredVersion = await mlflow.registerModel(modelUri, opts.registeredModelName);
  return info;
}

/**
 * Downloads (or, for local stores, finds) the model directory a URI names and loads it. A registry
 * miss says which store was read (a command started in another folder reads another store).
 */
export async function loadModel(mlflow: Mlflow, uri: string): Promise<LoadedModel> {
  let artifactUri = uri;
  if (uri.startsWith("models:/")) {
    try {
      artifactUri = (await resolveModelVersion(await mlflow.getStore(), uri)).source;
    } catch (error) {
      if (!(error instanceof MlflowError)) throw error;
      throw new MlflowError(error.code, `cannot load ${uri} from ${mlflow.getTrackingUri() ?? "the tracking store"}: ${error.message}`);
    }
  }
  const dst = await mkdtemp(join(tmpdir(), "flowbook-load-"));
  try {
    const dir = await mlflow.downloadArtifacts({ artifactUri, dstPath: dst });
    return await loadModelDir(dir);
  } finally {
    // The model is in memory once loaded; the copy is not needed.
    await rm(dst, { recursive: true, force: true });
  }
}

/**
 * A training logger pinned to one run. The callback logs without awaiting, so an epoch's metrics
 * can still be queuing when the run ends; through the fluent API's active run they would then start
 * a fresh run. Naming the run keeps every point on the run that trained.
 */
export function runLogger(mlflow: Mlflow, runId: string): TrainingLogger {
  return {
    logParams: (params) => mlflow.logParams(params),
    logMetrics: (metrics, opts) => mlflow.logMetrics(metrics, { step: opts.step, timestamp: opts.timestamp, runId }),
    flush: () => mlflow.flush(),
  };
}

/** Options of `autolog`. */
export interface AutologOptions extends MlflowCallbackOptions {
  /** Log the model as an artifact after each fit (default true). */
  logModels?: boolean;
}

type Fit = Tf.LayersModel["fit"];
const unpatched = new WeakMap<object, Fit>();

/**
 * Makes every `model.fit` log params, per-batch and per-epoch metrics, and the model, to the
 * active run (a run is started and ended around the fit when none is active). Returns a function
 * that removes the patch.
 */
export async function autolog(mlflow: Mlflow, opts: AutologOptions = {}): Promise<() => void> {
  const { tf, backend } = await loadTf();
  const proto = tf.LayersModel.prototype as unknown as { fit: Fit };
  const original = unpatched.get(proto) ?? proto.fit;
  unpatched.set(proto, original);
  proto.fit = async function (this: Tf.LayersModel, x, y, args = {}) {
    const ownRun = !mlflow.activeRun();
    const runId = mlflow.activeRun()?.info.run_id ?? (await mlflow.startRun()).info.run_id;
    try {
      await mlflow.setTag(BACKEND_TAG, backend);
      const samples = Array.isArray(x) ? x[0]?.shape[0] : (x as Tf.Tensor).shape?.[0];
      const fitConfig = { epochs: args.epochs, batchSize: args.batchSize, validationSplit: args.validationSplit, samples };
      const callback = mlflowCallback(tf, this, runLogger(mlflow, runId), fitConfig, opts);
      const callbacks = ([] as unknown[]).concat(args.callbacks ?? [], callback) as Tf.Callback[];
      const history = await original.call(this, x, y, { ...args, callbacks });
      if (opts.logModels ?? true) await logModel(mlflow, this);
      if (ownRun) await mlflow.endRun(this.stopTraining && opts.signal?.aborted ? "KILLED" : "FINISHED");
      return history;
    } catch (error) {
      if (ownRun) await mlflow.endRun("FAILED").catch(() => {});
      throw error;
    }
  } as Fit;
  return () => {
    proto.fit = original;
  };
}
