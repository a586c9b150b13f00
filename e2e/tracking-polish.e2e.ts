/**
 * The Tracking tab as a newcomer meets it (issue 13, item 10), in Chromium against the real app:
 * it opens on the experiment with the latest run (not the empty Default) with its metric columns
 * shown, counts "1 run", the column chooser closes on Esc and outside clicks, parallel coordinates
 * over many dimensions keep readable labels, the scatter's default axes vary, the page is in the
 * URL (back/forward work), the theme button's first click changes the theme, and Restart asks.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, startApp, type App } from "./harness.ts";
import { createExperiment, seedRun } from "./tracking-fixtures.ts";

const WAIT_MS = 20_000;
const SHOTS = process.env.FLOWBOOK_SHOTS;

let app: App;
let dir: string;
let browser: Browser;
let page: Page;
let single: string;
let sweep: string;

async function shot(name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

describe("tracking tab polish", () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "flowbook-tracking-polish-"));
    writeFileSync(join(dir, "nb.ts"), "// %% [cell id=a]\nconst a = 1;\n");
    app = await startApp({ dir, notebook: join(dir, "nb.ts") });
    single = await createExperiment(app, "one-run");
    await seedRun(app, single, { name: "lonely", metrics: { loss: [0.9, 0.5] }, startTime: Date.now() - 3_600_000 });
    sweep = await createExperiment(app, "wide-sweep");
    // Twelve params and three metrics, the first of each (by name) the same in every run: the latest runs.
    for (let i = 0; i < 4; i++) {
      const params: Record<string, string> = { batch_size: "32" };
      for (let p = 0; p < 11; p++) params[`hyperparameter_${p}`] = String((i + 1) * (p + 1));
      const metrics = { a_constant: [1], accuracy: [0.5 + i / 10], loss: [1 - i / 10] };
      await seedRun(app, sweep, { name: `sweep-${i}`, params, metrics, startTime: Date.now() - (4 - i) * 1000 });
    }
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(app.url);
    await page.getByTestId("tab-tracking").click();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("the tab opens on the experiment with the latest run, its metrics as columns", async () => {
    await page.getByTestId("experiment-title").filter({ hasText: "wide-sweep" }).waitFor({ timeout: WAIT_MS });
    await page.getByTestId("runs-row").nth(3).waitFor({ timeout: WAIT_MS });
    assert.equal(await page.getByTestId("runs-count").innerText(), "4 runs");
    const head = await page.locator(".tr-head").innerText();
    assert.match(head, /accuracy/);
    assert.match(head, /loss/);
    // Seen without scrolling sideways: the metrics come right after the run's name and status.
    const visible = await page.getByTestId("runs-scroll").boundingBox();
    const loss = await page.getByTestId("sort-metrics:loss").boundingBox();
    assert.ok(visible && loss && loss.x + loss.width <= visible.x + visible.width, "the loss column is in view");
    await shot("life-polish-tracking-open");
  });

  test("the column chooser closes on Esc and on a click outside it", async () => {
    await page.getByTestId("columns-button").click();
    await page.getByTestId("column-chooser").waitFor({ timeout: WAIT_MS });
    await page.keyboard.press("Escape");
    await page.getByTestId("column-chooser").waitFor({ state: "detached", timeout: WAIT_MS });
    await page.getByTestId("columns-button").click();
    await page.getByTestId("column-chooser").waitFor({ timeout: WAIT_MS });
    await page.getByTestId("experiment-title").click();
    await page.getByTestId("column-chooser").waitFor({ state: "detached", timeout: WAIT_MS });
    // The button itself still toggles it.
    await page.getByTestId("columns-button").click();
    await page.getByTestId("column-chooser").waitFor({ timeout: WAIT_MS });
    await page.getByTestId("columns-button").click();
    await page.getByTestId("column-chooser").waitFor({ state: "detached", timeout: WAIT_MS });
  });

  test("compare: parallel-coordinate labels keep their size with many axes; the scatter's axes vary", async () => {
    await page.getByTestId("run-select-all").check();
    await page.getByTestId("compare-button").click();
    const chart = page.getByTestId("parallel-chart");
    await chart.waitFor({ timeout: WAIT_MS });
    const sizes = await chart.locator(".tr-pc-label").evaluateAll((labels) => labels.map((l) => l.getBoundingClientRect().height));
    assert.equal(sizes.length, 15);
    // 12px labels; an SVG squeezed into the window would draw them at about a third of that.
    for (const h of sizes) assert.ok(h >= 10, `label height ${h}px`);
    const x = await page.getByTestId("scatter-x").inputValue();
    const y = await page.getByTestId("scatter-y").inputValue();
    assert.equal(x, "params:hyperparameter_0", "x skips the constant batch_size");
    assert.equal(y, "metrics:accuracy", "y skips the constant a_constant");
    await shot("life-polish-compare");
  });

  test("back and forward move between the tracking pages and the notebook; a reload keeps the page", async () => {
    assert.match(page.url(), /#\/tracking\/experiment\/\d+\/compare\//);
    await page.goBack();
    await page.getByTestId("runs-table").waitFor({ timeout: WAIT_MS });
    assert.match(page.url(), new RegExp(`#/tracking/experiment/${sweep}$`));
    await page.locator(`[data-testid="experiment-item"][data-experiment-id="${single}"] [data-testid="experiment-link"]`).click();
    await page.getByTestId("experiment-title").filter({ hasText: "one-run" }).waitFor({ timeout: WAIT_MS });
    await page.getByTestId("runs-row").first().waitFor({ timeout: WAIT_MS });
    assert.equal(await page.getByTestId("runs-count").innerText(), "1 run");
    await page.getByTestId("run-link").first().click();
    await page.getByTestId("run-back").waitFor({ timeout: WAIT_MS });
    await page.getByTestId("tab-notebook").click();
    assert.match(page.url(), /#\/notebook$/);
    await page.goBack();
    await page.getByTestId("run-back").waitFor({ timeout: WAIT_MS });
    await page.goBack();
    await page.getByTestId("experiment-title").filter({ hasText: "one-run" }).waitFor({ timeout: WAIT_MS });
    await page.goBack();
    await page.getByTestId("experiment-title").filter({ hasText: "wide-sweep" }).waitFor({ timeout: WAIT_MS });
    // Before the experiment the tab opened on by itself comes the notebook, not a bare "#/tracking".
    await page.goBack();
    await page.waitForURL(/#\/notebook$/, { timeout: WAIT_MS });
    await page.goForward();
    await page.getByTestId("experiment-title").filter({ hasText: "wide-sweep" }).waitFor({ timeout: WAIT_MS });
    await page.goForward();
    await page.getByTestId("experiment-title").filter({ hasText: "one-run" }).waitFor({ timeout: WAIT_MS });
    await page.reload();
    await page.getByTestId("experiment-title").filter({ hasText: "one-run" }).waitFor({ timeout: WAIT_MS });
  });

  test("the theme button's first click changes the theme", async () => {
    const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
    const before = await theme();
    await page.getByTestId("theme-toggle").click();
    assert.notEqual(await theme(), before);
    await page.getByTestId("theme-toggle").click();
    assert.equal(await theme(), before);
  });

  test("Restart asks first: No keeps the kernel, Yes restarts it", async () => {
    await page.getByTestId("tab-notebook").click();
    await page.locator('[data-testid="kernel-state"][data-state="idle"]').waitFor({ timeout: WAIT_MS });
    const asked: string[] = [];
    page.once("dialog", (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    await page.getByTestId("restart-kernel").click();
    assert.equal(asked.length, 1);
    assert.match(asked[0], /Restart the kernel\?/);
    assert.equal(await page.getByTestId("kernel-state").getAttribute("data-state"), "idle");
    await page.getByTestId("run-all").click();
    await page.locator('[data-testid="cell-status"][data-status="idle"]').waitFor({ state: "attached", timeout: WAIT_MS });
    page.once("dialog", (d) => void d.accept());
    await page.getByTestId("restart-kernel").click();
    // The restarted kernel holds no values: the cell that ran is stale.
    await page.locator('[data-testid="cell-status"][data-status="stale"]').waitFor({ state: "attached", timeout: WAIT_MS });
  });
});
