/**
 * The training workload of bench/training.ts and its paired measurement, in a module of its own so
 * that a notebook cell in the kernel process imports the very same code the bench runs in process.
 */
import { cpus } from "node:os";
import type * as Tf from "@tensorflow/tfjs";

export const SAMPLES = 5_000;
export const BATCH = 32;
/** The fit arguments of one measured epoch, also what the logging callback records. */
export const FIT = { epochs: 1, batchSize: BATCH, samples: SAMPLES };

/** A compiled 784-128-10 MLP and SAMPLES random samples. */
export function mlp(tf: typeof Tf) {
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [784], units: 128, activation: "relu" }), tf.layers.dense({ units: 10, activation: "softmax" })],
  });
  model.compile({ optimizer: tf.train.adam(0.001), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  const x = tf.randomUniform([SAMPLES, 784]);
  const y = tf.oneHot(tf.randomUniform([SAMPLES], 0, 10, "int32") as Tf.Tensor1D, 10);
  return { model, x, y, dispose: () => (tf.dispose([x, y]), model.dispose()) };
}

/** One epoch of `model.fit` with `callbacks`. */
export function epoch(model: Tf.LayersModel, x: Tf.Tensor, y: Tf.Tensor, callbacks: Tf.Callback[] = []): Promise<unknown> {
  return model.fit(x, y, { ...FIT, shuffle: false, verbose: 0, callbacks });
}

/** CPU milliseconds this process has used (all its threads). */
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

/** Milliseconds spent inside the hooks of the callbacks `timeInside` wrapped. */
export interface Spent {
  ms: number;
}

const HOOKS = ["onTrainBegin", "onTrainEnd", "onEpochBegin", "onEpochEnd", "onBatchBegin", "onBatchEnd"] as const;

/**
 * `callback` with each hook timed into `spent`: the logging path's own time, yields to the event
 * loop included (the buffered writes, or their messages to the host, run during them).
 */
export function timeInside<C extends Tf.Callback>(callback: C, spent: Spent): C {
  const hooks = callback as unknown as Record<string, (...args: unknown[]) => Promise<void>>;
  for (const name of HOOKS) {
    const hook = hooks[name]!.bind(callback);
    hooks[name] = async (...args) => {
      const start = performance.now();
      try {
        await hook(...args);
      } finally {
        spent.ms += performance.now() - start;
      }
    };
  }
  return callback;
}

/** Timings of paired epochs, the time inside the logging callbacks, and the cores other processes kept busy meanwhile. */
export interface Pairs {
  without: number[];
  withLogging: number[];
  /** Milliseconds inside the logged epochs' callbacks, per epoch. */
  inCallback: number;
  otherCores: number;
}

export async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/**
 * `n` back-to-back pairs of `plain` and `logged` epochs after one warm-up of each, in ABBA order so
 * that drift in machine load hits both sides alike. `logged` times its callbacks into `spent`.
 */
export async function pairs(n: number, plain: () => Promise<unknown>, logged: (spent: Spent) => Promise<unknown>): Promise<Pairs> {
  const spent: Spent = { ms: 0 };
  await plain();
  await logged(spent);
  spent.ms = 0;
  const out: Pairs = { without: [], withLogging: [], inCallback: 0, otherCores: 0 };
  const busy = machineBusyMs();
  const own = cpuMs();
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const a = async () => out.without.push(await timed(plain));
    const b = async () => out.withLogging.push(await timed(() => logged(spent)));
    if (i % 2 === 0) await a().then(b);
    else await b().then(a);
  }
  out.inCallback = spent.ms / n;
  out.otherCores = Math.max(0, (machineBusyMs() - busy - (cpuMs() - own)) / (performance.now() - start));
  return out;
}
