import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server } from "node:http";
import { loadTf } from "./backend.ts";
import { loadModelDir, saveModelDir, type LoadedModel } from "./model-dir.ts";
import { startScoringServer } from "./scoring-server.ts";

let server: Server;
let url: string;
let model: LoadedModel;
const rows = [
  [1, 2],
  [3, 4],
];

before(async () => {
  const { tf } = await loadTf();
  const net = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1, kernelInitializer: "ones", biasInitializer: "zeros" })] });
  const dir = mkdtempSync(join(tmpdir(), "fb-serve-"));
  await saveModelDir(net, dir, {
    artifactPath: "model",
    signature: { inputs: [{ type: "double", name: "x" }, { type: "double", name: "y" }] },
  });
  model = await loadModelDir(dir);
  ({ server, url } = await startScoringServer(model, { port: 0, version: "test-1" }));
});
after(() => server.close());

const post = (body: string, type = "application/json") =>
  fetch(`${url}/invocations`, { method: "POST", headers: { "content-type": type }, body });

test("ping, health and version answer like MLflow's scoring server", async () => {
  assert.equal((await fetch(`${url}/ping`)).status, 200);
  assert.equal((await fetch(`${url}/health`)).status, 200);
  assert.equal(await (await fetch(`${url}/version`)).text(), "test-1");
});

test("each of MLflow's four JSON input forms and CSV give the same predictions", async () => {
  const want = { predictions: [[3], [7]] };
  const bodies = [
    { dataframe_split: { columns: ["x", "y"], data: rows } },
    { dataframe_records: [{ x: 1, y: 2 }, { x: 3, y: 4 }] },
    { instances: rows },
    { inputs: { x: [1, 3], y: [2, 4] } },
    { inputs: rows, params: { temperature: 1 } },
  ];
  for (const body of bodies) {
    const res = await post(JSON.stringify(body));
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.deepEqual(await res.json(), want);
  }
  const csv = await post("x,y\n1,2\n3,4\n", "text/csv; charset=utf-8");
  assert.deepEqual(await csv.json(), want);
});

test("bad payloads get MLflow's 400 and 415 errors", async () => {
  const cases: [string, string, number, RegExp][] = [
    ["[[1,2]]", "application/json", 400, /exactly one of the input fields.*Received a list/],
    ['{"instances":[[1,2]],"inputs":[[1,2]]}', "application/json", 400, /Received dictionary with input fields: \["instances","inputs"\]/],
    ['{"nope":1}', "application/json", 400, /exactly one of the input fields/],
    ["{not json", "application/json", 400, /Invalid JSON input/],
    ['{"instances":[[1,"a"]]}', "application/json", 400, /column y of row 0 is "a"/],
    ['{"dataframe_records":[{"x":1}]}', "application/json", 400, /missing inputs \["y"\]/],
    ["x,y\n1,2", "text/plain", 415, /only supports the following content types/],
    ['{"inputs":[[1,2]]}', "application/json; charset=latin-1", 415, /only supports UTF-8/],
  ];
  for (const [body, type, status, message] of cases) {
    const res = await post(body, type);
    assert.equal(res.status, status, body);
    const json = (await res.json()) as { error_code: string; message: string };
    assert.equal(json.error_code, "BAD_REQUEST");
    assert.match(json.message, message);
  }
  assert.equal((await fetch(`${url}/nowhere`)).status, 404);
});
