/**
 * The Tracking tab on another tracking server: a second server (Flowbook's REST server over its own
 * store) holds an experiment, runs, metric histories and an artifact; the app connects to it through
 * the connection dialog, and the runs table, a run page, a chart (growing as the remote is re-read)
 * and an artifact preview come from it — then the tab switches back to the app's own store.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { writeArtifact } from "../electron/tracking/client/index.ts";
import { startTestServer, type TestServer } from "../electron/tracking/rest/test-harness.ts";
import type { Run } from "../electron/tracking/types.ts";
import { launchBrowser, startApp, type App } from "./harness.ts";
import { createExperiment, seedRun } from "./tracking-fixtures.ts";

const WAIT_MS = 20_000;
const VERSION: string = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;

let app: App;
let remote: TestServer;
let browser: Browser;
let page: Page;
let remoteExp: string;
const runs: Run[] = [];
let live: Run;

/** Seeds the remote through its own store, as a client of that server would have logged. */
async function seedRemote(): Promise<void> {
  remoteExp = await remote.store.createExperiment("remote-exp");
  const asApp = { host: { store: remote.store } };
  for (let i = 0; i < 3; i++) {
    runs.push(
      await seedRun(asApp, remoteExp, {
        name: `remote-run-${i}`,
        params: { lr: String(0.1 / (i + 1)) },
        metrics: { loss: Array.from({ length: 50 }, (_, s) => 1 / (s + 1 + i)) },
      }),
    );
  }
  live = await seedRun(asApp, remoteExp, { name: "remote-live", status: "RUNNING", metrics: { loss: [1, 0.5] } });
  await writeArtifact(runs[0].info.artifact_uri, "notes.txt", "hello from the other server", { trackingUrl: remote.url });
}

const sourceKind = () => page.getByTestId("tracking-source").getAttribute("data-kind");
const experimentLink = (name: string) => page.locator('[data-testid="experiment-item"] [data-testid="experiment-link"]', { hasText: name });

