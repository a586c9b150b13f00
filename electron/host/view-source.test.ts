import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HostEvent } from "../protocol.ts";
import type { StoreChange } from "../tracking/contract.ts";
import { invokeTracking } from "../tracking/calls.ts";
import { writeArtifact } from "../tracking/client/index.ts";
import { startTestServer, type TestServer } from "../tracking/rest/test-harness.ts";
import { SqliteStore } from "../tracking/store/index.ts";
import type { Page, Run } from "../tracking/types.ts";
import { createViewSources, readableError, type ViewSources } from "./view-source.ts";

/** A connection's events, with a way to wait for one. */
function inbox() {
  const events: HostEvent[] = [];
  const waiters: { match: (e: HostEvent) => boolean; done: (e: HostEvent) => void }[] = [];
  return {
    events,
    push(e: HostEvent) {
      events.push(e);
      for (const w of waiters.splice(0)) (w.match(e) ? w.done(e) : waiters.push(w));
    },
    next(match: (e: HostEvent) => boolean, ms = 10_000): Promise<HostEvent> {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`no matching event in ${ms} ms; got ${events.map((e) => e.type).join(", ")}`)), ms);
        waiters.push({ match, done: (e) => (clearTimeout(timer), done(e)) });
      });
    },
  };
}

const changeOf = (e: HostEvent): StoreChange | undefined => (e.type === "view-changed" ? e.change : undefined);

/** A web server that is not MLflow: answers every request with `status` and an HTML page, as Flask does. */
async function htmlServer(status: number): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const body =
      req.url === "/version"
        ? "2.12.2"
        : `<!doctype html>\n<html lang=en>\n<title>${status} Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error.</p>\n`;
    res.writeHead(req.url === "/version" ? 200 : status, { "Content-Type": req.url === "/version" ? "text/plain" : "text/html" });
    res.end(body);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

