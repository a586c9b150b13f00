/**
 * TF.js in cells through a real Kernel over an embedded store: the cell-bound training callback
 * (backend tag, progress bar, KILLED on interrupt), `loadTf`, logModel, and `pyfunc.loadModel`
 * of `models:/name@alias` as a live reader that re-runs when the alias moves.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Run } from "../../tracking/types.ts";
import type { CellSource } from "../../protocol.ts";
import { cell, runtimeKernel } from "./test-kernel.ts";

const IMPORTS = cell("imp", 'import { mlflow, loadTf } from "flowbook";');
const MODEL = cell(
  "model",
  `const tf = await loadTf();
const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 3, activation: "softmax" })] });
model.compile({ optimizer: "sgd", loss: "categoricalCrossentropy" });
const x = tf.tensor2d([[0, 1], [1, 0], [1, 1], [0, 0]]);
const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0], "int32"), 3);`,
);

const tagsOf = (run: Run) => Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
const waitFor = async (check: () => Promise<boolean> | boolean, timeoutMs = 20_000) => {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Runs `body` on a kernel holding the imports, the model and `cells`; `all` is that notebook. */
async function training(cells: CellSource[], body: (t: Awaited<ReturnType<typeof runtimeKernel>>, all: CellSource[]) => Promise<void>): Promise<void> {
  const all = [IMPORTS, MODEL, ...cells];
  const t = await runtimeKernel(all);
  try {
    await body(t, all);
  } finally {
    await t.close();
  }
}


test("interrupting a training cell stops fit, ends its run KILLED and stops the cell", async () => {
  const train = cell(
    "train",
    `await mlflow.startRun({ runName: "long" }, async () => {
  const fitConfig = { epochs: 100000, batchSize: 1, samples: 4 };
  await model.fit(x, y, { ...fitConfig, verbose: 0, callbacks: [await mlflow.tfjs.callback(model, fitConfig)] });
  await mlflow.setTag("after-fit", "reached");
});`,
  );
  await training([train], async (t, all) => {
    void t.kernel.handle({ type: "execute-cells", cells: all, requestedAt: Date.now() });
    await waitFor(async () => {
      const [run] = await t.runs();
      return !!run && (await t.store.getMetricHistory({ run_id: run.info.run_id, metric_key: "batch/loss" })).items.length > 0;
    });
    await t.kernel.handle({ type: "interrupt" });
    await t.kernel.idle();
    await waitFor(async () => (await t.runs())[0]!.info.status !== "RUNNING");
    const [run] = await t.runs();
    assert.equal(run!.info.status, "KILLED");
    const tags = tagsOf(run!);
    assert.match(tags["flowbook.tf.backend"]!, /^(tensorflow|wasm|cpu)$/);
    assert.equal(tags["after-fit"], undefined, "the cell must not go on after an interrupted fit");
    assert.equal(run!.data.params.find((p) => p.key === "epochs")?.value, "100000");
    assert.deepEqual(t.backends, [tags["flowbook.tf.backend"]]);
    const bars = t.events.filter((e) => e.type === "cell-output" && e.id === "train" && e.output?.kind === "progress");
    assert.ok(bars.length > 0, "the callback drives a progress bar");
  });
});

test("pyfunc.loadModel of models:/name@alias re-runs when the alias moves", async () => {
  const log = cell(
    "log",
    `await model.fit(x, y, { epochs: 1, verbose: 0, callbacks: [await mlflow.tfjs.callback(model, { epochs: 1 })] });
const info = await mlflow.tfjs.logModel(model, "model", { registeredModelName: "clf" });
await mlflow.endRun();`,
  );
  const load = cell("load", `const loaded = await mlflow.pyfunc.loadModel("models:/clf@champion");\nconst preds = await loaded.predict([[0, 1]]);`);
  await training([log, load], async (t, all) => {
    // The loading cell runs only once there is a model version to point the alias at.
    await t.kernel.handle({ type: "execute-cells", cells: all.filter((c) => c !== load), requestedAt: Date.now() });
    await t.kernel.idle();
    await t.store.setRegisteredModelAlias("clf", "champion", "1");
    await t.kernel.handle({ type: "execute-cells", cells: [load], requestedAt: Date.now() });
    await t.kernel.idle();
    const completions = () => t.events.filter((e) => e.type === "cell-status" && e.id === "load" && e.status === "idle").length;
    const loadOutputs = () => t.events.filter((e) => e.type === "cell-output" && e.id === "load");
    const last = loadOutputs().at(-1);
    assert.ok(last?.type === "cell-output" && !last.error, JSON.stringify(last));
    const before = completions();
    await t.kernel.handle({ type: "tracking-changed", change: { type: "registry", name: "other" } });
    await t.kernel.handle({ type: "tracking-changed", change: { type: "registry", name: "clf" } });
    await waitFor(() => completions() > before);
    await t.kernel.idle();
    assert.equal(completions(), before + 1);
    const rerun = loadOutputs().at(-1);
    assert.ok(rerun?.type === "cell-output" && !rerun.error, JSON.stringify(rerun));
    const [run] = await t.runs();
    assert.match(tagsOf(run!)["flowbook.tf.backend"]!, /^(tensorflow|wasm|cpu)$/);
  });
});

test("when fit returns, every point the training callback logged is already in the store", async () => {
  // The store is read directly: the fluent reads would flush the buffer themselves.
  const train = cell(
    "train",
    `const run = await mlflow.startRun({ runName: "flushed" });
await model.fit(x, y, { epochs: 3, batchSize: 1, verbose: 0, callbacks: [await mlflow.tfjs.callback(model, { epochs: 3, batchSize: 1 })] });
const store = await mlflow.getStore();
const history = await store.getMetricHistory({ run_id: run.info.run_id, metric_key: "batch/loss" });
await mlflow.setTag("points-at-fit-end", history.items.length);
await mlflow.endRun();`,
  );
  await training([train], async (t, all) => {
    await t.kernel.handle({ type: "execute-cells", cells: all, requestedAt: Date.now() });
    await t.kernel.idle();
    const [run] = await t.runs();
    assert.equal(tagsOf(run!)["points-at-fit-end"], "12", "3 epochs of 4 one-sample batches");
  });
});

test("training a cell started without awaiting keeps the kernel busy, and an interrupt stops it KILLED", async () => {
  const train = cell(
    "train",
    `const run = await mlflow.startRun({ runName: "background" });
const fitConfig = { epochs: 100000, batchSize: 1, samples: 4 };
const training = (async () => {
  await model.fit(x, y, { ...fitConfig, verbose: 0, callbacks: [await mlflow.tfjs.callback(model, fitConfig)] });
})();
training.catch((e) => console.error("training stopped: " + e));`,
  );
  await training([train], async (t, all) => {
    await t.kernel.handle({ type: "execute-cells", cells: all, requestedAt: Date.now() });
    await t.kernel.idle();
    const background = () => t.events.filter((e) => e.type === "cell-background" && e.id === "train").map((e) => e.type === "cell-background" && e.active);
    await waitFor(() => background().length > 0);
    assert.deepEqual(background(), [true], "the finished cell holds background work");
    await waitFor(async () => {
      const [run] = await t.runs();
      return (await t.store.getMetricHistory({ run_id: run!.info.run_id, metric_key: "batch/loss" })).items.length > 0;
    });
    await t.kernel.handle({ type: "interrupt" });
    await waitFor(async () => (await t.runs())[0]!.info.status !== "RUNNING");
    assert.equal((await t.runs())[0]!.info.status, "KILLED");
    await waitFor(() => background().length === 2);
    assert.deepEqual(background(), [true, false]);
  });
});
