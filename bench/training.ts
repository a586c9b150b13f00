/**
 * TF.js training: the epoch time of a 784-128-10 MLP on 5,000 samples (batch 32) on each backend
 * that starts here, against the pure-JS `cpu` backend measured in the same run; and the cost of
 * logging every batch through the real fluent client into an embedded SQLite store: epochs with
 * the MLflow callback (and the write of their points) against plain epochs, in back-to-back pairs
 * so machine drift hits both alike, as wall and CPU time, with the share spent in the logging
 * path itself and the load other processes put on the machine meanwhile.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import type * as Tf from "@tensorflow/tfjs";
import { chooseBackend, loadTf, type BackendName } from "../electron/ml/backend.ts";
import { runLogger } from "../electron/ml/tfjs-mlflow.ts";
import { mlflowCallback, type TrainingLogger } from "../electron/ml/training.ts";
import { createMlflow, openStore } from "../electron/tracking/client/index.ts";
import type { TrackingStore } from "../electron/tracking/types.ts";
import type { BenchRow } from "./index.ts";

const SAMPLES = 5_000;
const BATCH = 32;
const EPOCHS = 3;
/**
 * Paired epochs with and without the callback for the logging overhead: one pair's ratio swings by
 * a few percent on a shared machine, so the median needs many.
 */
const PAIRS = 16;

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

/** CPU milliseconds this process has used (all its threads, so GC helpers count). */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** CPU milliseconds every core of the machine has spent busy, summed. */
function machineBusyMs(): number {
  let busy = 0;
  for (const { times } of cpus()) busy += times.user + times.nice + times.sys + times.irq;
  return busy;
}

/** One timed epoch: wall and CPU milliseconds. */
interface Timing {
  wall: number;
  cpu: number;
}

async function timed(work: () => Promise<unknown>): Promise<Timing> {
  const wall = performance.now();
  const cpu = cpuMs();
  await work();
  return { wall: performance.now() - wall, cpu: cpuMs() - cpu };
}

/** The median of (with − without) / without over pairs. */
function pairedSlowdown(withLogging: number[], without: number[]): number {
  return median(withLogging.map((w, i) => (w - without[i]!) / without[i]!));
}

interface Overhead {
  without: number;
  withLogging: number;
  /** Median slowdown over back-to-back pairs, in wall and in CPU time. */
  wallSlowdown: number;
  cpuSlowdown: number;
  points: number;
  /** Milliseconds per epoch inside the logger's calls and the store writes of their points. */
  inLogging: number;
  /** Cores other processes kept busy while the pairs ran. */
  otherCores: number;
}

/**
 * Epochs with the MLflow callback against epochs without any callback, in back-to-back pairs. The
 * baseline is a plain `fit`: TF.js reads each batch's loss and accuracy only for a callback with a
 * batch hook (its own BaseLogger and History keep them on the device), so those reads are part of
 * the cost of logging. The logged epoch includes writing all its points, so no write spills into
 * the next epoch.
 */
async function loggingOverhead(tf: typeof Tf): Promise<Overhead> {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-bench-train-"));
  const store = await openStore(`sqlite:///${join(dir, "bench.db")}`);
  // The store's writes are timed as part of logging: the buffer makes them on a timer, between batches.
  let inLoggingMs = 0;
  const timedLogBatch: TrackingStore["logBatch"] = (req) => {
    const start = performance.now();
    const done = store.logBatch(req);
    inLoggingMs += performance.now() - start;
    return done;
  };
  const timedStore = new Proxy(store, {
    get: (target, key) => {
      if (key === "logBatch") return timedLogBatch;
      const value: unknown = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const mlflow = createMlflow(timedStore);
  const { model, x, y, dispose } = setup(tf);
  try {
    const runId = (await mlflow.startRun({ runName: "bench" })).info.run_id;
    const inner = runLogger(mlflow, runId);
    const logger: TrainingLogger = {
      logParams: (p) => {
        const start = performance.now();
        const done = inner.logParams(p);
        inLoggingMs += performance.now() - start;
        return done;
      },
      logMetrics: (m, opts) => {
        const start = performance.now();
        const done = inner.logMetrics(m, opts);
        inLoggingMs += performance.now() - start;
        return done;
      },
      flush: inner.flush,
    };
    const fit = { epochs: 1, batchSize: BATCH, samples: SAMPLES };
    const plain = () => timed(() => epoch(model, x, y));
    // The callback writes the epoch's last points when fit ends, inside the timed epoch.
    const logged = () => timed(() => epoch(model, x, y, [mlflowCallback(tf, model, logger, fit)]));
    await logged(); // warm-up of both paths
    const without: Timing[] = [];
    const withLogging: Timing[] = [];
    inLoggingMs = 0;
    const busy = machineBusyMs();
    const own = cpuMs();
    const start = performance.now();
    // The order alternates (ABBA) so drift in machine load hits both sides alike.
    for (let i = 0; i < PAIRS; i++) {
      if (i % 2 === 0) {
        without.push(await plain());
        withLogging.push(await logged());
      } else {
        withLogging.push(await logged());
        without.push(await plain());
      }
    }
    const otherCores = (machineBusyMs() - busy - (cpuMs() - own)) / (performance.now() - start);
    await mlflow.endRun();
    const points = (await mlflow.getMetricHistory(runId, "batch/loss")).length;
    const wall = (ts: Timing[]) => ts.map((t) => t.wall);
    const cpu = (ts: Timing[]) => ts.map((t) => t.cpu);
    return {
      without: median(wall(without)),
      withLogging: median(wall(withLogging)),
      // Each pair ran back to back, so its ratio cancels the load drift that separate medians keep.
      wallSlowdown: pairedSlowdown(wall(withLogging), wall(without)),
      cpuSlowdown: pairedSlowdown(cpu(withLogging), cpu(without)),
      points,
      inLogging: inLoggingMs / PAIRS,
      otherCores: Math.max(0, otherCores),
    };
  } finally {
    dispose();
    await mlflow.close();
    await store.close();
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
  rows.push({
    name: `epoch with per-batch MLflow logging (${chosen.backend}, ${o.points} points, embedded store)`,
    value: o.withLogging,
    unit: "ms",
    baseline: o.without,
    baselineUnit: "ms without",
  });
  const slowdown = (name: string, value: number) =>
    rows.push({ name, value: value * 100, unit: "%", target: "< 2%", ok: value < 0.02 });
  slowdown(`  median slowdown over ${PAIRS} back-to-back pairs (wall)`, o.wallSlowdown);
  // CPU time leaves out the waits for a core that other processes cause on a loaded machine.
  slowdown("  the same in this process's CPU time", o.cpuSlowdown);
  rows.push({
    name: "  of which in the logger's calls and the store writes of their points, per epoch",
    value: o.inLogging,
    unit: "ms",
    baseline: o.without,
    baselineUnit: "ms epoch",
    target: "< 2% of an epoch",
    ok: o.inLogging / o.without < 0.02,
  });
  rows.push({ name: "  other processes' load while the pairs ran", value: o.otherCores, unit: "cores" });
  return rows;
}
