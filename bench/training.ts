/**
 * TF.js training: the epoch time of a 784-128-10 MLP on 5,000 samples (batch 32) on each backend
 * that starts here, against the pure-JS `cpu` backend measured in the same run; and the cost of
 * logging every batch: epochs with the MLflow callback against plain epochs in back-to-back pairs
 * (so machine drift hits both alike), with the time spent inside the callback itself, two ways:
 *
 * - in the app: a notebook cell trains in the real kernel process with `mlflow.tfjs.callback` (its
 *   progress bar included) and the host process owns the store, as when a user runs the cell;
 * - embedded: the fluent client writes into a SQLite store on the training thread itself, as under
 *   `flowbook run` or a Node script.
 *
 * One pair's ratio swings by ±3% here even on a quiet machine (epoch times drift by several percent
 * from one epoch to the next), so the median is over many pairs and the mean's 95% interval is shown.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type * as Tf from "@tensorflow/tfjs";
import type { HostEvent } from "../electron/protocol.ts";
import { chooseBackend, loadTf, type BackendName } from "../electron/ml/backend.ts";
import { runLogger } from "../electron/ml/tfjs-mlflow.ts";
import { mlflowCallback } from "../electron/ml/training.ts";
import { createMlflow } from "../electron/tracking/client/index.ts";
import { openStore } from "../electron/tracking/store/index.ts";
import type { BenchRow } from "./index.ts";
import { hostWith, kernelEvent, kernelIdle, statusOf } from "./support/host-session.ts";
import { meanInterval, median } from "./support/stats.ts";
import { epoch, FIT, mlp, pairs, SAMPLES, timed, timeInside, type Pairs } from "./support/training-pairs.ts";

const EPOCHS = 3;
/** Pairs of epochs with and without logging, per way of logging. */
const PAIRS = 32;

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
  const { model, x, y, dispose } = mlp(tf);
  const epochs = name === "cpu" ? 1 : EPOCHS;
  if (name !== "cpu") await epoch(model, x, y); // warm-up: kernel compilation and memory pools
  const times: number[] = [];
  for (let i = 0; i < epochs; i++) times.push(await timed(() => epoch(model, x, y)));
  dispose();
  return median(times);
}

interface Overhead extends Pairs {
  /** Per pair: (with − without) / without. Each pair ran back to back, so its ratio cancels slow drift. */
  slowdowns: number[];
  points: number;
}

function overhead(p: Pairs, points: number): Overhead {
  return { ...p, slowdowns: p.withLogging.map((w, i) => (w - p.without[i]!) / p.without[i]!), points };
}

/**
 * Epochs with the MLflow callback against epochs without any callback, with the store on the
 * training thread. The baseline is a plain `fit`: TF.js reads each batch's loss and accuracy only
 * for a callback with a batch hook, so those reads are part of the cost of logging. The logged
 * epoch includes writing all its points (the callback flushes when fit ends).
 */
async function embeddedOverhead(tf: typeof Tf): Promise<Overhead> {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-bench-train-"));
  const store = await openStore(`sqlite:///${join(dir, "bench.db")}`);
  const mlflow = createMlflow(store);
  const { model, x, y, dispose } = mlp(tf);
  try {
    const runId = (await mlflow.startRun({ runName: "bench" })).info.run_id;
    const logger = runLogger(mlflow, runId);
    const p = await pairs(
      PAIRS,
      () => epoch(model, x, y),
      (spent) => epoch(model, x, y, [timeInside(mlflowCallback(tf, model, logger, FIT), spent)]),
    );
    await mlflow.endRun();
    return overhead(p, (await mlflow.getMetricHistory(runId, "batch/loss")).length);
  } finally {
    dispose();
    await mlflow.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The same pairs run by a notebook cell in the app's kernel process, logging through
 * `mlflow.tfjs.callback` (progress bar included) to the store the host process owns. Making the
 * callback is timed with its epoch: it tags the run with the backend, a round trip per fit.
 */
async function appOverhead(): Promise<Overhead> {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-bench-train-app-"));
  const support = JSON.stringify(fileURLToPath(new URL("./support/training-pairs.ts", import.meta.url)));
  const { host, next, watch, send, sources } = await hostWith(dir, {
    imports: `import { mlflow, loadTf } from "flowbook";\nimport { epoch, FIT, mlp, pairs, timeInside } from ${support};`,
    train: `const tf = await loadTf();
const { model, x, y, dispose } = mlp(tf);
const run = await mlflow.startRun({ runName: "bench in the app" });
const result = await pairs(
  ${PAIRS},
  () => epoch(model, x, y),
  async (spent) => epoch(model, x, y, [timeInside(await mlflow.tfjs.callback(model, FIT), spent)]),
);
dispose();
await mlflow.endRun();
const points = (await mlflow.getMetricHistory(run.info.run_id, "batch/loss")).length;
console.log("RESULT " + JSON.stringify({ ...result, points }));`,
  });
  let result: (Pairs & { points: number }) | undefined;
  let failure: string | undefined;
  const stop = watch((e: HostEvent) => {
    const k = kernelEvent(e);
    // Console output is batched: the line may arrive with others.
    const line = k?.type === "cell-console" ? k.text.split("\n").find((l) => l.startsWith("RESULT ")) : undefined;
    if (line) result = JSON.parse(line.slice("RESULT ".length));
    if (k?.type === "cell-output" && k.error) failure = `${k.id}: ${JSON.stringify(k.error)}`;
  });
  try {
    await next(kernelIdle);
    const done = next(statusOf("train", "idle"), 15 * 60_000);
    send({ type: "execute-cells", cells: sources, requestedAt: Date.now() });
    await done;
    if (!result) throw new Error(`the bench cell reported no result${failure ? ` (${failure})` : ""}`);
    return overhead(result, result.points);
  } finally {
    stop();
    await host.close();
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
  const report = (o: Overhead, where: string, load: string) => {
    const epochMs = median(o.without);
    rows.push({
      name: `epoch with per-batch MLflow logging, ${where} (${chosen.backend}, ${o.points} points)`,
      value: median(o.withLogging),
      unit: "ms",
      baseline: epochMs,
      baselineUnit: "ms without",
    });
    const slowdown = median(o.slowdowns);
    rows.push({ name: `  median slowdown over ${PAIRS} back-to-back pairs`, value: slowdown * 100, unit: "%", target: "< 2%", ok: slowdown < 0.02 });
    const { mean, halfWidth } = meanInterval(o.slowdowns);
    rows.push({ name: `  mean slowdown, ± ${(halfWidth * 100).toFixed(2)}% for 95%`, value: mean * 100, unit: "%" });
    rows.push({
      name: "  time inside the callback per epoch (reads, logging, writes, yields)",
      value: o.inCallback,
      unit: "ms",
      baseline: epochMs,
      baselineUnit: "ms epoch",
      target: "< 2% of an epoch",
      ok: o.inCallback / epochMs < 0.02,
    });
    rows.push({ name: `  load of other processes meanwhile${load}`, value: o.otherCores, unit: "cores" });
  };
  report(await appOverhead(), "in a notebook cell of the app", " (the host's writes included)");
  report(await embeddedOverhead(tf), "store on the training thread", "");
  return rows;
}
