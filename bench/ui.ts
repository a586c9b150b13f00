/**
 * UI timings in Chromium against the real app (browser mode): opening a chart of a 1,000,000-point
 * metric, metric→pixel latency while a logger writes 1,000 points/s, a 10,000-run table's first
 * render and server-side sort, and a cell printing 1,000,000 lines (its time against `flowbook run`
 * of the same cell, and the renderer's heap meanwhile). `npm run bench` prints these with the rest;
 * `node --import tsx bench/ui.ts` prints just these. Needs dist/renderer and Chromium.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { cellText, FLOOD_CODE, HEAP_ARGS, headlessFloodMs, heapPeak, runCellTimed, startHeapSampler } from "../e2e/console-flood.ts";
import { launchBrowser, startApp, type App } from "../e2e/harness.ts";
import { createExperiment } from "../e2e/tracking-fixtures.ts";
import type { Metric } from "../electron/tracking/types.ts";
import type { BenchRow } from "./index.ts";
import { metricToPixelP95, openRunCharts, openTracking } from "./support/live-chart.ts";

const WAIT_MS = 120_000;

async function logPoints(app: App, runId: string, key: string, from: number, count: number, at = Date.now()): Promise<void> {
  for (let i = 0; i < count; i += 1000) {
    const metrics: Metric[] = [];
    for (let s = from + i; s < from + Math.min(count, i + 1000); s++) metrics.push({ key, value: Math.sin(s / 1000) + Math.random() * 0.1, step: s, timestamp: at + s });
    await app.host.store.logBatch({ run_id: runId, metrics });
  }
}

/** Open time of a chart whose metric has 1M points (sampled server-side to ≈ one point per pixel). */
async function millionPointChart(app: App, page: Page): Promise<BenchRow> {
  const exp = await createExperiment(app, "bench-1m");
  const run = await app.host.store.createRun({ experiment_id: exp, run_name: "million" });
  await logPoints(app, run.info.run_id, "loss", 0, 1_000_000);
  await openTracking(page, app, exp);
  const ms = await openRunCharts(page, "million");
  return { name: "ui: open chart of 1M-point metric", value: ms, unit: "ms", target: "< 1000 ms", ok: ms < 1000 };
}

/** p95 of log → drawn, with a logger writing 1,000 points/s into the app's store. */
async function liveLatency(app: App, page: Page): Promise<BenchRow> {
  const exp = await createExperiment(app, "bench-live");
  const run = await app.host.store.createRun({ experiment_id: exp, run_name: "live" });
  await logPoints(app, run.info.run_id, "loss", 0, 1);
  await openTracking(page, app, exp);
  await openRunCharts(page, "live");
  const p95 = await metricToPixelP95(page, (metrics) => app.host.store.logBatch({ run_id: run.info.run_id, metrics }));
  return { name: "ui: metric→pixel latency p95 @ 1,000 pts/s", value: p95, unit: "ms", target: "≤ 100 ms", ok: p95 <= 100 };
}

/** First render of a 10,000-run experiment's table, and the time to re-sort it by name. */
async function bigRunsTable(app: App, page: Page): Promise<BenchRow[]> {
  const exp = await createExperiment(app, "bench-10k");
  // Names run against start times (r00000 is the newest), so both sorts below reorder the default view.
  const t = Date.now();
  for (let i = 0; i < 10_000; i++)
    await app.host.store.createRun({ experiment_id: exp, run_name: `r${String(i).padStart(5, "0")}`, start_time: t - i * 1000 });
  await page.goto(app.url);
  await page.getByTestId("tab-tracking").click();
  const t0 = Date.now();
  await page.locator(`[data-testid="experiment-item"][data-experiment-id="${exp}"] [data-testid="experiment-link"]`).click();
  await page.getByTestId("runs-row").first().waitFor({ timeout: WAIT_MS });
  const first = Date.now() - t0;
  const t1 = Date.now();
  await page.getByTestId("sort-attr:run_name").click(); // descending: r09999 first
  await page.waitForFunction(() => document.querySelector('[data-testid="runs-row"] [data-testid="run-link"]')?.textContent === "r09999", null, { timeout: WAIT_MS });
  await page.getByTestId("sort-attr:run_name").click(); // ascending: r00000 first
  await page.waitForFunction(() => document.querySelector('[data-testid="runs-row"] [data-testid="run-link"]')?.textContent === "r00000", null, { timeout: WAIT_MS });
  const sort = (Date.now() - t1) / 2;
  const rows = await page.getByTestId("runs-row").count();
  return [
    { name: "ui: 10k-run table, first rows rendered", value: first, unit: "ms", target: "< 1000 ms", ok: first < 1000 },
    { name: "ui: 10k-run table, sort by name", value: sort, unit: "ms", target: "< 500 ms", ok: sort < 500 },
    { name: "ui: 10k-run table, rows in the DOM", value: rows, unit: "rows", target: "< 100 (virtualized)", ok: rows < 100 },
  ];
}

/**
 * A cell printing 1,000,000 lines, in the app (Run → idle) against `flowbook run` of the same cell,
 * and the renderer's JS heap peak meanwhile. Best of three: the figure is the app's cost, not a
 * neighbour's CPU; the heap peak is the highest of all.
 */
async function consoleFlood(page: Page): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-bench-flood-"));
  const notebook = join(dir, "flood.ts");
  writeFileSync(notebook, cellText("flood", FLOOD_CODE));
  const app = await startApp({ dir, notebook });
  try {
    await page.goto(app.url);
    await page.waitForSelector('[data-testid="kernel-state"][data-state="idle"]', { timeout: WAIT_MS });
    let best = Infinity;
    let headless = Infinity;
    let peak = 0;
    for (let i = 0; i < 3; i++) {
      headless = Math.min(headless, headlessFloodMs());
      await startHeapSampler(page);
      best = Math.min(best, await runCellTimed(page, "flood", WAIT_MS));
      peak = Math.max(peak, (await heapPeak(page)).peak);
    }
    const MB = 1024 * 1024;
    return [
      {
        name: "ui: console flood 1M lines, app ÷ headless",
        value: best,
        unit: "ms",
        baseline: headless,
        baselineUnit: "ms (flowbook run)",
        target: "≤ 3× headless",
        ok: best <= 3 * headless,
      },
      { name: "ui: renderer heap peak during the flood", value: peak / MB, unit: "MB", target: "< 300 MB", ok: peak < 300 * MB },
    ];
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the UI benchmarks in one app and one browser. */
export async function run(): Promise<BenchRow[]> {
  const app = await startApp();
  const browser = await launchBrowser({ args: HEAP_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // The live chart runs first, so the 1M-point figure measures data, not Plotly's first parse.
    const live = await liveLatency(app, page);
    const rows = [await millionPointChart(app, page), live, ...(await bigRunsTable(app, page))];
    // In a fresh page: the heap figure is the flood's, not what the tracking views left behind.
    const floodPage = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    return [...rows, ...(await consoleFlood(floodPage))];
  } finally {
    await browser.close();
    await app.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await run();
  console.table(rows.map((r) => ({ benchmark: r.name, value: `${Math.round(r.value)} ${r.unit}`, target: r.target, ok: r.ok ? "ok" : "MISSED" })));
}