describe("tracking views on a remote tracking server", () => {
  before(async () => {
    app = await startApp();
    await createExperiment(app, "local-only");
    remote = await startTestServer();
    await seedRemote();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(app.url);
    await page.getByTestId("tab-tracking").click();
    await experimentLink("local-only").waitFor({ timeout: WAIT_MS });
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await remote?.close();
  });

  test("the dialog checks the URL, tests the server and shows why one cannot be reached", async () => {
    assert.equal(await sourceKind(), "local");
    assert.match(await page.getByTestId("view-source").innerText(), /Views: this app's store/);
    await page.getByTestId("connect-tracking-server").click();
    await page.getByTestId("connection-dialog").waitFor();
    await page.getByTestId("source-remote").check();
    await page.getByTestId("server-url").fill("localhost:5000");
    await page.getByTestId("connection-test").click();
    assert.match(await page.getByTestId("server-url-problem").innerText(), /http:\/\/ and https:\/\//);

    await page.getByTestId("server-url").fill("http://127.0.0.1:1");
    await page.getByTestId("connection-test").click();
    const failed = page.locator('[data-testid="connection-result"][data-ok="no"]');
    await failed.waitFor({ timeout: WAIT_MS });
    assert.match(await failed.innerText(), /Cannot reach the tracking server at http:\/\/127\.0\.0\.1:1/);

    await page.getByTestId("server-url").fill(`${remote.url}/`);
    await page.getByTestId("connection-test").click();
    const ok = page.locator('[data-testid="connection-result"][data-ok="yes"]');
    await ok.waitFor({ timeout: WAIT_MS });
    assert.equal(await ok.innerText(), `A tracking server answers at ${remote.url} (version ${VERSION})`);
    assert.equal(await sourceKind(), "local", "testing does not switch");
  });

  test("connecting shows the remote's experiments and runs, and says the views are re-read", async () => {
    await page.getByTestId("connection-connect").click();
    await page.getByTestId("connection-dialog").waitFor({ state: "detached", timeout: WAIT_MS });
    await page.locator('[data-testid="tracking-source"][data-kind="remote"]').waitFor({ timeout: WAIT_MS });
    assert.match(await page.getByTestId("tracking-source").innerText(), new RegExp(`${remote.url.replace(/\./g, "\\.")} \\(version ${VERSION.replace(/\./g, "\\.")}\\)`));
    assert.match(await page.getByTestId("tracking-source-freshness").innerText(), /remote — refreshed every 3 s/);
    assert.match(await page.getByTestId("view-source").innerText(), /remote — refreshed every 3 s/);

    await experimentLink("remote-exp").click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="runs-row"]').length === 4, null, { timeout: WAIT_MS });
    const names = await page.locator('[data-testid="runs-row"] [data-testid="run-link"]').allInnerTexts();
    assert.deepEqual([...names].sort(), ["remote-live", "remote-run-0", "remote-run-1", "remote-run-2"]);
    assert.equal(await experimentLink("local-only").count(), 0);
  });

  test("a run page, its chart and an artifact preview come from the remote", async () => {
    await page.locator(`[data-testid="runs-row"][data-run-id="${runs[0].info.run_id}"] [data-testid="run-link"]`).click();
    await page.getByTestId("run-page").waitFor({ timeout: WAIT_MS });
    assert.equal(await page.getByTestId("run-title").innerText(), "remote-run-0");
    await page.getByTestId("run-tab-charts").click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="metric-chart-loss"] [data-testid="metric-chart-plot"]')?.getAttribute("data-point-count") === "50",
      null,
      { timeout: WAIT_MS },
    );
    await page.getByTestId("run-tab-artifacts").click();
    await page.locator('[data-testid="artifact-item"][data-path="notes.txt"]').click();
    await page.getByTestId("artifact-text").filter({ hasText: "hello from the other server" }).waitFor({ timeout: WAIT_MS });
    // The page loads it from its own origin, through the host's proxy for that server.
    assert.match((await page.getByTestId("artifact-download").getAttribute("href")) ?? "", /^\/view-source\/[\w-]+\/get-artifact\?/);
  });

  test("a running run's chart grows as the remote is re-read", async () => {
    await page.getByTestId("run-back").click();
    await page.locator(`[data-testid="runs-row"][data-run-id="${live.info.run_id}"] [data-testid="run-link"]`).click();
    await page.getByTestId("run-tab-charts").click();
    const lastStep = () => page.locator('[data-testid="metric-chart-loss"] [data-testid="metric-chart-plot"]').getAttribute("data-last-step");
    await page.waitForFunction(
      () => document.querySelector('[data-testid="metric-chart-loss"] [data-testid="metric-chart-plot"]')?.getAttribute("data-last-step") === "1",
      null,
      { timeout: WAIT_MS },
    );
    const now = Date.now();
    await remote.store.logBatch({ run_id: live.info.run_id, metrics: [2, 3, 4].map((step) => ({ key: "loss", value: 1 / (step + 1), step, timestamp: now + step })) });
    await page.waitForFunction(
      () => document.querySelector('[data-testid="metric-chart-loss"] [data-testid="metric-chart-plot"]')?.getAttribute("data-last-step") === "4",
      null,
      { timeout: WAIT_MS },
    );
    assert.equal(await lastStep(), "4");
    const drawn = await page
      .locator('[data-testid="metric-chart-loss"] [data-testid="metric-chart-plot"]')
      .evaluate((el) => (el as unknown as { data: { name: string; x: number[] }[] }).data.find((t) => t.name === "remote-live")?.x);
    assert.deepEqual(drawn, [0, 1, 2, 3, 4]);
  });

  test("after a reload the Tracking tab shows the remote again", async () => {
    await page.reload();
    await page.getByTestId("tab-tracking").click();
    await page.locator('[data-testid="tracking-source"][data-kind="remote"]').waitFor({ timeout: WAIT_MS });
    await experimentLink("remote-exp").waitFor({ timeout: WAIT_MS });
    assert.equal(await experimentLink("local-only").count(), 0);
  });

  test("switching back to this app's store shows its own experiments again", async () => {
    await page.getByTestId("view-source").click();
    await page.getByTestId("connection-dialog").waitFor();
    await page.getByTestId("source-local").check();
    await page.getByTestId("connection-connect").click();
    await page.locator('[data-testid="tracking-source"][data-kind="local"]').waitFor({ timeout: WAIT_MS });
    await experimentLink("local-only").waitFor({ timeout: WAIT_MS });
    assert.equal(await experimentLink("remote-exp").count(), 0);
    assert.match(await page.getByTestId("view-source").innerText(), /Views: this app's store/);
    // The server is remembered for next time; the choice of this store holds across a reload.
    await page.getByTestId("connect-tracking-server").click();
    await page.getByTestId("source-remote").check();
    assert.deepEqual(await page.getByTestId("recent-server").allInnerTexts(), [remote.url]);
    await page.getByTestId("connection-cancel").click();
    await page.reload();
    await page.getByTestId("tab-tracking").click();
    await experimentLink("local-only").waitFor({ timeout: WAIT_MS });
    assert.equal(await sourceKind(), "local");
  });
});
