import { test } from "node:test";
import assert from "node:assert/strict";
import { loadTf } from "./backend.ts";
import { mlflowCallback, trainingParams, type TrainingProgress } from "./training.ts";

async function setup() {
  const { tf } = await loadTf();
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [3], units: 4, activation: "relu" }), tf.layers.dense({ units: 2, activation: "softmax" })],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  const x = tf.randomNormal([40, 3]);
  const y = tf.oneHot(tf.tensor1d([...Array(40).keys()].map((i) => i % 2), "int32"), 2);
  return { tf, model, x, y };
}

/** Records what the callback logs, exactly as the MLflow fluent API would receive it. */
function recorder() {
  const params: Record<string, unknown>[] = [];
  const metrics: { metrics: Record<string, number>; step?: number; timestamp?: number }[] = [];
  return {
    params,
    metrics,
    logger: {
      logParams: (p: Record<string, unknown>) => params.push(p),
      logMetrics: (m: Record<string, number>, opts: { step: number; timestamp?: number }) =>
        metrics.push({ metrics: m, step: opts.step, timestamp: opts.timestamp }),
    },
  };
}

test("params, per-batch and per-epoch metrics are logged with MLflow's steps", async () => {
  const { tf, model, x, y } = await setup();
  const rec = recorder();
  const progress: TrainingProgress[] = [];
  const fit = { epochs: 2, batchSize: 10 };
  await model.fit(x, y, { ...fit, verbose: 0, callbacks: [mlflowCallback(tf, model, rec.logger, fit, { onProgress: (p) => progress.push(p) })] });
  assert.equal(rec.params.length, 1);
  assert.equal(rec.params[0]!.optimizer_name, "Adam");
  assert.equal(rec.params[0]!.learning_rate, 0.01);
  assert.equal(rec.params[0]!.epochs, 2);
  assert.equal(rec.params[0]!.batch_size, 10);
  assert.equal(rec.params[0]!.layers, "Dense,Dense");
  const batches = rec.metrics.filter((m) => "batch/loss" in m.metrics);
  assert.deepEqual(batches.map((b) => b.step), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.ok("batch/acc" in batches[0]!.metrics);
  const epochs = rec.metrics.filter((m) => "loss" in m.metrics);
  assert.deepEqual(epochs.map((e) => e.step), [0, 1]);
  assert.ok(epochs.every((e) => Number.isFinite(e.metrics.loss!) && "acc" in e.metrics));
  assert.equal(progress.at(-1)!.epoch, 2);
  assert.equal(progress.at(-1)!.batchesPerEpoch, 4);
  assert.equal(progress.at(-1)!.batches, 8);
});

test("training never waits on the logger: a logger whose writes never finish does not stall fit", async () => {
  const { tf, model, x, y } = await setup();
  const never = new Promise<void>(() => {});
  let calls = 0;
  const logger = {
    logParams: () => never,
    logMetrics: () => {
      calls += 1;
      return never;
    },
  };
  const fit = { epochs: 2, batchSize: 10 };
  const history = await model.fit(x, y, { ...fit, verbose: 0, callbacks: [mlflowCallback(tf, model, logger, fit)] });
  assert.equal(history.epoch.length, 2);
  assert.equal(calls, 2 * 4 + 2, "every batch and every epoch was handed to the logger");
});

test("aborting the signal stops training after the current batch, whose points are still logged", async () => {
  const { tf, model, x, y } = await setup();
  const rec = recorder();
  const controller = new AbortController();
  let seen = 0;
  const fit = { epochs: 50, batchSize: 10 };
  // Runs before the MLflow callback, as an interrupt arriving during the third batch would.
  const interrupt = new tf.CustomCallback({ onBatchEnd: () => void (++seen === 3 && controller.abort()) });
  const history = await model.fit(x, y, {
    ...fit,
    verbose: 0,
    callbacks: [interrupt, mlflowCallback(tf, model, rec.logger, fit, { signal: controller.signal })],
  });
  assert.equal(history.epoch.length, 1);
  assert.deepEqual(rec.metrics.filter((m) => "batch/loss" in m.metrics).map((m) => m.step), [0, 1, 2]);
});

test("batches are handed to the logger with the time each one ended", async () => {
  const { tf, model, x, y } = await setup();
  const rec = recorder();
  const fit = { epochs: 1, batchSize: 10 };
  const before = Date.now();
  await model.fit(x, y, { ...fit, verbose: 0, callbacks: [mlflowCallback(tf, model, rec.logger, fit)] });
  const times = rec.metrics.filter((m) => "batch/loss" in m.metrics).map((m) => m.timestamp!);
  assert.equal(times.length, 4);
  assert.ok(times.every((t, i) => t >= before && t <= Date.now() && (i === 0 || t >= times[i - 1]!)), String(times));
});

test("trainingParams reads the loss and sample count when given", async () => {
  const { model } = await setup();
  const p = trainingParams(model, { epochs: 3, samples: 40, validationSplit: 0.2 });
  assert.equal(p.loss, "categoricalCrossentropy");
  assert.equal(p.samples, 40);
  assert.equal(p.validation_split, 0.2);
  assert.equal(p.trainable_params, 3 * 4 + 4 + 4 * 2 + 2);
});

test("without per-batch logging only epochs are logged, and progress still carries batch values", async () => {
  const { tf, model, x, y } = await setup();
  const rec = recorder();
  const progress: TrainingProgress[] = [];
  const fit = { epochs: 2, batchSize: 10 };
  // A slow batch, so that the callback reports progress during the epoch too.
  const slow = new tf.CustomCallback({ onBatchEnd: (batch) => (batch === 1 ? new Promise((r) => setTimeout(r, 150)) : undefined) });
  await model.fit(x, y, {
    ...fit,
    verbose: 0,
    callbacks: [slow, mlflowCallback(tf, model, rec.logger, fit, { logEveryBatch: false, onProgress: (p) => progress.push(p) })],
  });
  assert.deepEqual(rec.metrics.map((m) => m.step), [0, 1]);
  assert.ok(rec.metrics.every((m) => "loss" in m.metrics && !("batch/loss" in m.metrics)));
  const midEpoch = progress.find((p) => p.batch > 0);
  assert.ok(midEpoch && Number.isFinite(midEpoch.logs.loss!), JSON.stringify(progress));
});
