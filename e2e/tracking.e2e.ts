/**
 * The tracking views end to end in browser mode: the real host and store serve the built renderer
 * and Chromium drives the Tracking tab. Data is seeded through the app's store; the live test logs
 * through the app's MLflow REST API while the chart is open. Needs `dist/renderer`
 * (npx vite build --config renderer/vite.config.ts).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, startApp, type App } from "./harness.ts";
import { createExperiment, MLMODEL, rest, seedRun, writeArtifact } from "./tracking-fixtures.ts";
import type { Run } from "../electron/tracking/types.ts";

const WAIT_MS = 20_000;

let app: App;
let browser: Browser;
let page: Page;
let expId: string;
const runs: Run[] = [];

const row = (runId: string) => page.locator(`[data-testid="runs-row"][data-run-id="${runId}"]`);
const rowNames = () => page.locator('[data-testid="runs-row"] [data-testid="run-link"]').allInnerTexts();

/** Opens the Tracking tab on the seeded experiment's runs table. */
async function openExperiment(): Promise<void> {
  await page.goto(app.url);
  await page.getByTestId("tab-tracking").click();
  await page.locator(`[data-testid="experiment-item"][data-experiment-id="${expId}"] [data-testid="experiment-link"]`).click();
  await page.getByTestId("runs-row").first().waitFor({ timeout: WAIT_MS });
}

async function filter(text: string): Promise<void> {
  await page.getByTestId("runs-filter").fill(text);
  await page.getByTestId("runs-filter-apply").click();
}

