/**
 * Tracking throughput and latency on a fresh temp store: HTTP log-metric calls, HTTP log-batch,
 * search-runs over 10,000 runs, a 100,000-step metric history, in-process fluent logging, and a
 * chart's min/max sample of a 1,000,000-point history — each beside a raw better-sqlite3 baseline
 * (inserts, or a COUNT of the same rows) measured in the same run.
 */
import Database from "better-sqlite3";
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

    // 2. log-batch over HTTP, 50 × 1,000
    const r2 = (await http.createRun({ experiment_id: exp })).info.run_id;
    const batches: Metric[][] = Array.from({ length: 50 }, (_, b) =>
      Array.from({ length: 1000 }, (_, i) => ({ key: "m", value: Math.random(), timestamp: b * 1000 + i, step: b * 1000 + i })),
    );
    t = performance.now();
    for (const metrics of batches) await http.logBatch({ run_id: r2, metrics });
    const batched = 50_000 / ((performance.now() - t) / 1000);
    rows.push({ name: "HTTP log-batch (50 × 1,000)", value: batched, unit: "metrics/s", baseline: raw.batched, baselineUnit: "rows/s raw txn", target: "≥ 50% of raw", ok: batched >= raw.batched / 2 });

    // 3. search-runs over 10,000 runs × 5 params × 5 metrics
    const searchExp = await store.createExperiment("search");
    t = performance.now();
    for (let i = 0; i < 10_000; i++) {
      const id = (await store.createRun({ experiment_id: searchExp, start_time: i })).info.run_id;
      await store.logBatch({
        run_id: id,
        params: Array.from({ length: 5 }, (_, p) => ({ key: `p${p}`, value: String((i * (p + 1)) % 97) })),
        metrics: Array.from({ length: 5 }, (_, m) => ({ key: `m${m}`, value: ((i * 7919 * (m + 1)) % 10007) / 10007, timestamp: i, step: 0 })),
      });
    }
    const populate = performance.now() - t;
    // Populating in-process starves the event loop for seconds; let both sides' keep-alive timers
    // run so the next request does not race a server closing its idle socket.
    await new Promise((r) => setTimeout(r, 100));
    const searchReq = { experiment_ids: [searchExp], filter: "metrics.m0 > 0.5", order_by: ["metrics.m1 DESC"], max_results: 100 };
    const storeTimes: number[] = [];
    const httpTimes: number[] = [];
    for (let i = 0; i < 15; i++) {
      t = performance.now();
      await store.searchRuns(searchReq);
      storeTimes.push(performance.now() - t);
      t = performance.now();
      await http.searchRuns(searchReq);
      httpTimes.push(performance.now() - t);
    }
    rows.push({ name: "search-runs, store (10k runs, filter+order, 100 rows)", value: median(storeTimes), unit: "ms", target: "≤ 20 ms", ok: median(storeTimes) <= 20 });
    rows.push({ name: "search-runs, HTTP (same query)", value: median(httpTimes), unit: "ms", target: "≤ 20 ms", ok: median(httpTimes) <= 20 });
    rows.push({ name: "  (populating 10k runs via store)", value: populate, unit: "ms" });

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
