/**
 * The "Tracking store" setting, as a user meets it: a bad URI in the Settings dialog is refused
 * with the reason and changes nothing; a PostgreSQL URI is saved (shown with its password hidden,
 * applying at the next start) and the next app started on the same settings file opens that real
 * database: its status bar names it without the password, and a cell's `mlflow` run lands there.
 * The PostgreSQL half is skipped, with the install command, where PostgreSQL is absent.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, startApp, type App } from "./harness.ts";
import { startTestPostgres, type TestPostgres } from "../electron/tracking/pg/test-postgres.ts";
import { openStore } from "../electron/tracking/store/index.ts";

const WAIT_MS = 30_000;
const SHOTS = "/work/helpers/shots";

const NOTEBOOK = [
  "// %% [cell id=imports]",
  'import { mlflow } from "flowbook";',
  "",
  "// %% [cell id=train]",
  'await mlflow.setExperiment("from-settings");',
  'await mlflow.startRun({ runName: "settings-run" });',
  'await mlflow.logMetric("loss", 0.25);',
  "await mlflow.endRun();",
  "",
].join("\n");

let cluster: TestPostgres | { skip: string };
let browser: Browser;
let configDir: string;
let settingsFile: string;
const started: App[] = [];
const dirs: string[] = [];

/** Starts an app on a fresh folder holding the notebook, with the shared settings file, and opens it in a page. */
async function openApp(): Promise<{ app: App; page: Page }> {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-store-setting-"));
  dirs.push(dir);
  writeFileSync(join(dir, "nb.ts"), NOTEBOOK);
  const app = await startApp({ dir, notebook: join(dir, "nb.ts"), settingsFile });
  started.push(app);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(app.url);
  await page.waitForSelector('[data-testid="kernel-state"][data-state="idle"]', { timeout: WAIT_MS });
  return { app, page };
}

/** Types `uri` into the Settings dialog's tracking store field and saves it. */
async function saveStore(page: Page, uri: string): Promise<void> {
  await page.getByTestId("setting-tracking-uri").fill(uri);
  await page.getByTestId("setting-tracking-uri-save").click();
}

describe("the tracking store in Settings", () => {
  before(async () => {
    cluster = await startTestPostgres();
    browser = await launchBrowser();
    configDir = mkdtempSync(join(tmpdir(), "flowbook-config-"));
    settingsFile = join(configDir, "settings.json");
  });

  after(async () => {
    await browser?.close();
    for (const app of started) await app.close();
    if (cluster && "stop" in cluster) await cluster.stop();
    for (const dir of [...dirs, configDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("a URI the app cannot open as its store is refused with the reason, and nothing changes", { timeout: 120_000 }, async () => {
    const { app, page } = await openApp();
    await page.getByTestId("settings").click();
    await saveStore(page, "http://127.0.0.1:5000");
    await page.getByTestId("settings-error").getByText("unsupported tracking store 'http://127.0.0.1:5000': expected sqlite:///relative.db").waitFor({ timeout: WAIT_MS });
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, "store-setting-error.png") });
    assert.equal(existsSync(settingsFile), false, "nothing was written");
    assert.equal(await page.getByTestId("setting-tracking-uri").inputValue(), "http://127.0.0.1:5000", "what was typed stays to be corrected");
    assert.equal(app.host.trackingUri.startsWith("sqlite:"), true);
    await page.close();
  });

  test("a PostgreSQL store saved in Settings is what the next start opens, its password never shown", { timeout: 180_000 }, async (t) => {
    if ("skip" in cluster) return t.skip(cluster.skip);
    // The test cluster trusts local connections: the password travels as a real one would, unchecked.
    const plain = await cluster.createDatabase();
    const uri = plain.replace("postgresql://postgres@", "postgresql://postgres:s3cret@");
    const shown = plain.replace("postgresql://postgres@", "postgresql://postgres:***@");

    const first = await openApp();
    const inUse = await first.page.getByTestId("tracking-uri").textContent();
    await first.page.getByTestId("settings").click();
    await saveStore(first.page, uri);
    await first.page.getByTestId("setting-tracking-uri-restart").getByText("Applies the next time Flowbook starts").waitFor({ timeout: WAIT_MS });
    await first.page.waitForFunction(([sel, v]) => (document.querySelector(sel) as HTMLInputElement | null)?.value === v, ['[data-testid="setting-tracking-uri"]', shown] as const, {
      timeout: WAIT_MS,
    });
    await first.page.screenshot({ path: join(SHOTS, "store-setting-dialog.png") });
    assert.equal(await first.page.getByTestId("tracking-uri").textContent(), inUse, "the store in use stays until the next start");
    assert.doesNotMatch(await first.page.content(), /s3cret/);
    assert.equal(JSON.parse(readFileSync(settingsFile, "utf8")).trackingUri, uri);
    assert.equal(statSync(settingsFile).mode & 0o777, 0o600);

    // Another setting changed after it keeps the password (the window never had it).
    await first.page.getByTestId("setting-autosave").uncheck();
    await first.page.waitForFunction(() => !(document.querySelector('[data-testid="setting-autosave"]') as HTMLInputElement).checked);
    assert.equal(JSON.parse(readFileSync(settingsFile, "utf8")).trackingUri, uri);
    await first.page.close();

    const second = await openApp();
    await second.page.getByTestId("tracking-uri").getByText(`Store: ${shown}`).waitFor({ timeout: WAIT_MS });
    assert.equal(second.app.host.trackingUri, uri);
    await second.page.getByTestId("run-all").click();
    // The run is read back over a connection of its own: it is in that database, not just the host's view of it.
    const store = await openStore(plain);
    try {
      const end = Date.now() + WAIT_MS;
      for (;;) {
        const exp = await store.getExperimentByName("from-settings");
        const runs = exp ? (await store.searchRuns({ experiment_ids: [exp.experiment_id] })).items : [];
        const run = runs.find((r) => r.info.run_name === "settings-run" && r.info.status === "FINISHED");
        if (run) {
          assert.equal(run.data.metrics.find((m) => m.key === "loss")?.value, 0.25);
          break;
        }
        if (Date.now() > end) throw new Error(`the cell's run did not reach ${shown}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await store.close();
    }
    await second.page.screenshot({ path: join(SHOTS, "store-setting-second-start.png") });
    assert.doesNotMatch(await second.page.content(), /s3cret/);
  });
});
