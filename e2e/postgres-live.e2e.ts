/**
 * Live push across processes on PostgreSQL: the app's store is a PostgreSQL database that a second
 * `flowbook server` process also serves; metrics logged over that server's REST API (as a Python
 * script would) redraw a cell's chart and the Tracking tab's run chart, pushed (LISTEN/NOTIFY to the
 * host, then the window's socket, points included: the page asks for no history), and a cell reading
 * the history re-runs.
 * The latency is measured in `npm run bench -- tracking`. Skipped, with the install command, where
 * PostgreSQL is absent.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, startApp, type App } from "./harness.ts";
import { runServerProcess, type RunningServerProcess } from "../electron/cli/test-server-process.ts";
import { startTestPostgres, type TestPostgres } from "../electron/tracking/pg/test-postgres.ts";

const WAIT_MS = 30_000;
const CELL_PLOT = '[data-cell-id="chart"] [data-testid="metric-chart-plot"]';
const RUN_PLOT = '[data-testid="run-page"] [data-testid="metric-chart-loss"] [data-testid="metric-chart-plot"]';

let cluster: TestPostgres | { skip: string };
let dir: string;
let other: RunningServerProcess;
let app: App;
let browser: Browser;
let page: Page;
let runId: string;
let experimentId: string;
/** Metric-history reads the page sent over its socket (a polling chart would send them). */
const historyCalls: string[] = [];

/** POSTs to the other process's REST API, as an MLflow client would. */
async function otherRest(path: string, body: unknown): Promise<any> {
  const res = await fetch(`${other.url}/api/2.0/mlflow/${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const json = await res.json();
  assert.equal(res.status, 200, JSON.stringify(json));
  return json;
}

/** Logs `loss` at steps from..to (inclusive) through the other process. */
function logSteps(from: number, to: number): Promise<unknown> {
  const metrics = [];
  for (let step = from; step <= to; step++) metrics.push({ key: "loss", value: 1 / (step + 1), step, timestamp: Date.now() });
  return otherRest("runs/log-batch", { run_id: runId, metrics });
}

const lastStepIs = (selector: string, step: number) =>
  page.waitForFunction(([sel, s]) => Number(document.querySelector(sel as string)?.getAttribute("data-last-step")) === s, [selector, step], { timeout: WAIT_MS });
const readerShows = (count: number) =>
  page.locator('[data-cell-id="reader"] [data-testid="output-json"]').getByText(String(count), { exact: true }).waitFor({ timeout: WAIT_MS });

describe("live charts across processes on PostgreSQL", () => {
  before(async () => {
    cluster = await startTestPostgres();
    if ("skip" in cluster) return;
    dir = mkdtempSync(join(tmpdir(), "flowbook-pg-live-"));
    const uri = await cluster.createDatabase();
    other = await runServerProcess(["--backend-store-uri", uri, "--artifacts-destination", join(dir, "mlartifacts")]);
    experimentId = (await otherRest("experiments/create", { name: "shared" })).experiment_id;
    runId = (await otherRest("runs/create", { experiment_id: experimentId, run_name: "training", start_time: Date.now() })).run.info.run_id;
    await logSteps(0, 9);
    const notebook = join(dir, "live.ts");
    writeFileSync(
      notebook,
      [
        "// %% [cell id=imports]",
        'import { mlflow } from "flowbook";',
        "",
        "// %% [cell id=chart]",
        `mlflow.ui.metricChart({ runIds: ["${runId}"], keys: "loss" });`,
        "",
        "// %% [cell id=reader]",
        `const history = await mlflow.getMetricHistory("${runId}", "loss");`,
        "history.length;",
        "",
      ].join("\n"),
    );
    app = await startApp({ dir, notebook, trackingUri: uri });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on("websocket", (ws) =>
      ws.on("framesent", (f) => {
        const text = typeof f.payload === "string" ? f.payload : f.payload.toString();
        if (text.includes('"tracking-call"') && text.includes("MetricHistory")) historyCalls.push(text);
      }),
    );
    await page.goto(app.url);
    await page.getByText("Kernel: idle").waitFor({ timeout: WAIT_MS });
    await page.getByRole("button", { name: /Run all/ }).click();
    await lastStepIs(CELL_PLOT, 9);
    await readerShows(10);
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await other?.stop();
    if ("stop" in cluster) await cluster.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("a cell's chart redraws and a reading cell re-runs when another process logs, with the points pushed", { timeout: 120_000 }, async (t) => {
    if ("skip" in cluster) return t.skip(cluster.skip);
    // The chart read its history once, when drawn: the socket watch sees such reads.
    assert.ok(historyCalls.length > 0);
    const asked = historyCalls.length;
    await logSteps(10, 19);
    await lastStepIs(CELL_PLOT, 19);
    await readerShows(20);
    assert.deepEqual(historyCalls.slice(asked), [], "the page read the history instead of being pushed the points");
  });

  test("the Tracking tab's run chart redraws when another process logs", { timeout: 120_000 }, async (t) => {
    if ("skip" in cluster) return t.skip(cluster.skip);
    await page.getByTestId("tab-tracking").click();
    await page.locator(`[data-testid="experiment-item"][data-experiment-id="${experimentId}"] [data-testid="experiment-link"]`).click();
    await page.locator('[data-testid="runs-row"] [data-testid="run-link"]', { hasText: "training" }).click();
    await page.getByTestId("run-tab-charts").click();
    await lastStepIs(RUN_PLOT, 19);
    const asked = historyCalls.length;
    await logSteps(20, 29);
    await lastStepIs(RUN_PLOT, 29);
    assert.deepEqual(historyCalls.slice(asked), [], "the page read the history instead of being pushed the points");
    await page.screenshot({ path: "/work/helpers/shots/pg-serve-run-chart.png" });
  });
});
