/**
 * Tracking throughput and latency on a fresh temp store: HTTP log-metric calls (and the server's
 * CPU per keep-alive request beside the in-process store call), HTTP log-batch, search-runs over
 * 100,000 runs, a 100,000-step metric history, in-process fluent logging, and a chart's min/max
 * sample of a 1,000,000-point history — each beside a baseline measured in the same run (raw
 * better-sqlite3 inserts, the in-process store call, or a COUNT of the same rows).
 */
import Database from "better-sqlite3";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createMlflow, HttpStore } from "../electron/tracking/client/index.ts";
import { createTrackingServer } from "../electron/tracking/rest/index.ts";
import { SqliteStore } from "../electron/tracking/store/index.ts";
import type { Metric } from "../electron/tracking/types.ts";
import type { BenchRow } from "./index.ts";
import { median } from "./support/stats.ts";

/** Raw better-sqlite3: rows/s for single-row autocommit inserts and for 1,000-row transactions. */
function rawInsertRates(dir: string): { single: number; batched: number } {
  const db = new Database(join(dir, "raw.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE metrics (run_uuid TEXT, key TEXT, value REAL, timestamp INTEGER, step INTEGER, PRIMARY KEY (run_uuid, key, timestamp, step, value))");
  const insert = db.prepare("INSERT INTO metrics VALUES (?, ?, ?, ?, ?)");
  let t = performance.now();
  for (let i = 0; i < 2000; i++) insert.run("r1", "m", i, i, i);
  const single = 2000 / ((performance.now() - t) / 1000);
  const batch = db.transaction((start: number) => {
    for (let i = start; i < start + 1000; i++) insert.run("r2", "m", i, i, i);
  });
  t = performance.now();
  for (let b = 0; b < 100; b++) batch(b * 1000);
  const batched = 100_000 / ((performance.now() - t) / 1000);
  db.close();
  return { single, batched };
}

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

/** CPU time (user + system, µs) this process spends in `fn`, per `n`. */
async function cpuPer(n: number, fn: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

/**
 * 100,000 finished runs with 5 params and 5 metrics each, written in one transaction on a second
 * connection (the store's own write path is measured elsewhere; this is only the fixture).
 */
function populateRuns(path: string, experimentId: string, count: number): void {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  const run = db.prepare(
    "INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage) VALUES (?, ?, ?, '', 'FINISHED', ?, ?, ?, 'active')",
  );
  const tag = db.prepare("INSERT INTO tags (run_uuid, key, value) VALUES (?, 'mlflow.runName', ?)");
  const param = db.prepare("INSERT INTO params (run_uuid, key, value) VALUES (?, ?, ?)");
  const metric = db.prepare("INSERT INTO metrics (run_uuid, key, step, timestamp, value, is_nan) VALUES (?, ?, 0, ?, ?, 0)");
  const latest = db.prepare("INSERT INTO latest_metrics (run_uuid, key, step, timestamp, value, is_nan) VALUES (?, ?, 0, ?, ?, 0)");
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const id = `bench${String(i).padStart(27, "0")}`;
      run.run(id, `run-${i}`, Number(experimentId), i, i + 10, `file:///bench/${id}/artifacts`);
      tag.run(id, `run-${i}`);
      for (let p = 0; p < 5; p++) param.run(id, `p${p}`, String((i * (p + 1)) % 97));
      for (let m = 0; m < 5; m++) {
        const v = ((i * 7919 * (m + 1)) % 10007) / 10007;
        metric.run(id, `m${m}`, i, v);
        latest.run(id, `m${m}`, i, v);
      }
    }
  })();
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
}

