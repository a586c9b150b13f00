/**
 * A TF.js training callback that logs to MLflow: fit parameters once, metrics per batch
 * (`batch/<name>`, step = global batch index) and per epoch (`<name>`, step = epoch, like MLflow's
 * Keras autolog), progress for the cell's progress bar, and an abort signal that stops training
 * between batches.
 *
 * Between two batches the wasm kernels have just pushed everything else out of the CPU caches, so
 * each line of JavaScript run there costs many times what it costs in a loop (a logger call per
 * batch took ~25 µs, a progress update ~40 µs). A batch therefore only reads its values and queues
 * them; every 125 ms (as TF.js's own callbacks do) the callback hands the queued batches to the
 * logger in one loop, reports progress and yields to the event loop, where the logger's buffer
 * writes on its own timer without the training loop ever waiting on I/O. Training's end hands over
 * and writes the rest.
 */
import type * as Tf from "@tensorflow/tfjs";

/** The part of the MLflow fluent API the callback needs. */
export interface TrainingLogger {
  logParams(params: Record<string, string | number | boolean>): unknown;
  logMetrics(metrics: Record<string, number>, opts: { step: number; timestamp?: number }): unknown;
  /** Writes what the logger buffers; awaited when training ends (finished or stopped). */
  flush?(): Promise<void>;
}

/** Where training is, for progress bars: epochs and batches are counts done so far. */
export interface TrainingProgress {
  epoch: number;
  epochs: number;
  /** Batches done in the current epoch. */
  batch: number;
  /** Batches done since training began. */
  batches: number;
  batchesPerEpoch?: number;
  /** The latest batch's or epoch's values. */
  logs: Record<string, number>;
}

export interface MlflowCallbackOptions {
  /** Log `batch/<metric>` after every batch (default true). */
  logEveryBatch?: boolean;
  /** Aborting stops training after the current batch. */
  signal?: AbortSignal;
  /** Called every 125 ms while batches run and at each epoch's end. */
  onProgress?: (p: TrainingProgress) => void;
  /** Runs when training begins. */
  onTrainBegin?: () => void;
  /** Runs when training ends (finished or stopped), after the logged points are written. */
  onTrainEnd?: () => Promise<void> | void;
}

/** How often training yields to the event loop: timers, IPC and interrupts run then. */
const YIELD_EVERY_MS = 125;

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

/** A TF.js log value: a number, or a scalar tensor that fit disposes after the callbacks ran. */
type LogValue = number | Tf.Scalar;

/** The numeric values of `logs` (scalars read synchronously), without fit's `batch`/`size` counters. */
function values(logs: Record<string, LogValue> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k in logs) {
    if (k === "batch" || k === "size") continue;
    const v = logs[k]!;
    out[k] = typeof v === "number" ? v : v.dataSync()[0]!;
  }
  return out;
}

/** One batch's values, queued until the next hand-over to the logger. */
interface QueuedBatch {
  step: number;
  timestamp: number;
  metrics: Record<string, number>;
}

/**
 * A callback for `model.fit`/`fitDataset` that logs to `logger`. It runs after every batch, so it
 * is a plain `tf.Callback`: a `CustomCallback` would await an asynchronous read of each log value
 * per batch (about twice the cost of the synchronous read here).
 */
export function mlflowCallback(
  tf: typeof Tf,
  model: Tf.LayersModel,
  logger: TrainingLogger,
  fit: FitConfig,
  opts: MlflowCallbackOptions = {},
): Tf.Callback {
  const everyBatch = opts.logEveryBatch ?? true;
  const epochs = fit.epochs ?? 1;
  let epoch = 0;
  let batchInEpoch = 0;
  let globalBatch = 0;
  let batchesPerEpoch: number | undefined;
  let latest: Record<string, number> = {};
  let queued: QueuedBatch[] = [];
  let lastYield = performance.now();
  // `batch/<name>` for each metric name, built once rather than once per batch.
  const batchKeys = new Map<string, string>();
  const batchMetrics = (metrics: Record<string, number>): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const k in metrics) {
      let key = batchKeys.get(k);
      if (key === undefined) batchKeys.set(k, (key = `batch/${k}`));
      out[key] = metrics[k]!;
    }
    return out;
  };
  const handOver = () => {
    for (const { step, timestamp, metrics } of queued) logger.logMetrics(batchMetrics(metrics), { step, timestamp });
    queued = [];
  };
  const progress = () =>
    opts.onProgress?.({ epoch, epochs, batch: batchInEpoch, batches: globalBatch, batchesPerEpoch, logs: latest });
  const stopIfAborted = () => {
    if (opts.signal?.aborted) model.stopTraining = true;
  };
  class MlflowCallback extends tf.Callback {
    override async onTrainBegin(): Promise<void> {
      opts.onTrainBegin?.();
      logger.logParams(trainingParams(model, fit));
      stopIfAborted();
    }
    override async onEpochBegin(e: number): Promise<void> {
      epoch = e;
      batchInEpoch = 0;
    }
    override async onBatchEnd(batch: number, logs?: Record<string, LogValue>): Promise<void> {
      if (everyBatch) queued.push({ step: globalBatch, timestamp: Date.now(), metrics: (latest = values(logs)) });
      globalBatch += 1;
      batchInEpoch = batch + 1;
      stopIfAborted();
      const now = performance.now();
      if (now - lastYield < YIELD_EVERY_MS) return;
      lastYield = now;
      // Without per-batch logging only progress shows batch values, so only this batch is read.
      if (!everyBatch) latest = values(logs);
      handOver();
      progress();
      await tf.nextFrame();
    }
    override async onEpochEnd(e: number, logs?: Record<string, LogValue>): Promise<void> {
      batchesPerEpoch ??= globalBatch;
      handOver();
      latest = values(logs);
      logger.logMetrics(latest, { step: e });
      epoch = e + 1;
      batchInEpoch = 0;
      progress();
      stopIfAborted();
    }
    // Once fit returns, finished or stopped, its points are in the store and a failed write surfaces.
    override async onTrainEnd(): Promise<void> {
      try {
        handOver();
        await logger.flush?.();
      } finally {
        await opts.onTrainEnd?.();
      }
    }
  }
  return new MlflowCallback();
}
