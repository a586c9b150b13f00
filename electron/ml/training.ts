/**
 * A TF.js training callback that logs to MLflow: fit parameters once, metrics per batch
 * (`batch/<name>`, step = global batch index) and per epoch (`<name>`, step = epoch, like MLflow's
 * Keras autolog), progress for the cell's progress bar, and an abort signal that stops training
 * between batches. Logging is fire-and-forget into the logger's buffer, so it never waits on I/O
 * inside the training loop.
 */
import type * as Tf from "@tensorflow/tfjs";

/** The part of the MLflow fluent API the callback needs. */
export interface TrainingLogger {
  logParams(params: Record<string, string | number | boolean>): unknown;
  logMetrics(metrics: Record<string, number>, opts: { step: number }): unknown;
}

/** Where training is, for progress bars: epochs and batches are 0-based counts done so far. */
export interface TrainingProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batchesPerEpoch?: number;
  logs: Record<string, number>;
}

export interface MlflowCallbackOptions {
  /** Log `batch/<metric>` after every batch (default true). */
  logEveryBatch?: boolean;
  /** Aborting stops training after the current batch. */
  signal?: AbortSignal;
  onProgress?: (p: TrainingProgress) => void;
}

/** The fit arguments worth recording as run params. */
export interface FitConfig {
  epochs?: number;
  batchSize?: number;
  validationSplit?: number;
  samples?: number;
}

/** Params MLflow's Keras autolog records, read from a compiled model and its fit config. */
export function trainingParams(model: Tf.LayersModel, fit: FitConfig): Record<string, string | number> {
  const optimizer = model.optimizer as (Tf.Optimizer & { learningRate?: number }) | undefined;
  const config = (optimizer?.getConfig?.() ?? {}) as Record<string, unknown>;
  const params: Record<string, string | number> = {
    epochs: fit.epochs ?? 1,
    batch_size: fit.batchSize ?? 32,
    optimizer_name: optimizer?.getClassName?.() ?? "unknown",
    layers: model.layers.map((l) => l.getClassName()).join(","),
    num_layers: model.layers.length,
    trainable_params: model.countParams(),
  };
  const lr = config.learningRate ?? optimizer?.learningRate;
  if (typeof lr === "number") params.learning_rate = lr;
  const loss = (model as unknown as { loss?: unknown }).loss;
  if (typeof loss === "string") params.loss = loss;
  if (fit.validationSplit) params.validation_split = fit.validationSplit;
  if (fit.samples !== undefined) params.samples = fit.samples;
  return params;
}

function numeric(logs: Tf.Logs | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(logs ?? {})) if (typeof v === "number") out[k] = v;
  return out;
}

/** A callback for `model.fit`/`fitDataset` that logs to `logger`. */
export function mlflowCallback(
  tf: typeof Tf,
  model: Tf.LayersModel,
  logger: TrainingLogger,
  fit: FitConfig,
  opts: MlflowCallbackOptions = {},
): Tf.CustomCallback {
  const everyBatch = opts.logEveryBatch ?? true;
  const epochs = fit.epochs ?? 1;
  let epoch = 0;
  let globalBatch = 0;
  let batchesPerEpoch: number | undefined;
  const stopIfAborted = () => {
    if (opts.signal?.aborted) model.stopTraining = true;
  };
  return new tf.CustomCallback({
    onTrainBegin: async () => {
      logger.logParams(trainingParams(model, fit));
      stopIfAborted();
    },
    onEpochBegin: async (e) => {
      epoch = e;
    },
    onBatchEnd: async (batch, logs) => {
      const metrics = numeric(logs);
      if (everyBatch) {
        const prefixed: Record<string, number> = {};
        for (const [k, v] of Object.entries(metrics)) if (k !== "batch" && k !== "size") prefixed[`batch/${k}`] = v;
        logger.logMetrics(prefixed, { step: globalBatch });
      }
      globalBatch += 1;
      opts.onProgress?.({ epoch, epochs, batch: batch + 1, batchesPerEpoch, logs: metrics });
      stopIfAborted();
    },
    onEpochEnd: async (e, logs) => {
      batchesPerEpoch ??= globalBatch;
      logger.logMetrics(numeric(logs), { step: e });
      opts.onProgress?.({ epoch: e + 1, epochs, batch: 0, batchesPerEpoch, logs: numeric(logs) });
      stopIfAborted();
    },
  });
}
