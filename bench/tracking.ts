/**
 * Tracking throughput and latency, on SQLite (the app's store) and on PostgreSQL (a team server's,
 * on a throwaway cluster; skipped with the install command where it is absent), each engine beside
 * raw inserts of the same metric rows on that engine measured in the same run: HTTP log-metric
 * calls (and the server's CPU per keep-alive request beside the in-process store call and beside
 * bare socket servers, the machine's floor), HTTP log-batch, search-runs over 100,000 runs, a
 * 100,000-step metric history, in-process fluent logging and a chart's min/max sample of a
 * 1,000,000-point history. On PostgreSQL also: 8
 * keep-alive loggers against `flowbook server --workers 2` beside one worker, and metric→pixel
 * latency when another process (a `flowbook server` on the same database) is the one logging.
 * And a Python script's log_metric against `flowbook server` beside MLflow's own server.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../e2e/free-port.ts";
import { launchBrowser, startApp } from "../e2e/harness.ts";
import { runServerProcess } from "../electron/cli/test-server-process.ts";
import { createMlflow, HttpStore } from "../electron/tracking/client/index.ts";
import { createTrackingServer } from "../electron/tracking/rest/index.ts";
import { realMlflow, startMlflowServer } from "../electron/tracking/rest/test-mlflow.ts";
import type { Metric, TrackingStore } from "../electron/tracking/types.ts";
import type { BenchRow } from "./index.ts";
import { metricToPixelP95, openRunCharts, openTracking } from "./support/live-chart.ts";
import { median } from "./support/stats.ts";
import { postgresEngine, sqliteEngine, type Engine } from "./support/tracking-engines.ts";

/**
 * A keep-alive HTTP client in its own process, so that the bench process's CPU time is the
 * server's alone: `n` sequential log-metric requests on one connection, each sent when the last
 * answer is in. Plain JavaScript for `node -e`; argv: port, run id, n, first step.
 */
const KEEP_ALIVE_CLIENT = `
const net = require("node:net");
const [port, runId, n, first] = [Number(process.argv[1]), process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const socket = net.connect(port, "127.0.0.1");
let done = 0, buf = "";
const send = () => {
  const step = first + done;
  const body = JSON.stringify({ run_id: runId, key: "k", value: step / 2, timestamp: 1700000000000 + step, step });
  socket.write("POST /api/2.0/mlflow/runs/log-metric HTTP/1.1\\r\\nHost: 127.0.0.1:" + port +
    "\\r\\nContent-Type: application/json\\r\\nContent-Length: " + Buffer.byteLength(body) + "\\r\\n\\r\\n" + body);
};
socket.on("data", (d) => {
  buf += d;
  for (;;) {
    const end = buf.indexOf("\\r\\n\\r\\n");
    if (end < 0) return;
    const head = buf.slice(0, end);
    const length = Number(/content-length: (\\d+)/i.exec(head)[1]);
    if (buf.length < end + 4 + length) return;
    if (!head.startsWith("HTTP/1.1 200")) { console.error(head); process.exit(1); }
    buf = buf.slice(end + 4 + length);
    if (++done === n) return void socket.end();
    send();
  }
});
socket.on("connect", send);
socket.on("close", () => process.exit(done === n ? 0 : 1));
`;

/** Runs the keep-alive client to completion. */
function keepAliveClient(port: number, runId: string, n: number, first: number): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, ["-e", KEEP_ALIVE_CLIENT, String(port), runId, String(n), String(first)], { stdio: ["ignore", "ignore", "inherit"] });
    child.on("error", fail);
    child.on("exit", (code) => (code === 0 ? ok() : fail(new Error(`keep-alive client exited with ${code}`))));
  });
}

/**
 * The least any server does for a log-metric request: a bare socket server that reads each request
 * (up to its Content-Length body) and writes a fixed JSON reply, with no HTTP library. With
 * `store`, it first makes the request's `store.logMetric` (the body read with JSON.parse, nothing
 * checked): the same store call as the server's, at the pace requests come, not in a hot loop.
 */
