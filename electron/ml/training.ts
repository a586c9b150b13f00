/**
 * A TF.js training callback that logs to MLflow: fit parameters once, metrics per batch
 * (`batch/<name>`, step = global batch index) and per epoch (`<name>`, step = epoch, like MLflow's
 * Keras autolog), progress for the cell's progress bar, and an abort signal that stops training
 * between batches. Logging is fire-and-forget into the logger's buffer, so it never waits on I/O
 * inside the training loop; the buffer writes on its own short timer, which runs whenever TF.js
 * yields to the event loop (every 125 ms for a callback), and once more when training ends.
 */
import type * as Tf from "@tensorflow/tfjs";

/** The part of the MLflow fluent API the callback needs. */
export interface TrainingLogger {
  logParams(params: Record<string, string | number | boolean>): unknown;
  logMetrics(metrics: Record<string, number>, opts: { step: number }): unknown;
  /** Writes what the logger buffers; awaited when training ends (finished or stopped). */
  flush?(): Promise<void>;
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
  for (const k in logs) if (typeof logs[k] === "number") out[k] = logs[k];
  return out;
}

/**
 * A callback for `model.fit`/`fitDataset` that logs to `logger`. It runs after every batch, so its
 * hooks are synchronous and allocate little: each batch's metrics are handed to the logger, which
 * buffers them for a later write, and nothing here waits.
 */
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
  // `batch/<name>` for each metric name, built once rather than once per batch.
  const batchKeys = new Map<string, string>();
  const batchMetrics = (logs: Tf.Logs): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const k in logs) {
      const v = logs[k];
      if (typeof v !== "number" || k === "batch" || k === "size") continue;
      let key = batchKeys.get(k);
      if (key === undefined) batchKeys.set(k, (key = `batch/${k}`));
      out[key] = v;
    }
    return out;
  };
  const stopIfAborted = () => {
    if (opts.signal?.aborted) model.stopTraining = true;
  };
  return new tf.CustomCallback({
    onTrainBegin: () => {
      logger.logParams(trainingParams(model, fit));
      stopIfAborted();
    },
    onEpochBegin: (e) => {
      epoch = e;
    },
    onBatchEnd: (batch, logs = {}) => {
      if (everyBatch) logger.logMetrics(batchMetrics(logs), { step: globalBatch });
      globalBatch += 1;
      opts.onProgress?.({ epoch, epochs, batch: batch + 1, batchesPerEpoch, logs: numeric(logs) });
      stopIfAborted();
    },
    onEpochEnd: (e, logs) => {
      batchesPerEpoch ??= globalBatch;
      const metrics = numeric(logs);
      logger.logMetrics(metrics, { step: e });
      opts.onProgress?.({ epoch: e + 1, epochs, batch: 0, batchesPerEpoch, logs: metrics });
      stopIfAborted();
    },
    // Once fit returns, finished or stopped, its points are in the store and a failed write surfaces.
    onTrainEnd: () => logger.flush?.(),
  });
}