describe("tracking views", () => {
  before(async () => {
    app = await startApp();
    expId = await createExperiment(app, "e2e-tracking");
    for (let i = 0; i < 12; i++) {
      runs.push(
        await seedRun(app, expId, {
          name: `run-${String(i).padStart(2, "0")}`,
          params: { lr: ["0.1", "0.01", "0.001"][i % 3], layers: String(2 + (i % 2)) },
          metrics: { acc: [0.5, 0.6 + i / 100], loss: Array.from({ length: 50 }, (_, s) => 1 / (s + 1 + i)) },
          tags: { "flowbook.notebook": "train.ts", "flowbook.cellId": "fit", "flowbook.codeHash": i % 2 ? "h-odd" : "h-even" },
          startTime: Date.now() - (12 - i) * 60_000,
        }),
      );
    }
    writeArtifact(runs[0], "notes.txt", "hello from the artifact store");
    writeArtifact(runs[0], "table.csv", "name,score\nalpha,1\nbeta,2\n");
    writeArtifact(runs[0], "model/MLmodel", MLMODEL);
    writeArtifact(runs[1], "model/MLmodel", MLMODEL);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    await app?.close();
  });

  test("the runs table filters with MLflow's grammar, shows its errors, and sorts on the server", async () => {
    await openExperiment();
    assert.equal((await rowNames()).length, 12);
    await filter("params.lr = '0.1'");
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="runs-row"]').length === 4, null, { timeout: WAIT_MS });
    await page.getByTestId("sort-attr:run_name").click(); // descending first
    await page.waitForFunction(() => document.querySelector('[data-testid="runs-row"] [data-testid="run-link"]')?.textContent === "run-09", null, { timeout: WAIT_MS });
    await page.getByTestId("sort-attr:run_name").click();
    await page.waitForFunction(() => document.querySelector('[data-testid="runs-row"] [data-testid="run-link"]')?.textContent === "run-00", null, { timeout: WAIT_MS });
    assert.deepEqual(await rowNames(), ["run-00", "run-03", "run-06", "run-09"]);

    await filter("params.lr ==");
    await page.getByTestId("runs-filter-error").waitFor({ timeout: WAIT_MS });
    assert.match(await page.getByTestId("runs-filter-error").innerText(), /filter/i);

    await filter("");
    await page.getByTestId("columns-button").click();
    await page.getByTestId("column-option-metrics:acc").check();
    // Click the label, not the header's remove-column button at its right end.
    await page.getByTestId("sort-metrics:acc").click({ position: { x: 10, y: 10 } });
    await page.waitForFunction(() => document.querySelector('[data-testid="runs-row"] [data-testid="run-link"]')?.textContent === "run-11", null, { timeout: WAIT_MS });
  });

  test("opening a run shows its overview, provenance and an artifact preview", async () => {
    await openExperiment();
    await filter("attributes.run_name = 'run-00'");
    await row(runs[0].info.run_id).getByTestId("run-link").click();
    await page.getByTestId("run-page").waitFor({ timeout: WAIT_MS });
    assert.equal(await page.getByTestId("run-title").innerText(), "run-00");
    assert.match(await page.getByTestId("run-params").innerText(), /lr\s+0\.1/);
    assert.equal(await page.getByTestId("provenance-cell").innerText(), "fit");

    await page.getByTestId("run-tab-artifacts").click();
    await page.locator('[data-testid="artifact-item"][data-path="notes.txt"]').click();
    await page.getByTestId("artifact-text").filter({ hasText: "hello from the artifact store" }).waitFor({ timeout: WAIT_MS });
    await page.locator('[data-testid="artifact-item"][data-path="table.csv"]').click();
    await page.getByTestId("artifact-table").filter({ hasText: "beta" }).waitFor({ timeout: WAIT_MS });
  });

  test("comparing two runs highlights differing params and explains the code difference", async () => {
    await openExperiment();
    await row(runs[0].info.run_id).getByTestId("run-select").check();
    await row(runs[1].info.run_id).getByTestId("run-select").check();
    await page.getByTestId("compare-button").click();
    await page.getByTestId("compare-view").waitFor({ timeout: WAIT_MS });
    const lr = page.locator('[data-testid="compare-params"] [data-testid="diff-row"][data-key="lr"]');
    assert.equal(await lr.getAttribute("data-differs"), "true");
    assert.match(await page.getByTestId("code-diff-status").innerText(), /only its hash/);
  });

  test("a chart grows live while a background logger writes through the REST API", async () => {
    const live = await seedRun(app, expId, { name: "live-run", status: "RUNNING", metrics: { loss: [1] } });
    await openExperiment();
    await filter("attributes.run_name = 'live-run'");
    await row(live.info.run_id).getByTestId("run-link").click();
    await page.getByTestId("run-tab-charts").click();
    const plot = page.locator('[data-testid="metric-chart-loss"] [data-testid="metric-chart-plot"]');
    await plot.waitFor({ timeout: WAIT_MS });
    const logger = (async () => {
      for (let step = 1; step <= 60; step++) {
        await rest(app, "runs/log-metric", { run_id: live.info.run_id, key: "loss", value: 1 / (step + 1), timestamp: Date.now(), step });
        await new Promise((r) => setTimeout(r, 15));
      }
    })();
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="metric-chart-loss"] [data-testid="metric-chart-plot"]')?.getAttribute("data-last-step")) >= 20,
      null,
      { timeout: WAIT_MS },
    );
    await logger;
    await page.waitForFunction(
      () => document.querySelector('[data-testid="metric-chart-loss"] [data-testid="metric-chart-plot"]')?.getAttribute("data-last-step") === "60",
      null,
      { timeout: WAIT_MS },
    );
    const drawn = await plot.evaluate((el) => (el as unknown as { data: { name: string; x: number[] }[] }).data.find((t) => t.name === "live-run")?.x.length);
    assert.equal(drawn, 61);
  });

  test("registering a run's model creates versions, and an alias moves between them", async () => {
    const register = async (run: Run, expectVersion: string) => {
      await openExperiment();
      await filter(`attributes.run_name = '${run.info.run_name}'`);
      await row(run.info.run_id).getByTestId("run-link").click();
      await page.getByTestId("run-tab-artifacts").click();
      await page.locator('[data-testid="artifact-item"][data-path="model"]').click();
      await page.getByTestId("register-model-button").click();
      await page.getByTestId("register-model-name").fill("e2e-model");
      await page.getByTestId("register-model-submit").click();
      await page.getByTestId("version-title").filter({ hasText: `Version ${expectVersion}` }).waitFor({ timeout: WAIT_MS });
    };
    await register(runs[0], "1");
    await page.getByTestId("version-signature").filter({ hasText: "double" }).waitFor({ timeout: WAIT_MS });
    await page.getByTestId("alias-input").fill("champion");
    await page.getByTestId("alias-set").click();
    await page.locator('[data-testid="alias-chip"][data-alias="champion"][data-version="1"]').waitFor({ timeout: WAIT_MS });

    await register(runs[1], "2");
    await page.getByTestId("alias-input").fill("champion");
    await page.getByTestId("alias-set").click();
    await page.locator('[data-testid="alias-chip"][data-alias="champion"][data-version="2"]').waitFor({ timeout: WAIT_MS });
    const mv = await app.host.store.getModelVersionByAlias("e2e-model", "champion");
    assert.equal(mv.version, "2");

    await page.getByTestId("nav-models").click();
    await page.locator('[data-testid="model-row"][data-name="e2e-model"] [data-testid="model-link"]').click();
    await page.locator('[data-testid="version-row"][data-version="2"] [data-testid="version-aliases"]').filter({ hasText: "@champion" }).waitFor({ timeout: WAIT_MS });
    assert.equal(await page.locator('[data-testid="version-row"][data-version="1"] [data-testid="version-aliases"]').innerText(), "");
  });
});
