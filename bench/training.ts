/**
 * TF.js training: the epoch time of a 784-128-10 MLP on 5,000 samples (batch 32) on each backend
 * that starts here, against the pure-JS `cpu` backend measured in the same run; and the cost of
 * logging every batch through the real fluent client into an embedded SQLite store, as the
 * median epoch with the MLflow callback (and the write of its points) against the median without
 * it, interleaved so machine drift hits both alike.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as Tf from "@tensorflow/tfjs";
import { chooseBackend, loadTf, type BackendName } from "../electron/ml/backend.ts";
import { runLogger } from "../electron/ml/tfjs-mlflow.ts";
import { mlflowCallback } from "../electron/ml/training.ts";
import { createMlflow } from "../electron/tracking/client/index.ts";
import type { BenchRow } from "./index.ts";

const SAMPLES = 5_000;
const BATCH = 32;
const EPOCHS = 3;
/** Paired epochs with and without the callback for the logging overhead. */
const PAIRS = 10;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function setup(tf: typeof Tf) {
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [784], units: 128, activation: "relu" }), tf.layers.dense({ units: 10, activation: "softmax" })],
  });
  model.compile({ optimizer: tf.train.adam(0.001), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  const x = tf.randomUniform([SAMPLES, 784]);
  const y = tf.oneHot(tf.randomUniform([SAMPLES], 0, 10, "int32") as Tf.Tensor1D, 10);
  return { model, x, y, dispose: () => (tf.dispose([x, y]), model.dispose()) };
}

/** Milliseconds of one epoch of `model.fit`, with `callbacks`. */
async function epoch(model: Tf.LayersModel, x: Tf.Tensor, y: Tf.Tensor, callbacks: Tf.CustomCallback[] = []): Promise<number> {
  const start = performance.now();
  await model.fit(x, y, { epochs: 1, batchSize: BATCH, shuffle: false, verbose: 0, callbacks });
  return performance.now() - start;
}

/**
 * The median epoch on one backend. The pure-JS cpu backend takes tens of seconds an epoch, needs no
 * kernel compilation, and is measured once without a warm-up to keep the bench short.
 */
async function backendEpoch(name: BackendName): Promise<number | undefined> {
  let tf: typeof Tf;
  try {
    ({ tf } = await chooseBackend([name]));
  } catch {
    return undefined; // not available on this machine (tfjs-node is optional)
  }
  const { model, x, y, dispose } = setup(tf);
  const epochs = name === "cpu" ? 1 : EPOCHS;
  if (name !== "cpu") await epoch(model, x, y); // warm-up: kernel compilation and memory pools
  const times: number[] = [];
  for (let i = 0; i < epochs; i++) times.push(await epoch(model, x, y));
  dispose();
  return median(times);
}

async function loggingOverhead(
  tf: typeof Tf,
): Promise<{ without: number; withLogging: number; pairedSlowdown: number; points: number; inLogger: number }> {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-bench-train-"));
  const mlflow = createMlflow(`sqlite:///${join(dir, "bench.db")}`);
  const { model, x, y, dispose } = setup(tf);
  try {
    const runId = (await mlflow.startRun({ runName: "bench" })).info.run_id;
    const inner = runLogger(mlflow, runId);
    // Time spent inside the logger's calls: what each batch waits for before training goes on.
    let inLoggerMs = 0;
    const logger = {
      logParams: inner.logParams,
      logMetrics: (m: Record<string, number>, opts: { step: number }) => {
        const start = performance.now();
        const done = inner.logMetrics(m, opts);
        inLoggerMs += performance.now() - start;
        return done;
      },
    };
    const fit = { epochs: 1, batchSize: BATCH, samples: SAMPLES };
    await epoch(model, x, y, [mlflowCallback(tf, model, logger, fit)]); // warm-up of both paths
    await mlflow.flush();
    const without: number[] = [];
    const withLogging: number[] = [];
    inLoggerMs = 0;
    // The epoch with logging includes writing its points, so no flush spills into the next epoch;
    // the order alternates (ABBA) so drift in machine load hits both sides alike.
    const logged = async () => {
      const start = performance.now();
      await epoch(model, x, y, [mlflowCallback(tf, model, logger, fit)]);
      await mlflow.flush();
      return performance.now() - start;
    };
    for (let i = 0; i < PAIRS; i++) {
      if (i % 2 === 0) {
        without.push(await epoch(model, x, y));
        withLogging.push(await logged());
      } else {
        withLogging.push(await logged());
        without.push(await epoch(model, x, y));
      }
    }
    await mlflow.endRun();
    const points = (await mlflow.getMetricHistory(runId, "batch/loss")).length;
    // Each pair ran back to back, so its ratio cancels the load drift that separate medians keep.
    const pairedSlowdown = median(withLogging.map((w, i) => (w - without[i]!) / without[i]!));
    return { without: median(without), withLogging: median(withLogging), pairedSlowdown, points, inLogger: inLoggerMs / PAIRS };
  } finally {
    dispose();
    await mlflow.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchRow[]> {
  const chosen = await loadTf();
  const rows: BenchRow[] = [];
  const cpu = (await backendEpoch("cpu"))!;
  const name = (b: string) => `TF.js epoch, 784-128-10 MLP, ${SAMPLES.toLocaleString("en-US")} samples (${b})`;
  rows.push({ name: name("cpu"), value: cpu, unit: "ms" });
  for (const b of ["wasm", "tensorflow"] as const) {
    const ms = await backendEpoch(b);
    if (ms === undefined) continue;
    rows.push({ name: name(b), value: ms, unit: "ms", baseline: cpu, baselineUnit: "ms cpu", target: "< cpu", ok: ms < cpu });
  }
  // The overhead is measured on the backend notebooks get, which is also the one left active.
  const { tf } = await chooseBackend([chosen.backend]);
  const o = await loggingOverhead(tf);
  const overhead = o.pairedSlowdown * 100;
  rows.push({
    name: `epoch with per-batch MLflow logging (${chosen.backend}, ${o.points} points, embedded store)`,
    value: o.withLogging,
    unit: "ms",
    baseline: o.without,
    baselineUnit: "ms without",
    target: "< 2% slower",
    ok: overhead < 2,
  });
  rows.push({
    name: "  median slowdown over back-to-back pairs",
    value: overhead,
    unit: "%",
    target: "< 2%",
    ok: overhead < 2,
  });
  rows.push({
    name: "  of which time inside the logging calls, per epoch",
    value: o.inLogger,
    unit: "ms",
    baseline: o.without,
    baselineUnit: "ms epoch",
    target: "< 2% of an epoch",
    ok: o.inLogger / o.without < 0.02,
  });
  return rows;
}
