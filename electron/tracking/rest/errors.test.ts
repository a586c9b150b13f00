/**
 * Bad input on every route becomes MLflow's JSON error with a 4xx status, never a 5xx: missing and
 * mistyped fields (derived from each route's field spec), unknown ids, oversize values, bad filters,
 * traversal paths, foreign Host/Origin, malformed JSON, huge bodies, unknown endpoints.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { experimentRoutes } from "./routes-experiments.ts";
import { registryRoutes } from "./routes-registry.ts";
import { runRoutes } from "./routes-runs.ts";
import { artifactRoutes } from "./routes-artifacts.ts";
import { forEachBackend } from "../store/test-support.ts";
import { rawRequest, startTestServer, type RawResponse, type TestServer } from "./test-harness.ts";
import { MAX_JSON_BODY } from "./http-server.ts";

forEachBackend(({ open }) => {
  let srv: TestServer;
  let runId = "";
  before(async () => {
    srv = await startTestServer({ open });
    const exp = (await srv.call("POST", "experiments/create", { name: "errors" })).json.experiment_id;
    runId = (await srv.call("POST", "runs/create", { experiment_id: exp })).json.run.info.run_id;
    await srv.call("POST", "registered-models/create", { name: "em" });
  });
  after(async () => {
    assert.deepEqual(srv.errors, [], "the server logged unexpected exceptions");
    await srv.close();
  });

  const routes = [...experimentRoutes, ...runRoutes, ...registryRoutes, ...artifactRoutes];

  function assertMlflowError(res: RawResponse, status: number, code: string, message?: RegExp): void {
    assert.equal(res.status, status, res.text);
    assert.equal(res.json?.error_code, code, `${res.status} ${res.text}`);
    assert.equal(typeof res.json.message, "string");
    if (message) assert.match(res.json.message, message);
  }

  // A plausible value for each field type, so that only the field under test is wrong.
  function sample(spec: string): unknown {
    const base = spec.replace(/!$/, "");
    return {
      string: "x",
      int: 1,
      bool: true,
      double: 1.5,
      strings: ["x"],
      tags: [],
      metrics: [],
      datasets: [],
      view: "ALL",
      status: "RUNNING",
    }[base];
  }

  test("every required field, when missing, is INVALID_PARAMETER_VALUE naming it", async () => {
    for (const route of routes) {
      for (const [field, spec] of Object.entries(route.fields)) {
        if (!spec.endsWith("!")) continue;
        const args = Object.fromEntries(Object.entries(route.fields).filter(([f]) => f !== field).map(([f, s]) => [f, sample(s)]));
        for (const method of route.methods) {
          const res = await srv.call(method, route.path, args);
          assert.equal(res.status, 400, `${method} ${route.path} without ${field}: ${res.text}`);
          assertMlflowError(res, 400, "INVALID_PARAMETER_VALUE", new RegExp(`Missing value for required parameter '${field}'`));
        }
      }
    }
  });

  test("every field of a JSON route rejects a value of the wrong type", async () => {
    for (const route of routes) {
      const method = route.methods.find((m) => m !== "GET");
      if (!method) continue;
      for (const [field, spec] of Object.entries(route.fields)) {
        const args: Record<string, unknown> = Object.fromEntries(Object.entries(route.fields).map(([f, s]) => [f, sample(s)]));
        args[field] = spec.startsWith("string") && !spec.startsWith("strings") ? 12 : { nested: true };
        const res = await srv.call(method, route.path, args);
        assertMlflowError(res, 400, "INVALID_PARAMETER_VALUE", new RegExp(`parameter '${field}`));
      }
    }
  });

  test("junk bodies and queries on every route never produce a 5xx", async () => {
    const junk: unknown[] = [[], "x", 7, null, { run_id: [1] }, { name: { a: 1 } }, { experiment_ids: "0" }, { metrics: [{}] }, { tags: [1] }];
    for (const route of routes) {
      for (const method of route.methods) {
        if (method === "GET") {
          const res = await rawRequest(srv.url, "GET", `/api/2.0/mlflow/${route.path}?run_id=&name=%00&max_results=abc&run_ids=x&metric_key=`);
          assert.ok(res.status >= 400 && res.status < 500, `${route.path}: ${res.status} ${res.text}`);
          assert.equal(typeof res.json.error_code, "string");
          continue;
        }
        for (const body of junk) {
          const res = await rawRequest(srv.url, method, `/api/2.0/mlflow/${route.path}`, { body: JSON.stringify(body) });
          assert.ok(res.status < 500, `${method} ${route.path} ${JSON.stringify(body)}: ${res.status} ${res.text}`);
          if (res.status !== 200) assert.equal(typeof res.json?.error_code, "string", `${method} ${route.path}: ${res.text}`);
        }
      }
    }
  });

  test("unknown ids are RESOURCE_DOES_NOT_EXIST (404)", async () => {
    assertMlflowError(await srv.call("GET", "experiments/get", { experiment_id: "424242" }), 404, "RESOURCE_DOES_NOT_EXIST");
    assertMlflowError(await srv.call("GET", "experiments/get-by-name", { experiment_name: "nope" }), 404, "RESOURCE_DOES_NOT_EXIST", /Could not find experiment with name 'nope'/);
    assertMlflowError(await srv.call("GET", "runs/get", { run_id: "0123456789abcdef" }), 404, "RESOURCE_DOES_NOT_EXIST");
    assertMlflowError(await srv.call("POST", "runs/log-metric", { run_id: "0123456789abcdef", key: "a", value: 1, timestamp: 1 }), 404, "RESOURCE_DOES_NOT_EXIST");
    assertMlflowError(await srv.call("GET", "registered-models/get", { name: "nope" }), 404, "RESOURCE_DOES_NOT_EXIST");
    assertMlflowError(await srv.call("GET", "model-versions/get", { name: "em", version: "9" }), 404, "RESOURCE_DOES_NOT_EXIST");
    assertMlflowError(await srv.call("GET", "artifacts/list", { run_id: "0123456789abcdef" }), 404, "RESOURCE_DOES_NOT_EXIST");
  });

  test("values past MLflow's limits and changed params are INVALID_PARAMETER_VALUE", async () => {
    assertMlflowError(await srv.call("POST", "runs/log-parameter", { run_id: runId, key: "big", value: "x".repeat(6001) }), 400, "INVALID_PARAMETER_VALUE");
    assertMlflowError(await srv.call("POST", "runs/set-tag", { run_id: runId, key: "k".repeat(251), value: "v" }), 400, "INVALID_PARAMETER_VALUE");
    const metrics = Array.from({ length: 1001 }, (_, i) => ({ key: "m", value: i, timestamp: 1, step: i }));
    assertMlflowError(await srv.call("POST", "runs/log-batch", { run_id: runId, metrics }), 400, "INVALID_PARAMETER_VALUE");
    await srv.call("POST", "runs/log-parameter", { run_id: runId, key: "p", value: "1" });
    assertMlflowError(await srv.call("POST", "runs/log-parameter", { run_id: runId, key: "p", value: "2" }), 400, "INVALID_PARAMETER_VALUE", /Changing param values is not allowed/);
    assertMlflowError(await srv.call("POST", "runs/search", { experiment_ids: ["0"], max_results: 50001 }), 400, "INVALID_PARAMETER_VALUE");
    assertMlflowError(await srv.call("GET", "registered-models/search", { max_results: 1001 }), 400, "INVALID_PARAMETER_VALUE");
    assertMlflowError(await srv.call("GET", "metrics/get-history-bulk-interval", { run_ids: [runId], metric_key: "m", max_results: 0 }), 400, "INVALID_PARAMETER_VALUE");
    assertMlflowError(await srv.call("GET", "metrics/get-history-bulk-interval", { run_ids: [runId], metric_key: "m", start_step: 5 }), 400, "INVALID_PARAMETER_VALUE");
    assertMlflowError(await srv.call("POST", "registered-models/create", { name: "em" }), 400, "RESOURCE_ALREADY_EXISTS");
  });

  test("bad filters and order_by clauses are INVALID_PARAMETER_VALUE", async () => {
    for (const filter of ["metrics.acc >> 1", "metrics.acc > 'x'", "params.p > 1", "foo.bar = 1", "metrics.a = 1 OR metrics.b = 2"]) {
      assertMlflowError(await srv.call("POST", "runs/search", { experiment_ids: ["0"], filter }), 400, "INVALID_PARAMETER_VALUE");
    }
    assertMlflowError(await srv.call("POST", "runs/search", { experiment_ids: ["0"], order_by: ["metrics.a SIDEWAYS"] }), 400, "INVALID_PARAMETER_VALUE");
    assertMlflowError(await srv.call("POST", "runs/search", { experiment_ids: ["0"], page_token: "garbage" }), 400, "INVALID_PARAMETER_VALUE");
    assertMlflowError(await srv.call("GET", "model-versions/search", { filter: "nonsense ~ 1" }), 400, "INVALID_PARAMETER_VALUE");
  });

  test("traversal paths are refused on every artifact route", async () => {
    const proxy = "/api/2.0/mlflow-artifacts/artifacts";
    for (const path of ["%2e%2e/%2e%2e/etc/passwd", "a/%2e%2e/%2e%2e/%2e%2e/x", "..%2f..%2fx", "%2fetc%2fpasswd"]) {
      for (const method of ["GET", "PUT", "DELETE"]) {
        const res = await rawRequest(srv.url, method, `${proxy}/${path}`, method === "PUT" ? { body: "x" } : {});
        assertMlflowError(res, 400, "INVALID_PARAMETER_VALUE");
      }
    }
    assertMlflowError(await rawRequest(srv.url, "GET", `${proxy}?path=../x`), 400, "INVALID_PARAMETER_VALUE");
    assertMlflowError(await srv.call("GET", "artifacts/list", { run_id: runId, path: "../../x" }), 400, "INVALID_PARAMETER_VALUE");
    assertMlflowError(await rawRequest(srv.url, "GET", `/get-artifact?path=../../etc/passwd&run_uuid=${runId}`), 400, "INVALID_PARAMETER_VALUE");
    assertMlflowError(await srv.call("POST", "model-versions/create", { name: "em", source: "mlflow-artifacts:/0/../../../etc" }), 400, "INVALID_PARAMETER_VALUE");
    assertMlflowError(await srv.call("POST", "model-versions/create", { name: "em", source: "/etc/passwd" }), 400, "INVALID_PARAMETER_VALUE");
  });

  test("foreign Host and Origin headers are refused with 403 (DNS rebinding)", async () => {
    const port = new URL(srv.url).port;
    const path = "/api/2.0/mlflow/experiments/search";
    assertMlflowError(await rawRequest(srv.url, "GET", path, { headers: { Host: `evil.example:${port}` } }), 403, "PERMISSION_DENIED");
    assertMlflowError(await rawRequest(srv.url, "GET", path, { headers: { Host: "localhost:1" } }), 403, "PERMISSION_DENIED");
    assertMlflowError(await rawRequest(srv.url, "GET", path, { headers: { Origin: "http://evil.example" } }), 403, "PERMISSION_DENIED");
    assertMlflowError(await rawRequest(srv.url, "GET", "/health", { headers: { Host: `evil.example:${port}` } }), 403, "PERMISSION_DENIED");
    const same = await rawRequest(srv.url, "GET", path, { headers: { Host: `localhost:${port}`, Origin: `http://localhost:${port}` } });
    assert.equal(same.status, 200);
  });

  test("malformed JSON is BAD_REQUEST; a huge body is refused and the server keeps serving", async () => {
    assertMlflowError(await rawRequest(srv.url, "POST", "/api/2.0/mlflow/runs/create", { body: "{not json" }), 400, "BAD_REQUEST");
    const huge = JSON.stringify({ run_id: runId, params: [{ key: "a", value: "x".repeat(MAX_JSON_BODY) }] });
    assertMlflowError(await rawRequest(srv.url, "POST", "/api/2.0/mlflow/runs/log-batch", { body: huge }), 400, "INVALID_PARAMETER_VALUE", /too large/);
    assert.equal((await rawRequest(srv.url, "GET", "/health")).text, "OK");
  });

  test("unknown endpoints and wrong methods are ENDPOINT_NOT_FOUND (404)", async () => {
    assertMlflowError(await rawRequest(srv.url, "GET", "/api/2.0/mlflow/nope"), 404, "ENDPOINT_NOT_FOUND");
    assertMlflowError(await rawRequest(srv.url, "GET", "/api/2.0/mlflow/runs/log-metric"), 404, "ENDPOINT_NOT_FOUND");
    assertMlflowError(await rawRequest(srv.url, "POST", "/health"), 404, "ENDPOINT_NOT_FOUND");
    assertMlflowError(await rawRequest(srv.url, "GET", "/api/2.0/mlflow-artifacts/nope"), 404, "ENDPOINT_NOT_FOUND");
    assertMlflowError(await rawRequest(srv.url, "GET", "/somewhere/else"), 404, "ENDPOINT_NOT_FOUND");
  });
});
