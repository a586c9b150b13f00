import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { loadTf } from "./backend.ts";
import { loadModelDir, saveModelDir } from "./model-dir.ts";

async function smallModel() {
  const { tf } = await loadTf();
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [4], units: 8, activation: "relu" }), tf.layers.dense({ units: 3, activation: "softmax" })],
  });
  return { tf, model };
}

test("a saved model loads back and gives identical predictions", async () => {
  const { tf, model } = await smallModel();
  const dir = mkdtempSync(join(tmpdir(), "fb-model-"));
  const rows = [
    [5.1, 3.5, 1.4, 0.2],
    [6.7, 3.1, 4.7, 1.5],
  ];
  await saveModelDir(model, dir, { artifactPath: "model", runId: "abc123", inputExample: rows });
  const expected = (model.predict(tf.tensor2d(rows)) as import("@tensorflow/tfjs").Tensor).arraySync();
  const loaded = await loadModelDir(dir);
  assert.deepEqual(await loaded.predict(rows), expected);
  assert.deepEqual(await loaded.predict({ columns: ["a", "b", "c", "d"], data: rows }), expected);
});

test("MLmodel is YAML with MLflow's fields and both flavors", async () => {
  const { model } = await smallModel();
  const dir = mkdtempSync(join(tmpdir(), "fb-model-"));
  await saveModelDir(model, dir, { artifactPath: "model", runId: "r1", inputExample: [[1, 2, 3, 4]] });
  const mlmodel = parse(readFileSync(join(dir, "MLmodel"), "utf8"));
  assert.equal(mlmodel.artifact_path, "model");
  assert.equal(mlmodel.run_id, "r1");
  assert.match(mlmodel.model_uuid, /^[0-9a-f]{32}$/);
  assert.match(mlmodel.utc_time_created, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
  assert.equal(mlmodel.flavors.js_function.loader_module, "flowbook.ml.tfjs");
  assert.equal(mlmodel.flavors.tfjs.model_format, "layers-model");
  assert.deepEqual(JSON.parse(mlmodel.signature.inputs), [{ type: "tensor", "tensor-spec": { dtype: "float32", shape: [-1, 4] } }]);
  assert.deepEqual(mlmodel.saved_input_example_info, { artifact_path: "input_example.json", type: "ndarray", format: "tf-serving" });
  assert.deepEqual(JSON.parse(readFileSync(join(dir, "input_example.json"), "utf8")), { inputs: [[1, 2, 3, 4]] });
  assert.ok(mlmodel.model_size_bytes > 0);
});

test("the signature is enforced on predict with a clear error", async () => {
  const { model } = await smallModel();
  const dir = mkdtempSync(join(tmpdir(), "fb-model-"));
  await saveModelDir(model, dir, { artifactPath: "model" });
  const loaded = await loadModelDir(dir);
  await assert.rejects(loaded.predict([[1, 2, 3]]), { code: "BAD_REQUEST", message: /3 values, the model expects 4/ });
});

test("a directory without MLmodel, or without a JS flavor, is refused clearly", async () => {
  const empty = mkdtempSync(join(tmpdir(), "fb-model-"));
  await assert.rejects(loadModelDir(empty), { code: "RESOURCE_DOES_NOT_EXIST" });
  const sklearn = join(empty, "sk");
  mkdirSync(sklearn);
  writeFileSync(join(sklearn, "MLmodel"), "flavors:\n  sklearn:\n    pickled_model: model.pkl\n");
  await assert.rejects(loadModelDir(sklearn), { message: /no tfjs or js_function flavor \(found: sklearn\)/ });
});
