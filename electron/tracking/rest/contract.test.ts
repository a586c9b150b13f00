/**
 * The REST contract over HTTP against a real store, SQLite and PostgreSQL: every route's JSON shape along the full
 * lifecycle (experiment → run → logging → search → history → artifacts → registry → deletes).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { forEachBackend } from "../store/test-support.ts";
import { rawRequest, startTestServer, type TestServer } from "./test-harness.ts";

forEachBackend(({ open }) => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ open });
  });
  after(async () => {
    assert.deepEqual(srv.errors, [], "the server logged unexpected exceptions");
    await srv.close();
  });

  async function ok(method: string, path: string, args?: Record<string, unknown>): Promise<any> {
    const res = await srv.call(method, path, args);
    assert.equal(res.status, 200, `${method} ${path}: ${res.text}`);
    assert.match(String(res.headers["content-type"]), /application\/json/);
    return res.json;
  }

  const state: { exp: string; run: string; child: string } = { exp: "", run: "", child: "" };

  test("health and version are plain text", async () => {
    const health = await rawRequest(srv.url, "GET", "/health");
    assert.equal(health.status, 200);
    assert.equal(health.text, "OK");
    const version = await rawRequest(srv.url, "GET", "/version");
    assert.equal(version.text, JSON.parse(readFileSync("package.json", "utf8")).version);
  });

  test("experiments: create, get, get-by-name, search, update, tags", async () => {
    const created = await ok("POST", "experiments/create", { name: "contract", tags: [{ key: "team", value: "a" }] });
    assert.deepEqual(Object.keys(created), ["experiment_id"]);
    assert.equal(typeof created.experiment_id, "string");
    state.exp = created.experiment_id;

    const { experiment } = await ok("GET", "experiments/get", { experiment_id: state.exp });
    assert.equal(experiment.name, "contract");
    assert.equal(experiment.lifecycle_stage, "active");
    assert.equal(experiment.artifact_location, `mlflow-artifacts:/${state.exp}`);
    assert.equal(typeof experiment.creation_time, "number");
    assert.equal(typeof experiment.last_update_time, "number");
    assert.deepEqual(experiment.tags, [{ key: "team", value: "a" }]);

    const byName = await ok("GET", "experiments/get-by-name", { experiment_name: "contract" });
    assert.equal(byName.experiment.experiment_id, state.exp);

    await ok("POST", "experiments/create", { name: "contract-2" });
    const page1 = await ok("GET", "experiments/search", { max_results: "1", order_by: ["name ASC"] });
    assert.equal(page1.experiments.length, 1);
    assert.equal(typeof page1.next_page_token, "string");
    const page2 = await ok("POST", "experiments/search", { max_results: 1, order_by: ["name ASC"], page_token: page1.next_page_token });
    assert.equal(page2.experiments.length, 1);
    assert.notEqual(page2.experiments[0].experiment_id, page1.experiments[0].experiment_id);
    const filtered = await ok("POST", "experiments/search", { filter: "name = 'contract'", view_type: "ALL" });
    assert.deepEqual(filtered.experiments.map((e: any) => e.name), ["contract"]);

    assert.deepEqual(await ok("POST", "experiments/update", { experiment_id: state.exp, new_name: "contract-renamed" }), {});
    assert.deepEqual(await ok("POST", "experiments/set-experiment-tag", { experiment_id: state.exp, key: "k", value: "v" }), {});
    assert.deepEqual(await ok("POST", "experiments/delete-experiment-tag", { experiment_id: state.exp, key: "team" }), {});
    const renamed = (await ok("GET", "experiments/get", { experiment_id: state.exp })).experiment;
    assert.equal(renamed.name, "contract-renamed");
    assert.deepEqual(renamed.tags, [{ key: "k", value: "v" }]);
  });

  test("runs: create, log metric/param/tag/batch, get with NaN and Infinity as strings", async () => {
    const { run } = await ok("POST", "runs/create", {
      experiment_id: state.exp,
      run_name: "parent",
      start_time: 1000,
      tags: [{ key: "stage", value: "dev" }],
    });
    state.run = run.info.run_id;
    assert.equal(run.info.run_uuid, run.info.run_id);
    assert.equal(run.info.status, "RUNNING");
    assert.equal(run.info.run_name, "parent");
    assert.equal(run.info.start_time, 1000);
    assert.equal(run.info.artifact_uri, `mlflow-artifacts:/${state.exp}/${state.run}/artifacts`);
    assert.equal(run.info.lifecycle_stage, "active");

    await ok("POST", "runs/log-metric", { run_id: state.run, key: "loss", value: 1, timestamp: 10, step: 0 });
    await ok("POST", "runs/log-metric", { run_uuid: state.run, key: "loss", value: "0.5", timestamp: "11", step: "1" });
    await ok("POST", "runs/log-metric", { run_id: state.run, key: "weird", value: "NaN", timestamp: 12 });
    await ok("POST", "runs/log-parameter", { run_id: state.run, key: "lr", value: "0.01" });
    await ok("POST", "runs/set-tag", { run_id: state.run, key: "gone", value: "x" });
    await ok("POST", "runs/delete-tag", { run_id: state.run, key: "gone" });
    await ok("POST", "runs/log-batch", {
      run_id: state.run,
      metrics: [
        { key: "acc", value: 0.9, timestamp: 13, step: 0 },
        { key: "inf", value: "Infinity", timestamp: 13 },
      ],
      params: [{ key: "optimizer", value: "adam" }],
      tags: [{ key: "batch", value: "t" }],
    });

    const res = await srv.call("GET", "runs/get", { run_id: state.run });
    assert.equal(res.status, 200);
    assert.match(res.text, /"value":"NaN"/);
    const got = res.json.run;
    const metrics = Object.fromEntries(got.data.metrics.map((m: any) => [m.key, m]));
    assert.deepEqual(metrics.loss, { key: "loss", value: 0.5, timestamp: 11, step: 1 });
    assert.equal(metrics.weird.value, "NaN");
    assert.equal(typeof metrics.inf.value === "number" ? metrics.inf.value > 1e300 : metrics.inf.value === "Infinity", true);
    const params = Object.fromEntries(got.data.params.map((p: any) => [p.key, p.value]));
    assert.deepEqual(params, { lr: "0.01", optimizer: "adam" });
    const tags = Object.fromEntries(got.data.tags.map((t: any) => [t.key, t.value]));
    assert.equal(tags.stage, "dev");
    assert.equal(tags.batch, "t");
    assert.equal(tags.gone, undefined);

    const child = await ok("POST", "runs/create", {
      experiment_id: state.exp,
      run_name: "child",
      start_time: 2000,
      tags: [{ key: "mlflow.parentRunId", value: state.run }],
    });
    state.child = child.run.info.run_id;
    await ok("POST", "runs/log-metric", { run_id: state.child, key: "acc", value: 0.4, timestamp: 20 });

    const updated = await ok("POST", "runs/update", { run_id: state.run, status: "FINISHED", end_time: 5000 });
    assert.equal(updated.run_info.status, "FINISHED");
    assert.equal(updated.run_info.end_time, 5000);
    const renamed = await ok("POST", "runs/update", { run_id: state.child, run_name: "kid", status: 3 });
    assert.equal(renamed.run_info.run_name, "kid");
  });

  test("runs/search: filter, order_by, paging, view types", async () => {
    const all = await ok("POST", "runs/search", { experiment_ids: [state.exp], order_by: ["attributes.start_time ASC"] });
    assert.deepEqual(all.runs.map((r: any) => r.info.run_id), [state.run, state.child]);
    const filtered = await ok("POST", "runs/search", { experiment_ids: [state.exp], filter: "metrics.acc > 0.5 and params.optimizer = 'adam'" });
    assert.deepEqual(filtered.runs.map((r: any) => r.info.run_id), [state.run]);
    const ordered = await ok("POST", "runs/search", { experiment_ids: [state.exp], order_by: ["metrics.acc ASC"] });
    assert.deepEqual(ordered.runs.map((r: any) => r.info.run_id), [state.child, state.run]);
    const page = await ok("POST", "runs/search", { experiment_ids: [state.exp], max_results: 1 });
    assert.equal(page.runs.length, 1);
    const next = await ok("POST", "runs/search", { experiment_ids: [state.exp], max_results: 1, page_token: page.next_page_token });
    assert.equal(next.runs.length, 1);
    assert.equal(next.next_page_token, undefined);
    const empty = await ok("POST", "runs/search", { experiment_ids: [state.exp], filter: "metrics.acc > 5" });
    assert.deepEqual(empty, { runs: [] });
  });

  test("metric history: get-history, bulk-interval, ajax bulk", async () => {
    const h = await ok("GET", "metrics/get-history", { run_id: state.run, metric_key: "loss" });
    assert.deepEqual(h.metrics, [
      { key: "loss", value: 1, timestamp: 10, step: 0 },
      { key: "loss", value: 0.5, timestamp: 11, step: 1 },
    ]);
    const bulk = await ok("GET", "metrics/get-history-bulk-interval", { run_ids: [state.run, state.child], metric_key: "acc", max_results: 10 });
    assert.deepEqual(
      bulk.metrics.map((m: any) => [m.run_id, m.value]).sort(),
      [
        [state.child, 0.4],
        [state.run, 0.9],
      ].sort(),
    );
    const ranged = await ok("GET", "metrics/get-history-bulk-interval", { run_ids: state.run, metric_key: "loss", start_step: 1, end_step: 1 });
    assert.deepEqual(ranged.metrics.map((m: any) => m.step), [1]);
    const ajax = await rawRequest(srv.url, "GET", `/ajax-api/2.0/mlflow/metrics/get-history-bulk?run_id=${state.run}&metric_key=loss`);
    assert.equal(ajax.status, 200);
    assert.deepEqual(ajax.json.metrics.map((m: any) => [m.step, m.run_id]), [
      [0, state.run],
      [1, state.run],
    ]);
  });

  test("artifacts: proxy upload, run listing, download, proxy listing, delete", async () => {
    const base = `/api/2.0/mlflow-artifacts/artifacts/${state.exp}/${state.run}/artifacts`;
    const put = await rawRequest(srv.url, "PUT", `${base}/dir/a.txt`, { body: "hello" });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.json, {});
    await rawRequest(srv.url, "PUT", `${base}/top.json`, { body: '{"x":1}' });

    const root = await ok("GET", "artifacts/list", { run_id: state.run });
    assert.equal(root.root_uri, `mlflow-artifacts:/${state.exp}/${state.run}/artifacts`);
    assert.deepEqual(root.files, [
      { path: "dir", is_dir: true },
      { path: "top.json", is_dir: false, file_size: 7 },
    ]);
    const sub = await ok("GET", "artifacts/list", { run_id: state.run, path: "dir" });
    assert.deepEqual(sub.files, [{ path: "dir/a.txt", is_dir: false, file_size: 5 }]);

    const down = await rawRequest(srv.url, "GET", `${base}/dir/a.txt`);
    assert.equal(down.status, 200);
    assert.equal(down.text, "hello");
    assert.match(String(down.headers["content-disposition"]), /attachment/);
    const viaUi = await rawRequest(srv.url, "GET", `/get-artifact?path=dir/a.txt&run_uuid=${state.run}`);
    assert.equal(viaUi.text, "hello");

    const proxied = await rawRequest(srv.url, "GET", `/api/2.0/mlflow-artifacts/artifacts?path=${state.exp}/${state.run}/artifacts`);
    assert.deepEqual(proxied.json.files, [
      { path: "dir", is_dir: true },
      { path: "top.json", is_dir: false, file_size: 7 },
    ]);
    const del = await rawRequest(srv.url, "DELETE", `${base}/top.json`);
    assert.equal(del.status, 200);
    assert.deepEqual((await ok("GET", "artifacts/list", { run_id: state.run })).files, [{ path: "dir", is_dir: true }]);
    // Multipart upload: checked as MLflow checks it, then refused as its local store refuses it.
    const mpuBad = await rawRequest(srv.url, "POST", `/api/2.0/mlflow-artifacts/mpu/create/${state.exp}/x.bin`, { body: "{}" });
    assert.equal(mpuBad.status, 400);
    const mpu = await rawRequest(srv.url, "POST", `/api/2.0/mlflow-artifacts/mpu/create/${state.exp}/x.bin`, { body: JSON.stringify({ path: "x.bin", num_parts: 2 }) });
    assert.equal(mpu.status, 501);
    assert.equal(mpu.json.error_code, "NOT_IMPLEMENTED");
  });

  test("log-inputs, search-datasets and log-model", async () => {
    await ok("POST", "runs/log-inputs", {
      run_id: state.run,
      datasets: [
        {
          tags: [{ key: "mlflow.data.context", value: "training" }],
          dataset: { name: "iris", digest: "abc123", source_type: "local", source: "{}" },
        },
      ],
    });
    const { run } = await ok("GET", "runs/get", { run_id: state.run });
    assert.equal(run.inputs.dataset_inputs[0].dataset.name, "iris");
    const ds = await ok("POST", "experiments/search-datasets", { experiment_ids: [state.exp] });
    assert.deepEqual(ds.dataset_summaries, [{ experiment_id: state.exp, name: "iris", digest: "abc123", context: "training" }]);

    const model = { artifact_path: "model", flavors: { tfjs: {} }, utc_time_created: "2026-01-01", run_id: state.run };
    await ok("POST", "runs/log-model", { run_id: state.run, model_json: JSON.stringify(model) });
    const tags = (await ok("GET", "runs/get", { run_id: state.run })).run.data.tags;
    const history = JSON.parse(tags.find((t: any) => t.key === "mlflow.log-model.history").value);
    assert.deepEqual(history, [model]);
  });

  test("registry: models, versions, stages, aliases, latest, download uri, tags", async () => {
    const created = await ok("POST", "registered-models/create", { name: "m", tags: [{ key: "o", value: "p" }], description: "d" });
    assert.equal(created.registered_model.name, "m");
    assert.equal(typeof created.registered_model.creation_timestamp, "number");
    assert.deepEqual(created.registered_model.tags, [{ key: "o", value: "p" }]);

    const source = `mlflow-artifacts:/${state.exp}/${state.run}/artifacts/dir`;
    const v1 = (await ok("POST", "model-versions/create", { name: "m", source, run_id: state.run })).model_version;
    const v2 = (await ok("POST", "model-versions/create", { name: "m", source, run_id: state.run, description: "two" })).model_version;
    assert.equal(v1.version, "1");
    assert.equal(v2.version, "2");
    assert.equal(v1.current_stage, "None");
    assert.equal(v1.status, "READY");
    assert.equal(v1.source, source);

    await ok("POST", "model-versions/transition-stage", { name: "m", version: "1", stage: "Production", archive_existing_versions: false });
    const t = await ok("POST", "model-versions/transition-stage", { name: "m", version: "2", stage: "Production", archive_existing_versions: true });
    assert.equal(t.model_version.current_stage, "Production");
    assert.equal((await ok("GET", "model-versions/get", { name: "m", version: "1" })).model_version.current_stage, "Archived");

    await ok("POST", "registered-models/alias", { name: "m", alias: "champion", version: "1" });
    assert.equal((await ok("GET", "registered-models/alias", { name: "m", alias: "champion" })).model_version.version, "1");
    await ok("POST", "registered-models/alias", { name: "m", alias: "champion", version: "2" });
    const byAlias = (await ok("GET", "registered-models/alias", { name: "m", alias: "champion" })).model_version;
    assert.equal(byAlias.version, "2");
    assert.deepEqual(byAlias.aliases, ["champion"]);
    const model = (await ok("GET", "registered-models/get", { name: "m" })).registered_model;
    assert.deepEqual(model.aliases, [{ alias: "champion", version: "2" }]);

    const latestGet = await ok("GET", "registered-models/get-latest-versions", { name: "m", stages: ["Production"] });
    assert.deepEqual(latestGet.model_versions.map((v: any) => v.version), ["2"]);
    const latestPost = await ok("POST", "registered-models/get-latest-versions", { name: "m" });
    assert.deepEqual(latestPost.model_versions.map((v: any) => [v.current_stage, v.version]).sort(), [
      ["Archived", "1"],
      ["Production", "2"],
    ]);

    const uri = await ok("GET", "model-versions/get-download-uri", { name: "m", version: "1" });
    assert.equal(uri.artifact_uri, source);
    const file = await rawRequest(srv.url, "GET", "/model-versions/get-artifact?path=a.txt&name=m&version=1");
    assert.equal(file.text, "hello");

    const searched = await ok("GET", "model-versions/search", { filter: "name='m'" });
    assert.deepEqual(searched.model_versions.map((v: any) => v.version).sort(), ["1", "2"]);
    const models = await ok("GET", "registered-models/search", { filter: "name LIKE 'm%'", max_results: 10 });
    assert.deepEqual(models.registered_models.map((m: any) => m.name), ["m"]);

    await ok("PATCH", "model-versions/update", { name: "m", version: "1", description: "one" });
    await ok("POST", "model-versions/set-tag", { name: "m", version: "1", key: "vk", value: "vv" });
    const v1b = (await ok("GET", "model-versions/get", { name: "m", version: "1" })).model_version;
    assert.equal(v1b.description, "one");
    assert.deepEqual(v1b.tags, [{ key: "vk", value: "vv" }]);
    await ok("DELETE", "model-versions/delete-tag", { name: "m", version: "1", key: "vk" });
    await ok("PATCH", "registered-models/update", { name: "m", description: "new" });
    await ok("POST", "registered-models/set-tag", { name: "m", key: "k2", value: "v2" });
    await ok("DELETE", "registered-models/delete-tag", { name: "m", key: "o" });
    const m2 = (await ok("GET", "registered-models/get", { name: "m" })).registered_model;
    assert.equal(m2.description, "new");
    assert.deepEqual(m2.tags, [{ key: "k2", value: "v2" }]);

    await ok("DELETE", "registered-models/alias", { name: "m", alias: "champion" });
    const missing = await srv.call("GET", "registered-models/alias", { name: "m", alias: "champion" });
    assert.equal(missing.status, 400);
    assert.equal(missing.json.error_code, "INVALID_PARAMETER_VALUE");

    const renamed = await ok("POST", "registered-models/rename", { name: "m", new_name: "m2" });
    assert.equal(renamed.registered_model.name, "m2");
    await ok("DELETE", "model-versions/delete", { name: "m2", version: "1" });
    assert.equal((await srv.call("GET", "model-versions/get", { name: "m2", version: "1" })).status, 404);
    await ok("DELETE", "registered-models/delete", { name: "m2" });
    assert.equal((await srv.call("GET", "registered-models/get", { name: "m2" })).json.error_code, "RESOURCE_DOES_NOT_EXIST");
  });

  test("deletes and restores: runs and experiments", async () => {
    await ok("POST", "runs/delete", { run_id: state.child });
    const active = await ok("POST", "runs/search", { experiment_ids: [state.exp] });
    assert.deepEqual(active.runs.map((r: any) => r.info.run_id), [state.run]);
    const deleted = await ok("POST", "runs/search", { experiment_ids: [state.exp], run_view_type: "DELETED_ONLY" });
    assert.deepEqual(deleted.runs.map((r: any) => r.info.run_id), [state.child]);
    await ok("POST", "runs/restore", { run_id: state.child });
    assert.equal((await ok("POST", "runs/search", { experiment_ids: [state.exp] })).runs.length, 2);

    await ok("POST", "experiments/delete", { experiment_id: state.exp });
    assert.equal((await ok("GET", "experiments/get", { experiment_id: state.exp })).experiment.lifecycle_stage, "deleted");
    const clash = await srv.call("POST", "experiments/create", { name: "contract-renamed" });
    assert.equal(clash.status, 400);
    assert.equal(clash.json.error_code, "RESOURCE_ALREADY_EXISTS");
    await ok("POST", "experiments/restore", { experiment_id: state.exp });
    assert.equal((await ok("GET", "experiments/get", { experiment_id: state.exp })).experiment.lifecycle_stage, "active");
  });

  test("the /ajax-api prefix serves the same routes", async () => {
    const res = await rawRequest(srv.url, "GET", `/ajax-api/2.0/mlflow/runs/get?run_id=${state.run}`);
    assert.equal(res.status, 200);
    assert.equal(res.json.run.info.run_id, state.run);
  });
});
