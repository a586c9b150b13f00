/**
 * The Tracking tab's view source against MLflow's own server (2.12.2, the vendored tarball run
 * with Debian's python3 packages, as test/python-compat.test.ts does; see `realMlflow`).
 * "Test connection" must read its version and, when its API fails, say why in words; when its API
 * works, the calls the views make (experiments, runs, a chart's sampled history, the registry,
 * artifact listing and download through the host's proxy, re-reads for live points) must work too.
 * Skipped, saying why, where MLflow cannot start or cannot answer API calls.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HostEvent } from "../electron/protocol.ts";
import { HttpStore, writeArtifact } from "../electron/tracking/client/index.ts";
import type { TrackingArgs, TrackingInvocation, TrackingMethod, TrackingResult } from "../electron/tracking/contract.ts";
import { createViewSources } from "../electron/host/view-source.ts";
import { realMlflow, startMlflowServer } from "../electron/tracking/rest/test-mlflow.ts";
import { freePort } from "./free-port.ts";

const mlflow = realMlflow("import mlflow.server, gunicorn");


test("the views' source works against MLflow's own server", { skip: "skip" in mlflow ? mlflow.skip : false, timeout: 180_000 }, async (t) => {
  if ("skip" in mlflow) return;
  const dir = mkdtempSync(join(tmpdir(), "flowbook-mlflow-"));
  // A server that never starts leaves no folder behind either.
  const server = await startMlflowServer(mlflow, dir, await freePort()).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const url = server.url;
  const events: HostEvent[] = [];
  const key = {};
  const views = createViewSources<object>({ local: () => Promise.reject(new Error("not used")), send: (_k, e) => events.push(e), refreshMs: 500 });
  try {
    let tested: { url: string; version: string };
    try {
      tested = await views.test(url);
    } catch (err) {
      const message = (err as Error).message;
      assert.match(message, /\(version 2\.12\.2\) answered, but its tracking API failed: /);
      assert.doesNotMatch(message, /<[a-z!/]/i, "an HTML error page is reduced to its words");
      const cause = /No module named '[^']+'/.exec(server.log())?.[0];
      t.skip(`MLflow 2.12.2's server starts and reports its version, but cannot answer API calls here${cause ? ` (${cause})` : ""}: ${message}`);
      return;
    }
    assert.deepEqual(tested, { url, version: "2.12.2" });

    // Seed as a Python or TS client of that server would.
    const client = new HttpStore(url);
    const exp = await client.createExperiment("views-contract");
    const run = await client.createRun({ experiment_id: exp, start_time: Date.now(), run_name: "r1" });
    const id = run.info.run_id;
    await client.logBatch({ run_id: id, params: [{ key: "lr", value: "0.1" }], metrics: [0, 1, 2].map((step) => ({ key: "loss", value: 1 / (step + 1), step, timestamp: Date.now() })) });
    await writeArtifact(run.info.artifact_uri, "notes.txt", "hello from MLflow", { trackingUrl: url });

    const info = await views.set(key, { kind: "remote", url });
    assert.equal(info.kind, "remote");
    const call = <M extends TrackingMethod>(method: M, ...args: TrackingArgs<M>) =>
      views.call(key, { method, args } as TrackingInvocation) as Promise<TrackingResult<M>>;
    const exps = await call("searchExperiments", { view_type: "ACTIVE_ONLY", filter: "name ILIKE '%contract%'", max_results: 1000, order_by: ["name ASC"] });
    assert.deepEqual(exps.items.map((e) => e.name), ["views-contract"]);
    const runs = await call("searchRuns", { experiment_ids: [exp], run_view_type: "ACTIVE_ONLY", max_results: 100, order_by: ["attributes.start_time DESC"] });
    assert.deepEqual(runs.items.map((r) => r.info.run_id), [id]);
    assert.equal((await call("getRun", id)).data.params[0].value, "0.1");
    const history = await call("getMetricHistoryBulkInterval", { run_ids: [id], metric_key: "loss", max_results: 600 });
    assert.deepEqual(history.map((p) => p.step), [0, 1, 2]);
    await call("searchRegisteredModels", { max_results: 100 });

    // A point logged now arrives as a change from the re-reads.
    await client.logMetric(id, { key: "loss", value: 0.2, step: 3, timestamp: Date.now() });
    const deadlineLive = Date.now() + 15_000;
    while (!events.some((e) => e.type === "view-changed" && e.change.type === "metrics" && e.change.metrics.some((m) => m.step === 3))) {
      if (Date.now() > deadlineLive) assert.fail(`no metrics change for step 3; got ${JSON.stringify(events)}`);
      await new Promise((r) => setTimeout(r, 200));
    }

    // Artifacts through the proxy, as the page loads them.
    const proxy = createHttpServer((req, res) => views.proxy(req, res));
    await new Promise<void>((ok) => proxy.listen(0, "127.0.0.1", ok));
    try {
      const base = `http://127.0.0.1:${(proxy.address() as { port: number }).port}${info.kind === "remote" ? info.artifactBase : ""}`;
      const list = (await (await fetch(`${base}/api/2.0/mlflow/artifacts/list?run_id=${id}`)).json()) as { files: { path: string }[] };
      assert.deepEqual(list.files.map((f) => f.path), ["notes.txt"]);
      assert.equal(await (await fetch(`${base}/get-artifact?run_uuid=${id}&path=notes.txt`)).text(), "hello from MLflow");
    } finally {
      proxy.close();
    }
  } finally {
    views.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