describe("view sources", () => {
  let dir: string;
  let local: SqliteStore;
  let remote: TestServer;
  let views: ViewSources<object>;
  const a = { name: "connection a" };
  const b = { name: "connection b" };
  const inboxes = new Map<object, ReturnType<typeof inbox>>([[a, inbox()], [b, inbox()]]);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "flowbook-views-"));
    local = await SqliteStore.open({ path: join(dir, "local.db"), defaultArtifactRoot: `file://${dir}/art` });
    await local.createExperiment("local-exp");
    remote = await startTestServer();
    await remote.store.createExperiment("remote-exp");
    views = createViewSources<object>({
      local: (call) => invokeTracking(local, call),
      send: (key, event) => inboxes.get(key)!.push(event),
      refreshMs: 100,
    });
  });

  after(async () => {
    views.close();
    await remote.close();
    await local.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const names = async (key: object) =>
    ((await views.call(key, { method: "searchExperiments", args: [{ max_results: 100 }] })) as Page<{ name: string }>).items.map((e) => e.name).sort();

  test("a connection reads the app's store until it connects elsewhere, and only its own calls move", async () => {
    assert.deepEqual(await names(a), ["Default", "local-exp"]);
    const info = await views.set(a, { kind: "remote", url: `${remote.url}/` });
    assert.equal(info.kind, "remote");
    assert.ok(info.kind === "remote" && info.url === remote.url && /^\d+\.\d+/.test(info.version) && info.refreshMs === 100);
    assert.ok(info.kind === "remote" && /^\/view-source\/[\w-]{16,}$/.test(info.artifactBase));
    assert.deepEqual(await names(a), ["Default", "remote-exp"]);
    assert.deepEqual(await names(b), ["Default", "local-exp"]);
    assert.deepEqual(await views.set(a, { kind: "local" }), { kind: "local" });
    assert.deepEqual(await names(a), ["Default", "local-exp"]);
  });

  test("an unreachable or non-MLflow server is refused with a readable reason, keeping the old source", async () => {
    const info = await views.set(b, { kind: "remote", url: remote.url });
    await remote.store.createExperiment("b-sees-this");
    const closed = await htmlServer(500);
    const deadUrl = closed.url;
    await new Promise((ok) => closed.server.close(ok));
    await assert.rejects(views.set(b, { kind: "remote", url: deadUrl }), /Cannot reach the tracking server at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    assert.ok((await names(b)).includes("b-sees-this"), "still on the remote");
    const broken = await htmlServer(500);
    try {
      // Like MLflow's own server with a Python dependency missing: /version works, the API does not.
      await assert.rejects(views.test(broken.url), (err: Error) => {
        assert.match(err.message, /version 2\.12\.2\) answered, but its tracking API failed: HTTP 500: 500 Internal Server Error\. Internal Server Error The server encountered/);
        assert.doesNotMatch(err.message, /<|>/);
        return true;
      });
    } finally {
      broken.server.close();
    }
    await assert.rejects(views.test("ftp://x"), /expected an http:\/\/ or https:\/\/ URL/);
    assert.deepEqual(await views.test(remote.url), { url: remote.url, version: (info.kind === "remote" && info.version) || "" });
    views.drop(b);
    assert.deepEqual(await names(b), ["Default", "local-exp"]);
  });

  test("a remote is re-read on a timer: new points, finished and new runs, experiments and models arrive as changes", async () => {
    const exp = await remote.store.createExperiment("live");
    const run = await remote.store.createRun({ experiment_id: exp, start_time: Date.now() });
    const id = run.info.run_id;
    await remote.store.logBatch({ run_id: id, metrics: [0, 1, 2].map((step) => ({ key: "loss", value: 1 / (step + 1), step, timestamp: 1000 + step })) });
    await views.set(a, { kind: "remote", url: remote.url });
    const box = inboxes.get(a)!;
    box.events.length = 0;
    // The views read the experiment (as the runs table does): the watcher learns what to re-read.
    const page = (await views.call(a, { method: "searchRuns", args: [{ experiment_ids: [exp] }] })) as Page<Run>;
    assert.equal(page.items[0].data.metrics[0].step, 2);

    await remote.store.logBatch({ run_id: id, metrics: [3, 4].map((step) => ({ key: "loss", value: step, step, timestamp: 1000 + step })) });
    const pts = await box.next((e) => changeOf(e)?.type === "metrics");
    const metrics = changeOf(pts);
    assert.ok(metrics?.type === "metrics");
    assert.deepEqual(metrics.metrics.map((m) => [m.key, m.step, m.value]), [["loss", 3, 3], ["loss", 4, 4]]);
    assert.equal(metrics.run_id, id);
    assert.equal(metrics.experiment_id, exp);

    await remote.store.updateRun({ run_id: id, status: "FINISHED", end_time: Date.now() });
    await box.next((e) => { const c = changeOf(e); return c?.type === "run" && c.run_id === id; });
    const second = await remote.store.createRun({ experiment_id: exp, start_time: Date.now() });
    await box.next((e) => { const c = changeOf(e); return c?.type === "run" && c.run_id === second.info.run_id; });
    // The views open the registry; the tick that reports the rename has read the registry before it.
    await views.call(a, { method: "searchRegisteredModels", args: [{}] });
    await remote.store.renameExperiment(exp, "live-renamed");
    await box.next((e) => { const c = changeOf(e); return c?.type === "experiment" && c.experiment_id === exp; });
    await remote.store.createRegisteredModel("remote-model");
    await box.next((e) => { const c = changeOf(e); return c?.type === "registry" && c.name === "remote-model"; });
    // Points already sent are not sent again.
    const sent = box.events.flatMap((e) => { const c = changeOf(e); return c?.type === "metrics" ? c.metrics.map((m) => m.step) : []; });
    assert.deepEqual(sent, [3, 4]);
  });

  test("remote errors reach the views readable, and a failing refresh is reported once", async () => {
    const broken = await htmlServer(500);
    const key = { name: "connection c" };
    const box = inbox();
    const own = createViewSources<object>({ local: () => Promise.resolve(null), send: (_k, e) => box.push(e), refreshMs: 50 });
    try {
      await own.set(key, { kind: "remote", url: remote.url });
      await assert.rejects(own.call(key, { method: "getRun", args: ["no-such-run"] }), (err: Error & { code?: string }) => {
        assert.equal(err.code, "RESOURCE_DOES_NOT_EXIST");
        assert.match(err.message, /no-such-run/);
        return true;
      });
      await remote.close();
      const status = await box.next((e) => e.type === "view-source-status");
      assert.ok(status.type === "view-source-status" && status.error && /Cannot reach the tracking server/.test(status.error.message));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(box.events.filter((e) => e.type === "view-source-status").length, 1);
    } finally {
      own.close();
      broken.server.close();
      remote = await startTestServer();
    }
  });

  test("reduces HTML error pages to their words", () => {
    assert.equal(readableError("HTTP 404: <html><title>404 Not Found</title><h1>Not Found</h1><p>Nope.</p></html>"), "HTTP 404: 404 Not Found. Not Found Nope.");
    assert.equal(readableError("plain < text > stays"), "plain < text > stays");
    assert.ok(readableError("x".repeat(1000)).length <= 401);
  });
});

