/**
 * A RUNNING run's chart while points arrive, in browser mode: new points are drawn with room to
 * grow on the axis, a user's zoom survives the data arriving, autoscale hands the axes back, and the
 * chart fits its data exactly once the run ends. Needs `dist/renderer` (the harness builds it).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Locator, Page } from "playwright-core";
import { launchBrowser, startApp, type App } from "./harness.ts";
import { createExperiment, seedRun } from "./tracking-fixtures.ts";
import type { Run } from "../electron/tracking/types.ts";

const WAIT_MS = 20_000;
const PLOT = '[data-testid="metric-chart-loss"] [data-testid="metric-chart-plot"]';

interface PlotState {
  x: [number, number];
  points: number;
  lastX: number;
}

let app: App;
let browser: Browser;
let page: Page;
let run: Run;
let plot: Locator;

/** Logs loss at steps `from`..`to` (inclusive) through the store, as a training loop would. */
async function logSteps(from: number, to: number): Promise<void> {
  const metrics = [];
  for (let step = from; step <= to; step++) metrics.push({ key: "loss", value: 1 + Math.sin(step / 10), step, timestamp: Date.now() });
  await app.host.store.logBatch({ run_id: run.info.run_id, metrics });
  await page.waitForFunction(([sel, s]) => Number(document.querySelector(sel as string)?.getAttribute("data-last-step")) >= (s as number), [PLOT, to], { timeout: WAIT_MS });
}

/** The x range Plotly shows and the drawn series' length and last x. */
function plotState(): Promise<PlotState> {
  return plot.evaluate((el) => {
    const gd = el as unknown as { _fullLayout: { xaxis: { range: number[] } }; data: { x: number[] }[] };
    const x = gd.data[0].x;
    return { x: [gd._fullLayout.xaxis.range[0], gd._fullLayout.xaxis.range[1]] as [number, number], points: x.length, lastX: x[x.length - 1] };
  });
}

describe("live chart", () => {
  before(async () => {
    app = await startApp();
    const exp = await createExperiment(app, "e2e-live");
    run = await seedRun(app, exp, { name: "training", status: "RUNNING", metrics: { loss: Array.from({ length: 100 }, (_, s) => 1 + Math.sin(s / 10)) } });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(app.url);
    await page.getByTestId("tab-tracking").click();
    await page.locator(`[data-testid="experiment-item"][data-experiment-id="${exp}"] [data-testid="experiment-link"]`).click();
    await page.locator('[data-testid="runs-row"] [data-testid="run-link"]', { hasText: "training" }).click();
    await page.getByTestId("run-tab-charts").click();
    plot = page.locator(PLOT);
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute("data-last-step") === "99", PLOT, { timeout: WAIT_MS });
  });

  after(async () => {
    await browser?.close();
    await app?.close();
  });

  test("new points are drawn inside an axis that leaves room to grow", async () => {
    await logSteps(100, 299);
    const s = await plotState();
    assert.equal(s.points, 300);
    assert.equal(s.lastX, 299);
    assert.ok(s.x[1] > 299, `x range ${s.x} leaves no room`);
  });

  test("a zoom stays put while points arrive, and autoscale hands the axes back", async () => {
    const box = (await plot.locator(".nsewdrag").boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.2, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.3, y, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.4, y, { steps: 5 });
    await page.mouse.up();
    const zoomed = await plotState();
    assert.ok(zoomed.x[1] < 299, `the drag did not zoom: ${zoomed.x}`);

    await logSteps(300, 499);
    const after = await plotState();
    assert.equal(after.lastX, 499);
    assert.deepEqual(after.x.map((v) => Math.round(v * 1000)), zoomed.x.map((v) => Math.round(v * 1000)));

    await plot.locator(".nsewdrag").dblclick({ position: { x: box.width / 2, y: box.height / 2 } });
    await page.waitForFunction((sel) => (document.querySelector(sel) as unknown as { _fullLayout: { xaxis: { range: number[] } } })._fullLayout.xaxis.range[1] >= 499, PLOT, { timeout: WAIT_MS });
    await logSteps(500, 510);
    const back = await plotState();
    assert.ok(back.x[0] <= 0 && back.x[1] > 510, `x range ${back.x} after autoscale`);
  });

  test("once the run ends the chart fits its data exactly", async () => {
    await app.host.store.updateRun({ run_id: run.info.run_id, status: "FINISHED", end_time: Date.now() });
    await page.waitForFunction(
      (sel) => (document.querySelector(sel) as unknown as { _fullLayout: { xaxis: { range: number[] } } })._fullLayout.xaxis.range[1] === 510,
      PLOT,
      { timeout: WAIT_MS },
    );
  });
});
