/**
 * What MLflow's own server suites pin, kept here in `npm test` (the suites themselves run with
 * `npm run test:mlflow-suites`): GraphQL as its UI queries it, the UI's upload and prompt-lab
 * routes, get-history-bulk-interval's step sampling, model versions from another store's runs,
 * source checks, relative artifact locations and MLflow's wording of type errors.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { forEachBackend } from "../store/test-support.ts";
import { rawRequest, startTestServer, type TestServer } from "./test-harness.ts";
import { sampledSteps } from "./step-sample.ts";

forEachBackend(({ open }) => {
  let srv: TestServer;
  let exp: string;
  let run: string;
  before(async () => {
    srv = await startTestServer({ serveArtifacts: false, open });
    exp = (await srv.call("POST", "experiments/create", { name: "parity" })).json.experiment_id;
    run = (await srv.call("POST", "runs/create", { experiment_id: exp })).json.run.info.run_id;
  });
  after(() => srv.close());

  const graphql = (body: unknown) =>
    rawRequest(srv.url, "POST", "/graphql", { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

  test("GraphQL: the UI's run query with variables, __typename and the run's experiment and model versions", async () => {
    await srv.call("POST", "registered-models/create", { name: "gq" });
    await srv.call("POST", "model-versions/create", { name: "gq", source: "runs:/elsewhere/model", run_id: run });
    const query = `query GetRun($data: MlflowGetRunInput!) @component(name: "x") {
      mlflowGetRun(input: $data) { __typename run { info { runUuid status endTime } experiment { name } modelVersions { name } data { metrics { key } } } } }`;
    const res = await graphql({ query, variables: { data: { runId: run } }, operationName: "GetRun" });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, {
      data: { mlflowGetRun: { __typename: "MlflowGetRunResponse", run: { info: { runUuid: run, status: "RUNNING", endTime: "0" }, experiment: { name: "parity" }, modelVersions: [{ name: "gq" }], data: { metrics: [] } } } },
      errors: null,
    });
    const bad = await graphql({ query: "{ mlflowGetRun(input: {runId: \"nope\"}) { run { info { status } } } }" });
    assert.deepEqual(bad.json, { data: { mlflowGetRun: null }, errors: ["Run with id=nope not found"] });
    assert.match((await graphql({ query: "{ nope }" })).json.errors[0], /Cannot query field 'nope'/);
    assert.match((await graphql({ query: "{".repeat(5000) })).json.errors[0], /Syntax Error/);
    assert.deepEqual((await graphql({ query: 'query { test(inputString: "abc") { output } }' })).json.data, { test: { output: "abc" } });
  });

  test("upload-artifact and create-promptlab-run answer as MLflow's UI expects", async () => {
    const up = (q: string, body?: string) => rawRequest(srv.url, "POST", `/ajax-api/2.0/mlflow/upload-artifact?${q}`, { body });
    assert.equal((await up(`run_uuid=${run}&path=../x`, "x")).json.message, "Invalid path");
    assert.equal((await up(`run_uuid=${run}&path=a.txt`)).json.message, "Request must specify data.");
    assert.equal((await up(`run_uuid=${run}&path=d/a.txt`, "hello")).status, 200);
    assert.equal((await rawRequest(srv.url, "GET", `/get-artifact?run_id=${run}&path=d/a.txt`)).text, "hello");
    const lab = await srv.call("POST", "runs/create-promptlab-run", {
      experiment_id: exp, prompt_template: "t {{ x }}", prompt_parameters: [{ key: "x", value: "1" }], model_route: "r", model_input: "i", mlflow_version: "2.12.2",
    });
    assert.equal(lab.json.run.info.status, "FINISHED");
    const files = (await srv.call("GET", "artifacts/list", { run_id: lab.json.run.info.run_id })).json.files.map((f: { path: string }) => f.path);
    assert.deepEqual(files, ["eval_results_table.json", "model"]);
    assert.match((await srv.call("POST", "runs/create-promptlab-run", { experiment_id: exp })).json.message, /must specify prompt_template/);
  });

  test("get-history-bulk-interval samples steps as MLflow does; the sampler keeps its quirks", async () => {
    for (let i = 0; i < 10; i++) await srv.call("POST", "runs/log-metric", { run_id: run, key: "s", value: 1, timestamp: 1, step: i });
    const res = await srv.call("GET", "metrics/get-history-bulk-interval", { run_ids: [run], metric_key: "s", max_results: 5 });
    assert.deepEqual(res.json.metrics.map((m: { step: number }) => m.step), [0, 2, 4, 6, 8, 9]);
    assert.deepEqual([...sampledSteps(0, 1000, 5, Array.from({ length: 101 }, (_, i) => i * 10))].sort((a, b) => a - b), [0, 200, 400, 600, 800, 1000]);
  });

  test("model versions: a run from another store is kept; sources are checked with MLflow's rules", async () => {
    await srv.call("POST", "registered-models/create", { name: "src" });
    const ok = (source: string, run_id?: string) => srv.call("POST", "model-versions/create", { name: "src", source, run_id });
    assert.equal((await ok("runs:/run_id_1/model", "run_id_1")).json.model_version.run_id, "run_id_1");
    const root = (await srv.call("GET", "runs/get", { run_id: run })).json.run.info.artifact_uri as string;
    for (const s of [root, `${root}/model`, `${root}/.`, `${root}/model/..`, "mlflow-artifacts:/models///", "mlflow-artifacts://host:9000/models/artifact/..../"]) {
      assert.equal((await ok(s, run)).status, 200, s);
    }
    assert.match((await ok(root)).json.message, /To use a local path as a model version/);
    assert.match((await ok("mlflow-artifacts://h/models/..%2f..%2fx", run)).json.message, /If supplying a source as an http, https,/);
    assert.equal((await ok("file://123.456.789.123/path", run)).status, 500); // MLflow's INTERNAL_ERROR, pinned by its suite
  });

  test("relative artifact locations resolve from the working directory; type errors quote values as Python does", async () => {
    const id = (await srv.call("POST", "experiments/create", { name: "rel", artifact_location: "my_location" })).json.experiment_id;
    assert.equal((await srv.call("GET", "experiments/get", { experiment_id: id })).json.experiment.artifact_location, `${process.cwd()}/my_location`);
    const res = await rawRequest(srv.url, "POST", "/api/2.0/mlflow/experiments/create", { body: '{"name": "x", "artifact_location": 9.0}' });
    assert.match(res.json.message, /^Invalid value 9\.0 for parameter 'artifact_location' supplied\. Hint: Value was of type 'float'\./);
    const batch = await srv.call("POST", "runs/log-batch", { run_id: run, metrics: [{ key: "mae", value: 2.5 }] });
    assert.match(batch.json.message, /Invalid value \[\{'key': 'mae', 'value': 2\.5\}\] for parameter 'metrics' supplied/);
  });
});
