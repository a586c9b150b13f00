/**
 * logModel → loadModel round trips (runs:/, models:/name@alias, models:/name/Stage, /latest) and
 * autolog, over the embedded store and over HTTP against a real tracking server with proxied
 * artifacts.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { startTestServer, type TestServer } from "../tracking/rest/test-harness.ts";
import { createMlflow, type Mlflow } from "../tracking/client/index.ts";
import { openOwnedStore, openStore } from "../tracking/store/index.ts";
import { MlflowError } from "../tracking/types.ts";
import { loadTf } from "./backend.ts";
import { autolog, loadModel, logModel, runLogger } from "./tfjs-mlflow.ts";
import { mlflowCallback } from "./training.ts";

const dirs: string[] = [];
const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "flowbook-tfjs-mlflow-"));
  dirs.push(d);
  return d;
}

const targets: { name: string; open(): Promise<Mlflow> }[] = [
  { name: "embedded sqlite", open: async () => createMlflow(`sqlite:///${join(tempDir(), "x.db")}`, openOwnedStore) },
  {
    name: "http, proxied artifacts",
    async open() {
      const srv = await startTestServer();
      servers.push(srv);
      return createMlflow(srv.url);
    },
  },
];

const rows = [
  [0.1, -0.2, 0.3],
  [1, 2, -1],
  [-0.5, 0.5, 0],
];

async function compiledModel() {
  const { tf } = await loadTf();
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [3], units: 5, activation: "relu" }), tf.layers.dense({ units: 2, activation: "softmax" })],
  });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  return { tf, model };
}

async function predictRows(model: Awaited<ReturnType<typeof compiledModel>>["model"]): Promise<number[][]> {
  const { tf } = await loadTf();
  const out = tf.tidy(() => model.predict(tf.tensor2d(rows)) as ReturnType<typeof tf.tensor2d>);
  const values = (await out.array()) as number[][];
  out.dispose();
  return values;
}

for (const target of targets) {
  test(`logModel → loadModel round trip by run, alias, stage and latest (${target.name})`, async () => {
    const mlflow = await target.open();
    await mlflow.setExperiment("tfjs-roundtrip");
    const { model } = await compiledModel();
    const expected = await predictRows(model);
    await mlflow.startRun({ runName: "log" });
    const info = await logModel(mlflow, model, "model", { inputExample: rows.slice(0, 2), registeredModelName: "clf" });
    await mlflow.endRun();
    assert.equal(info.modelUri, `runs:/${info.runId}/model`);
    assert.equal(info.registeredVersion?.version, "1");

    await mlflow.getStore();
    const client = new mlflow.MlflowClient();
    await client.setRegisteredModelAlias("clf", "champion", 1);
    await client.transitionModelVersionStage("clf", 1, "Production");

    for (const uri of [info.modelUri, "models:/clf@champion", "models:/clf/Production", "models:/clf/1", "models:/clf/latest"]) {
      const loaded = await loadModel(mlflow, uri);
      assert.deepEqual(await loaded.predict(rows), expected, uri);
      assert.deepEqual(loaded.signature?.inputs, [{ type: "tensor", "tensor-spec": { dtype: "float32", shape: [-1, 3] } }], uri);
    }

    // The MLmodel file, as MLflow's tools read it: required fields present and consistent.
    const dir = await mlflow.downloadArtifacts({ runId: info.runId, artifactPath: "model", dstPath: tempDir() });
    const { readFile } = await import("node:fs/promises");
    const mlmodel = parseYaml(await readFile(join(dir, "MLmodel"), "utf8")) as Record<string, any>;
    assert.equal(mlmodel.artifact_path, "model");
    assert.equal(mlmodel.run_id, info.runId);
    assert.match(mlmodel.model_uuid, /^[0-9a-f]{32}$/);
    assert.match(mlmodel.utc_time_created, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    assert.equal(mlmodel.flavors.tfjs.model_format, "layers-model");
    assert.equal(mlmodel.flavors.js_function.loader_module, "flowbook.ml.tfjs");
    assert.equal(typeof mlmodel.signature.inputs, "string");
    assert.equal(mlmodel.saved_input_example_info.artifact_path, "input_example.json");
    assert.deepEqual(JSON.parse(await readFile(join(dir, "input_example.json"), "utf8")), { inputs: rows.slice(0, 2) });

    const run = await mlflow.getRun(info.runId);
    const history = JSON.parse(run.data.tags.find((t) => t.key === "mlflow.log-model.history")!.value) as { artifact_path: string }[];
    assert.deepEqual(history.map((h) => h.artifact_path), ["model"]);

    await assert.rejects(loadModel(mlflow, "models:/nope@champion"), (e: unknown) => e instanceof MlflowError);
    await mlflow.close();
  });

  test(`autolog logs params, per-batch and per-epoch metrics and the model (${target.name})`, async () => {
    const mlflow = await target.open();
    await mlflow.setExperiment("tfjs-autolog");
    const { tf, model } = await compiledModel();
    const x = tf.tensor2d([...Array(20).keys()].map((i) => [i % 3, (i * 7) % 5, i % 2]));
    const y = tf.oneHot(tf.tensor1d([...Array(20).keys()].map((i) => i % 2), "int32"), 2);
    const unpatch = await autolog(mlflow);
    try {
      await model.fit(x, y, { epochs: 2, batchSize: 10, verbose: 0 });
    } finally {
      unpatch();
      x.dispose();
      y.dispose();
    }
    const [row] = await mlflow.searchRunsList({ experimentIds: [(await mlflow.getExperimentByName("tfjs-autolog"))!.experiment_id] });
    assert.ok(row);
    const run = await mlflow.getRun(row.info.run_id);
    assert.equal(run.info.status, "FINISHED");
    const params = Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));
    assert.equal(params.epochs, "2");
    assert.equal(params.batch_size, "10");
    assert.equal(params.optimizer_name, "SGD");
    assert.equal(params.samples, "20");
    assert.equal((await mlflow.getMetricHistory(row.info.run_id, "loss")).length, 2);
    assert.equal((await mlflow.getMetricHistory(row.info.run_id, "batch/loss")).length, 4);
    const loaded = await loadModel(mlflow, `runs:/${row.info.run_id}/model`);
    assert.deepEqual(await loaded.predict(rows), await predictRows(model));
    await mlflow.close();
  });
}

test("batch points reach the store while the epoch still runs, for live charts", async () => {
  const store = await openStore(`sqlite:///${join(tempDir(), "live.db")}`);
  const mlflow = createMlflow(store);
  const runId = (await mlflow.startRun()).info.run_id;
  const { tf, model } = await compiledModel();
  const x = tf.tensor2d([...Array(40).keys()].map((i) => [i % 3, (i * 7) % 5, i % 2]));
  const y = tf.oneHot(tf.tensor1d([...Array(40).keys()].map((i) => i % 2), "int32"), 2);
  const stored = async () => (await store.getMetricHistory({ run_id: runId, metric_key: "batch/loss" })).items.length;
  const seen: number[] = [];
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  // Batches of 150 ms, longer than the callback's 125 ms hand-over interval (a fast batch waits at
  // most that long in its queue): each one reaches the logger as it ends.
  const slow = new tf.CustomCallback({ onBatchEnd: () => sleep(150) });
  // After batch 2, the event loop runs for longer than the buffer's delay.
  const probe = new tf.CustomCallback({
    onBatchEnd: async (batch) => {
      if (batch !== 2) return;
      await sleep(250);
      seen.push(await stored());
    },
  });
  const fit = { epochs: 1, batchSize: 10 };
  try {
    await model.fit(x, y, { ...fit, verbose: 0, callbacks: [slow, mlflowCallback(tf, model, runLogger(mlflow, runId), fit), probe] });
  } finally {
    x.dispose();
    y.dispose();
  }
  assert.deepEqual(seen, [3], "batches 0-2 were in the store before the epoch ended");
  await mlflow.endRun();
  assert.equal(await stored(), 4);
  await mlflow.close();
  await store.close();
});