/** Runs the tracking benchmarks. */
export async function run(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-bench-"));
  const store = await SqliteStore.open({ path: join(dir, "bench.db"), defaultArtifactRoot: pathToFileURL(join(dir, "art")).href });
  const { server } = createTrackingServer({ store, artifactsDestination: join(dir, "mlartifacts"), serveArtifacts: true, log: () => {} });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const http = new HttpStore(url);
  const rows: BenchRow[] = [];
  try {
    const raw = rawInsertRates(dir);
    const exp = await store.createExperiment("bench");

    // 1. single log-metric calls over HTTP
    const r1 = (await http.createRun({ experiment_id: exp })).info.run_id;
    let t = performance.now();
    for (let i = 0; i < 2000; i++) await http.logMetric(r1, { key: "m", value: i, timestamp: i, step: i });
    const single = 2000 / ((performance.now() - t) / 1000);
    rows.push({ name: "HTTP log-metric (2,000 calls)", value: single, unit: "calls/s", baseline: raw.single, baselineUnit: "rows/s raw autocommit" });

    // 1b. the server's CPU per keep-alive log-metric request (the client runs in another process),
    // beside the same store call made in-process
    const port = Number(new URL(url).port);
    const rk = (await store.createRun({ experiment_id: exp })).info.run_id;
    await keepAliveClient(port, rk, 1000, 0); // warm-up
    const serverCpu = await cpuPer(5000, () => keepAliveClient(port, rk, 5000, 1000));
    const rs = (await store.createRun({ experiment_id: exp })).info.run_id;
    for (let i = 0; i < 1000; i++) await store.logMetric(rs, { key: "k", value: i / 2, timestamp: 1700000000000 + i, step: i });
    const storeCpu = await cpuPer(5000, async () => {
      for (let i = 1000; i < 6000; i++) await store.logMetric(rs, { key: "k", value: i / 2, timestamp: 1700000000000 + i, step: i });
    });
    rows.push({
      name: "HTTP log-metric, keep-alive: server CPU per request",
      value: serverCpu,
      unit: "µs",
      baseline: storeCpu,
      baselineUnit: "µs in-process store.logMetric",
      target: "≤ 2× in-process",
      ok: serverCpu <= 2 * storeCpu,
    });

    // 2. log-batch over HTTP, 50 × 1,000
    const r2 = (await http.createRun({ experiment_id: exp })).info.run_id;
    const batches: Metric[][] = Array.from({ length: 50 }, (_, b) =>
      Array.from({ length: 1000 }, (_, i) => ({ key: "m", value: Math.random(), timestamp: b * 1000 + i, step: b * 1000 + i })),
    );
    t = performance.now();
    for (const metrics of batches) await http.logBatch({ run_id: r2, metrics });
    const batched = 50_000 / ((performance.now() - t) / 1000);
    rows.push({ name: "HTTP log-batch (50 × 1,000)", value: batched, unit: "metrics/s", baseline: raw.batched, baselineUnit: "rows/s raw txn", target: "≥ 50% of raw", ok: batched >= raw.batched / 2 });

    // 3. search-runs over 100,000 runs × 5 params × 5 metrics, first page of 100
    const searchExp = await store.createExperiment("search");
    t = performance.now();
    populateRuns(join(dir, "bench.db"), searchExp, 100_000);
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
      rows.push({ name: `search-runs, store (100k runs, ${what}, 100 rows)`, value: median(storeTimes), unit: "ms", ...target });
      rows.push({ name: "  same over HTTP", value: median(httpTimes), unit: "ms", ...(targeted ? { target: "< 100 ms", ok: median(httpTimes) < 100 } : {}) });
    }
    rows.push({ name: "  (populating 100k runs, one raw transaction)", value: populate, unit: "ms" });

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
      points = ((await res.json()) as { metrics: unknown[] }).metrics.length;
      histTimes.push(performance.now() - t);
      // Where the round trip goes: the server's body (read + JSON) and the client's JSON.parse of it.
      t = performance.now();
      const body = `{"metrics":${await store.getMetricHistoryJson({ run_id: r4, metric_key: "h" })}}`;
      buildTimes.push(performance.now() - t);
      t = performance.now();
      JSON.parse(body);
      parseTimes.push(performance.now() - t);
    }
    rows.push({ name: `get-history, HTTP (${points.toLocaleString("en-US")} steps)`, value: median(histTimes), unit: "ms", target: "≤ 100 ms", ok: median(histTimes) <= 100 && points === 100_000 });
    rows.push({ name: "  (of which: store builds the JSON body)", value: median(buildTimes), unit: "ms" });
    rows.push({ name: "  (of which: client JSON.parse of that body)", value: median(parseTimes), unit: "ms" });

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
    rows.push({ name: "in-process fluent logMetric (500k, flushed)", value: fluent, unit: "points/s", baseline: raw.batched, baselineUnit: "rows/s raw txn", target: "≥ 500k points/s", ok: fluent >= 500_000 });

    // 6. bulk-interval sample (a chart's read) of a 1,000,000-point history, whole and zoomed,
    // beside a plain COUNT of the same rows on a second connection.
    const r6 = (await store.createRun({ experiment_id: exp })).info.run_id;
    for (let b = 0; b < 1000; b++) {
      await store.logBatch({ run_id: r6, metrics: Array.from({ length: 1000 }, (_, i) => ({ key: "s", value: Math.sin((b * 1000 + i) / 1000), timestamp: i, step: b * 1000 + i })) });
    }
    const reader = new Database(join(dir, "bench.db"), { readonly: true });
    const count = reader.prepare("SELECT COUNT(*) FROM metrics WHERE run_uuid = ? AND key = 's'").pluck();
    const countTimes: number[] = [];
    const sampleTimes: number[] = [];
    const zoomTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      t = performance.now();
      count.get(r6);
      countTimes.push(performance.now() - t);
      t = performance.now();
      await store.getMetricHistoryBulkInterval({ run_ids: [r6], metric_key: "s", max_results: 1000 });
      sampleTimes.push(performance.now() - t);
      t = performance.now();
      await store.getMetricHistoryBulkInterval({ run_ids: [r6], metric_key: "s", max_results: 1000, start_step: 250_001, end_step: 749_999 });
      zoomTimes.push(performance.now() - t);
    }
    reader.close();
    const sample = median(sampleTimes);
    rows.push({ name: "bulk-interval sample of 1M points (1,000 max)", value: sample, unit: "ms", baseline: median(countTimes), baselineUnit: "ms COUNT of the rows", target: "≤ 100 ms", ok: sample <= 100 });
    rows.push({ name: "  (zoomed to steps 250,001–749,999)", value: median(zoomTimes), unit: "ms" });
  } finally {
    server.closeAllConnections();
    await new Promise((ok) => server.close(ok));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
