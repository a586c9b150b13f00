/**
 * A run's chart in the Tracking tab, and the metric→pixel latency of points logged to it: shared by
 * the UI bench (the app's own store) and the tracking bench (a PostgreSQL store another process
 * logs to).
 */
import type { Page } from "playwright-core";
import type { App } from "../../e2e/harness.ts";
import type { Metric } from "../../electron/tracking/types.ts";
import { percentile } from "./stats.ts";

const WAIT_MS = 120_000;
/** Any metric chart's plot (the run page shows one per key). */
export const PLOT = '[data-testid^="metric-chart-"] [data-testid="metric-chart-plot"]';

/** Opens the Tracking tab on an experiment. */
export async function openTracking(page: Page, app: App, experimentId: string): Promise<void> {
  await page.goto(app.url);
  await page.getByTestId("tab-tracking").click();
  await page.locator(`[data-testid="experiment-item"][data-experiment-id="${experimentId}"] [data-testid="experiment-link"]`).click();
}

/** Opens a run's Charts tab from the open experiment; resolves to the ms until its first points are drawn. */
export async function openRunCharts(page: Page, runName: string): Promise<number> {
  await page.getByTestId("runs-filter").fill(`attributes.run_name = '${runName}'`);
  await page.getByTestId("runs-filter-apply").click();
  await page.locator('[data-testid="runs-row"] [data-testid="run-link"]', { hasText: runName }).click();
  await page.getByTestId("run-page").waitFor({ timeout: WAIT_MS });
  const t0 = Date.now();
  await page.getByTestId("run-tab-charts").click();
  await page.waitForFunction((sel) => Number(document.querySelector(sel)?.getAttribute("data-point-count")) > 0, PLOT, { timeout: WAIT_MS });
  return Date.now() - t0;
}

/**
 * p95 of log → drawn on the open run chart, while `log` writes `loss` at 1,000 points/s (10 points
 * every 10 ms) for 5 s from step 1: each batch's send time against the moment the chart first
 * shows its last step.
 */
export async function metricToPixelP95(page: Page, log: (metrics: Metric[]) => Promise<unknown>): Promise<number> {
  // The page records when each new last-step appears on the chart element.
  await page.evaluate((sel) => {
    const el = document.querySelector(sel)!;
    const seen: [number, number][] = [];
    (window as unknown as { __seen: typeof seen }).__seen = seen;
    new MutationObserver(() => seen.push([Number(el.getAttribute("data-last-step")), Date.now()])).observe(el, { attributes: true, attributeFilter: ["data-last-step"] });
  }, PLOT);
  const sent = new Map<number, number>();
  let step = 1;
  const end = Date.now() + 5000;
  while (Date.now() < end) {
    const tick = Date.now();
    const metrics: Metric[] = [];
    for (let i = 0; i < 10; i++, step++) metrics.push({ key: "loss", value: Math.random(), step, timestamp: tick });
    await log(metrics);
    sent.set(step - 1, tick);
    await new Promise((r) => setTimeout(r, Math.max(0, 10 - (Date.now() - tick))));
  }
  const last = step - 1;
  await page.waitForFunction(([sel, s]) => Number(document.querySelector(sel as string)?.getAttribute("data-last-step")) >= (s as number), [PLOT, last], { timeout: WAIT_MS });
  const seen = await page.evaluate(() => (window as unknown as { __seen: [number, number][] }).__seen);
  const latencies: number[] = [];
  for (const [s, t] of sent) {
    const drawn = seen.find(([shown]) => shown >= s);
    if (drawn) latencies.push(drawn[1] - t);
  }
  return percentile(latencies, 95);
}