async function bareServer(store?: TrackingStore): Promise<{ port: number; close(): void }> {
  const reply = Buffer.from("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
  const server = createNetServer((socket) => {
    let buf = "";
    socket.on("data", (chunk) => {
      buf += chunk;
      for (;;) {
        const end = buf.indexOf("\r\n\r\n");
        const length = end < 0 ? 0 : Number(/content-length: (\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
        if (end < 0 || buf.length < end + 4 + length) return;
        const body = buf.slice(end + 4, end + 4 + length);
        buf = buf.slice(end + 4 + length);
        if (!store) {
          socket.write(reply);
          continue;
        }
        const m = JSON.parse(body) as Metric & { run_id: string };
        void store.logMetric(m.run_id, { key: m.key, value: m.value, timestamp: m.timestamp, step: m.step }).then(() => socket.write(reply));
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return { port: (server.address() as { port: number }).port, close: () => server.close() };
}

/** The CPU a {@link bareServer} spends per keep-alive request: the machine's floor for any server. */
async function bareServerCpu(store?: TrackingStore, runId = "floor"): Promise<number> {
  const { port, close } = await bareServer(store);
  try {
    await keepAliveClient(port, runId, 5000, 0);
    return await cpuPer(5000, () => keepAliveClient(port, runId, 5000, 5000));
  } finally {
    close();
  }
}

/** CPU time (user + system, µs) this process spends in `fn`, per `n`. */
async function cpuPer(n: number, fn: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}


/** The rows every engine gets, each name prefixed with the engine. */
async function engineRows(engine: Engine, dir: string): Promise<BenchRow[]> {
  const { store, label } = engine;
  const { server } = createTrackingServer({ store, artifactsDestination: join(dir, `${label}-mlartifacts`), serveArtifacts: true, log: () => {} });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const http = new HttpStore(url);
  const rows: BenchRow[] = [];
  const row = (r: BenchRow) => rows.push({ ...r, name: r.name.startsWith("  ") ? r.name : `${label}: ${r.name}` });
  try {
    const raw = await engine.rawInsertRates();
    const exp = await store.createExperiment("bench");

    // 1. single log-metric calls over HTTP
    const r1 = (await http.createRun({ experiment_id: exp })).info.run_id;
    let t = performance.now();
    for (let i = 0; i < 2000; i++) await http.logMetric(r1, { key: "m", value: i, timestamp: i, step: i });
    const single = 2000 / ((performance.now() - t) / 1000);
    row({ name: "HTTP log-metric (2,000 calls)", value: single, unit: "calls/s", baseline: raw.single, baselineUnit: "rows/s raw autocommit" });

    // 1b. keep-alive log-metric from another process: its rate beside raw single-row inserts, and
    // the server's CPU per request (this process's alone) beside the same store call made in-process
    const port = Number(new URL(url).port);
    const rk = (await store.createRun({ experiment_id: exp })).info.run_id;
    // A warm-up long enough for the store's steady state under a logger (its WAL checkpoint cycle).
    await keepAliveClient(port, rk, 5000, 0);
    t = performance.now();
    const serverCpu = await cpuPer(5000, () => keepAliveClient(port, rk, 5000, 5000));
    const keepAlive = 5000 / ((performance.now() - t) / 1000);
    row({ name: "HTTP log-metric, keep-alive (5,000 calls)", value: keepAlive, unit: "calls/s", baseline: raw.single, baselineUnit: "rows/s raw autocommit" });
    const rs = (await store.createRun({ experiment_id: exp })).info.run_id;
    for (let i = 0; i < 1000; i++) await store.logMetric(rs, { key: "k", value: i / 2, timestamp: 1700000000000 + i, step: i });
    const storeCpu = await cpuPer(5000, async () => {
      for (let i = 1000; i < 6000; i++) await store.logMetric(rs, { key: "k", value: i / 2, timestamp: 1700000000000 + i, step: i });
    });
    row({
      name: "  same: server CPU per request (Node)",
      value: serverCpu,
      unit: "µs",
      baseline: storeCpu,
      baselineUnit: "µs in-process store.logMetric",
      target: "≤ 2× in-process",
      ok: serverCpu <= 2 * storeCpu,
    });
    // Why that target is out of reach here: the sockets alone cost about as much as the store call,
    // and the store call made once a request costs more than in a hot loop (cold caches).
    row({ name: "  floor: a bare socket server's CPU per request (fixed reply, no HTTP parsing, no store)", value: await bareServerCpu(), unit: "µs", baseline: storeCpu, baselineUnit: "µs in-process store.logMetric" });
    const rf = (await store.createRun({ experiment_id: exp })).info.run_id;
    row({ name: "  floor with the store call: the same bare server making each request's store.logMetric", value: await bareServerCpu(store, rf), unit: "µs", baseline: storeCpu, baselineUnit: "µs in-process store.logMetric" });

    // 2. log-batch over HTTP, 50 × 1,000
    const r2 = (await http.createRun({ experiment_id: exp })).info.run_id;
    const batches: Metric[][] = Array.from({ length: 50 }, (_, b) =>
      Array.from({ length: 1000 }, (_, i) => ({ key: "m", value: Math.random(), timestamp: b * 1000 + i, step: b * 1000 + i })),
    );
    t = performance.now();
    for (const metrics of batches) await http.logBatch({ run_id: r2, metrics });
    const batched = 50_000 / ((performance.now() - t) / 1000);
    row({ name: "HTTP log-batch (50 × 1,000)", value: batched, unit: "metrics/s", baseline: raw.batched, baselineUnit: "rows/s raw 1,000-row inserts", target: "≥ 50% of raw", ok: batched >= raw.batched / 2 });

    // 3. search-runs over 100,000 runs × 5 params × 5 metrics, first page of 100
    const searchExp = await store.createExperiment("search");
    t = performance.now();
    await engine.populateRuns(searchExp, 100_000);
    const populate = performance.now() - t;
    // Let both sides' keep-alive timers run so the next request does not race a closing idle socket.
    await new Promise((r) => setTimeout(r, 100));
    const searches: [string, { filter: string; order_by?: string[] }, boolean][] = [
      ["metric filter + order_by", { filter: "metrics.m0 > 0.5", order_by: ["metrics.m1 DESC"] }, true],
      ["metric + param filter", { filter: "metrics.m0 > 0.5 and params.p1 = '42'" }, true],
      ["metric + param filter + order_by", { filter: "metrics.m0 > 0.5 and params.p1 = '42'", order_by: ["metrics.m1 DESC"] }, false],
    ];
    for (const [what, query, targeted] of searches) {
      const searchReq = { experiment_ids: [searchExp], max_results: 100, ...query };
      const storeTimes: number[] = [];
      const httpTimes: number[] = [];
      for (let i = 0; i < 9; i++) {
        t = performance.now();
        await store.searchRuns(searchReq);
        storeTimes.push(performance.now() - t);
        t = performance.now();
        await http.searchRuns(searchReq);
        httpTimes.push(performance.now() - t);
      }
      const target = targeted ? { target: "< 100 ms (tens of ms)", ok: median(storeTimes) < 100 } : {};
      row({ name: `search-runs, store (100k runs, ${what}, 100 rows)`, value: median(storeTimes), unit: "ms", ...target });
      row({ name: "  same over HTTP", value: median(httpTimes), unit: "ms", ...(targeted ? { target: "< 100 ms", ok: median(httpTimes) < 100 } : {}) });
    }
    row({ name: "  (populating 100k runs, raw, one transaction)", value: populate, unit: "ms" });

    // 4. get-history for 100,000 steps
    const r4 = (await store.createRun({ experiment_id: exp })).info.run_id;
    for (let b = 0; b < 100; b++) {
      await store.logBatch({ run_id: r4, metrics: Array.from({ length: 1000 }, (_, i) => ({ key: "h", value: Math.sin(b * 1000 + i), timestamp: b * 1000 + i, step: b * 1000 + i })) });
    }
    await new Promise((r) => setTimeout(r, 100));
    const histTimes: number[] = [];
    const buildTimes: number[] = [];
    const parseTimes: number[] = [];
    let points = 0;
    for (let i = 0; i < 7; i++) {
      t = performance.now();
      const res = await fetch(`${url}/api/2.0/mlflow/metrics/get-history?run_id=${r4}&metric_key=h`);
      const text = await res.text();
      histTimes.push(performance.now() - t);
      // Where the round trip goes: the server's body (read + JSON, where the store builds it
      // itself) and the client's JSON.parse of it.
      if (store.getMetricHistoryJson) {
        t = performance.now();
        await store.getMetricHistoryJson({ run_id: r4, metric_key: "h" });
        buildTimes.push(performance.now() - t);
      }
      t = performance.now();
      points = (JSON.parse(text) as { metrics: unknown[] }).metrics.length;
      parseTimes.push(performance.now() - t);
    }
    row({ name: `get-history, HTTP (${points.toLocaleString("en-US")} steps)`, value: median(histTimes), unit: "ms", target: "≤ 100 ms", ok: median(histTimes) <= 100 && points === 100_000 });
    if (buildTimes.length > 0) row({ name: "  (of which: store builds the JSON body)", value: median(buildTimes), unit: "ms" });
    row({ name: "  (of which: client JSON.parse of that body)", value: median(parseTimes), unit: "ms" });

    // 5. in-process fluent logging
    const mlflow = createMlflow(store);
    await mlflow.setExperiment("fluent-bench");
    await mlflow.startRun();
    const n = 500_000;
    t = performance.now();
    for (let i = 0; i < n; i++) void mlflow.logMetric("x", i, { step: i, timestamp: i });
    await mlflow.flush();
    const fluent = n / ((performance.now() - t) / 1000);
    await mlflow.endRun();
    row({ name: "in-process fluent logMetric (500k, flushed)", value: fluent, unit: "points/s", baseline: raw.batched, baselineUnit: "rows/s raw 1,000-row inserts", target: "≥ 500k points/s", ok: fluent >= 500_000 });

    // 6. bulk-interval sample (a chart's read) of a 1,000,000-point history, whole and zoomed,
    // beside a plain COUNT of the same rows on a second connection.
    const r6 = (await store.createRun({ experiment_id: exp })).info.run_id;
    for (let b = 0; b < 1000; b++) {
      await store.logBatch({ run_id: r6, metrics: Array.from({ length: 1000 }, (_, i) => ({ key: "s", value: Math.sin((b * 1000 + i) / 1000), timestamp: i, step: b * 1000 + i })) });
    }
    const countTimes: number[] = [];
    const sampleTimes: number[] = [];
    const zoomTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      t = performance.now();
      await engine.countMetricRows(r6, "s");
      countTimes.push(performance.now() - t);
      t = performance.now();
      await store.getMetricHistoryBulkInterval({ run_ids: [r6], metric_key: "s", max_results: 1000 });
      sampleTimes.push(performance.now() - t);
      t = performance.now();
      await store.getMetricHistoryBulkInterval({ run_ids: [r6], metric_key: "s", max_results: 1000, start_step: 250_001, end_step: 749_999 });
      zoomTimes.push(performance.now() - t);
    }
    const sample = median(sampleTimes);
    row({ name: "bulk-interval sample of 1M points (1,000 max)", value: sample, unit: "ms", baseline: median(countTimes), baselineUnit: "ms COUNT of the rows", target: "≤ 100 ms", ok: sample <= 100 });
    row({ name: "  (zoomed to steps 250,001–749,999)", value: median(zoomTimes), unit: "ms" });
  } finally {
    server.closeAllConnections();
    await new Promise((ok) => server.close(ok));
  }
  return rows;
}

/**
 * 8 keep-alive loggers (each its own process and run, 2,000 log-metric calls) against
 * `flowbook server --workers 2` on PostgreSQL, beside the same against one worker.
 */
async function workersThroughput(uri: string, dir: string): Promise<BenchRow> {
  const rate = async (workers: number) => {
    const server = await runServerProcess(["--backend-store-uri", uri, "--workers", String(workers), "--artifacts-destination", join(dir, "workers-art")]);
    try {
      const http = new HttpStore(server.url);
      const port = Number(new URL(server.url).port);
      const runs = await Promise.all(Array.from({ length: 8 }, async () => (await http.createRun({ experiment_id: "0" })).info.run_id));
      const t = performance.now();
      await Promise.all(runs.map((id) => keepAliveClient(port, id, 2000, 0)));
      return 16_000 / ((performance.now() - t) / 1000);
    } finally {
      await server.stop();
    }
  };
  const one = await rate(1);
  const two = await rate(2);
  return { name: "postgresql: 8 keep-alive loggers, flowbook server --workers 2", value: two, unit: "calls/s", baseline: one, baselineUnit: "calls/s with --workers 1" };
}

/**
 * Metric→pixel p95 on the app whose store is PostgreSQL, while another process (a `flowbook
 * server` on the same database) is the one logging, over REST, at 1,000 points/s: the points
 * reach the app by LISTEN/NOTIFY, never by polling.
 */
async function crossProcessLatency(uri: string, dir: string): Promise<BenchRow> {
  const other = await runServerProcess(["--backend-store-uri", uri, "--artifacts-destination", join(dir, "latency-art")]);
  const app = await startApp({ trackingUri: uri });
  const browser = await launchBrowser();
  try {
    const http = new HttpStore(other.url);
    const exp = await http.createExperiment("bench-live-pg");
    const run = (await http.createRun({ experiment_id: exp, run_name: "live" })).info.run_id;
    await http.logBatch({ run_id: run, metrics: [{ key: "loss", value: 1, step: 0, timestamp: Date.now() }] });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await openTracking(page, app, exp);
    await openRunCharts(page, "live");
    const p95 = await metricToPixelP95(page, (metrics) => http.logBatch({ run_id: run, metrics }));
    return { name: "postgresql: metric→pixel p95 @ 1,000 pts/s, logged by another process", value: p95, unit: "ms", target: "≤ 250 ms", ok: p95 <= 250 };
  } finally {
    await browser.close();
    await app.close();
    await other.stop();
  }
}

/**
 * A Python script's view, for `python3 -c`: ms per call of MLflow's own client
 * (`MlflowClient.log_metric`, which a training script calls) and of a bare `requests.Session` POST
 * of the same request, each after 100 warm-up calls. argv: tracking URL, calls, and a run id to
 * log to (else one is created).
 */
const PYTHON_CLIENT = `
import json, sys, time
import requests
from mlflow.tracking import MlflowClient
url, n = sys.argv[1], int(sys.argv[2])
client = MlflowClient(url)
run = sys.argv[3] if len(sys.argv) > 3 else client.create_run(client.create_experiment("bench-python-%d" % time.time_ns())).info.run_id
session = requests.Session()
def post(i):
    session.post(url + "/api/2.0/mlflow/runs/log-metric", json={"run_id": run, "key": "raw", "value": i / 2, "timestamp": 1700000000000 + i, "step": i}).raise_for_status()
def per_call(call):
    for i in range(100):
        call(i)
    t = time.perf_counter()
    for i in range(n):
        call(100 + i)
    return (time.perf_counter() - t) / n * 1000
print(json.dumps({"client": per_call(lambda i: client.log_metric(run, "k", i / 2, step=i)), "session": per_call(post)}))
`;

/**
 * Single log-metric calls from Python against `flowbook server` beside MLflow 2.12.2's own server
 * (one gunicorn worker), both on SQLite, in the same run; skipped, saying why, where the vendored
 * MLflow cannot run here.
 */
async function pythonRows(dir: string): Promise<BenchRow[]> {
  const mlflow = realMlflow("import mlflow.server, gunicorn");
  if ("skip" in mlflow) {
    process.stderr.write(`bench: the python rows are skipped: ${mlflow.skip}\n`);
    return [];
  }
  const perCall = (url: string, runId?: string) =>
    new Promise<{ client: number; session: number }>((ok, fail) => {
      const child = spawn(mlflow.python, ["-c", PYTHON_CLIENT, url, "1000", ...(runId ? [runId] : [])], { env: mlflow.env, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (err += d));
      child.on("error", fail);
      child.on("exit", (code) => (code === 0 ? ok(JSON.parse(out)) : fail(new Error(`python client exited with ${code}: ${err}`))));
    });
  const ours = await runServerProcess(["--backend-store-uri", `sqlite:///${join(dir, "python-flowbook.db")}`, "--artifacts-destination", join(dir, "python-flowbook-art")]);
  const theirsDir = mkdtempSync(join(dir, "python-mlflow-"));
  let flowbook: { client: number; session: number };
  let theirs: { client: number; session: number };
  try {
    flowbook = await perCall(ours.url);
  } finally {
    await ours.stop();
  }
  const server = await startMlflowServer(mlflow, theirsDir, await freePort());
  try {
    theirs = await perCall(server.url);
  } finally {
    await server.stop();
  }
  // The Python client's own share: the same calls answered by a server that does nothing.
  const bare = await bareServer();
  let floor: { client: number; session: number };
  try {
    floor = await perCall(`http://127.0.0.1:${bare.port}`, "0".repeat(32));
  } finally {
    bare.close();
  }
  const against = "ms against MLflow 2.12.2's server";
  return [
    { name: "python: MlflowClient.log_metric, flowbook server (1,000 calls)", value: flowbook.client, unit: "ms", baseline: theirs.client, baselineUnit: against, target: "≥ 5× faster (≤ 20%)", ok: flowbook.client * 5 <= theirs.client },
    { name: "  floor: the same calls answered by a bare socket server doing nothing", value: floor.client, unit: "ms", baseline: theirs.client, baselineUnit: against },
    { name: "  same request from a bare requests.Session", value: flowbook.session, unit: "ms", baseline: theirs.session, baselineUnit: against, target: "≥ 5× faster (≤ 20%)", ok: flowbook.session * 5 <= theirs.session },
    { name: "  floor: the same requests answered by a bare socket server doing nothing", value: floor.session, unit: "ms", baseline: theirs.session, baselineUnit: against },
  ];
}

/** Runs the tracking benchmarks on each engine. */
export async function run(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-bench-"));
  const rows: BenchRow[] = [];
  try {
    const sqlite = await sqliteEngine(dir);
    try {
      rows.push(...(await engineRows(sqlite, dir)));
    } finally {
      await sqlite.close();
    }
    rows.push(...(await pythonRows(dir)));
    const postgres = await postgresEngine(dir);
    if ("skip" in postgres) {
      process.stderr.write(`bench: the postgresql rows are skipped: ${postgres.skip}\n`);
      return rows;
    }
    try {
      rows.push(...(await engineRows(postgres, dir)));
      rows.push(await workersThroughput(await postgres.freshUri(), dir));
      rows.push(await crossProcessLatency(await postgres.freshUri(), dir));
    } finally {
      await postgres.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