describe("artifact proxy", () => {
  let remote: TestServer;
  let proxy: Server;
  let base: string;
  let artifactBase: string;
  let runId: string;
  const key = {};
  const views = createViewSources<object>({ local: () => Promise.resolve(null), send: () => undefined, refreshMs: 60_000 });

  before(async () => {
    remote = await startTestServer();
    const exp = await remote.store.createExperiment("arts");
    const run = await remote.store.createRun({ experiment_id: exp, start_time: Date.now() });
    runId = run.info.run_id;
    await writeArtifact(run.info.artifact_uri, "notes/hello.txt", "hello from the remote", { trackingUrl: remote.url });
    const info = await views.set(key, { kind: "remote", url: remote.url });
    artifactBase = info.kind === "remote" ? info.artifactBase : "";
    proxy = createServer((req, res) => views.proxy(req, res));
    await new Promise<void>((ok) => proxy.listen(0, "127.0.0.1", ok));
    base = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
  });

  after(async () => {
    views.close();
    proxy.closeAllConnections();
    await new Promise((ok) => proxy.close(ok));
    await remote.close();
  });

  test("lists and streams a remote run's artifacts, served so they never run as a page", async () => {
    const list = await fetch(`${base}${artifactBase}/api/2.0/mlflow/artifacts/list?run_id=${runId}&path=notes`);
    assert.equal(list.status, 200);
    assert.deepEqual(((await list.json()) as { files: { path: string }[] }).files.map((f) => f.path), ["notes/hello.txt"]);
    const file = await fetch(`${base}${artifactBase}/get-artifact?run_uuid=${runId}&path=notes/hello.txt`);
    assert.equal(file.status, 200);
    assert.equal(await file.text(), "hello from the remote");
    assert.equal(file.headers.get("content-security-policy"), "sandbox");
    assert.equal(file.headers.get("x-content-type-options"), "nosniff");
  });

  test("passes the remote's errors on as MLflow JSON and refuses anything but its read-only artifact routes", async () => {
    const missing = await fetch(`${base}${artifactBase}/get-artifact?run_uuid=${runId}&path=nope.txt`);
    assert.equal(missing.status, 404);
    assert.match(((await missing.json()) as { message: string }).message, /nope\.txt/);
    for (const path of [`${artifactBase}/api/2.0/mlflow/runs/delete`, `${artifactBase}/../get-artifact`, "/view-source/unknown-id/get-artifact"]) {
      const res = await fetch(`${base}${path}?run_uuid=${runId}&path=x`);
      assert.equal(res.status, 404, path);
      assert.ok(((await res.json()) as { error_code: string }).error_code, path);
    }
    const post = await fetch(`${base}${artifactBase}/get-artifact`, { method: "POST" });
    assert.equal(post.status, 405);
  });

  test("a dropped connection's proxy is gone", async () => {
    views.drop(key);
    const res = await fetch(`${base}${artifactBase}/get-artifact?run_uuid=${runId}&path=notes/hello.txt`);
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as { message: string }).message, /no longer connected/);
  });
});
