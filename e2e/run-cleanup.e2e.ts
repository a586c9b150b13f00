/**
 * No run is left RUNNING by a kernel that went away, as the user sees it in browser mode: a cell
 * training in a loop logs to a run, Restart kills the kernel, and the Tracking tab shows the run
 * KILLED. Needs `dist/renderer` (the harness builds it).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { openNotebookInBrowser, type App, type NotebookSession } from "./harness.ts";

const WAIT_MS = 20_000;

const NOTEBOOK = `// %% [cell id=imports]
import { mlflow } from "flowbook";

// %% [cell id=train]
await mlflow.setExperiment("e2e-restart");
await mlflow.startRun({ runName: "training" });
for (let step = 0; ; step++) {
  await mlflow.logMetric("loss", 1 / (step + 1), { step });
  await new Promise((resolve) => setTimeout(resolve, 20));
}
`;

describe("Restart mid-training", () => {
  let session: NotebookSession;
  let app: App;
  let page: Page;

  before(async () => {
    session = await openNotebookInBrowser(NOTEBOOK, { fileName: "train.ts", timeoutMs: WAIT_MS });
    ({ app, page } = session);
  });

  after(async () => {
    await session?.close();
  });

  test("ends the training cell's run KILLED, shown in the Tracking tab", async () => {
    await page.getByTestId("run-all").click();
    await page.waitForSelector('[data-testid="cell"][data-cell-id="train"][data-status="running"]', { timeout: WAIT_MS });
    const exp = await until(async () => (await app.host.store.getExperimentByName("e2e-restart"))?.experiment_id);
    // Training has logged a few points: the run is RUNNING.
    const running = await until(async () => {
      const runs = await app.host.store.searchRuns({ experiment_ids: [exp] });
      const run = runs.items[0];
      return run && run.data.metrics.length > 0 ? run : undefined;
    });
    assert.equal(running.info.status, "RUNNING");

    // Restart asks first; the user agrees.
    page.once("dialog", (d) => void d.accept());
    await page.getByTestId("restart-kernel").click();
    await page.getByTestId("tab-tracking").click();
    await page.locator(`[data-testid="experiment-item"][data-experiment-id="${exp}"] [data-testid="experiment-link"]`).click();
    const row = page.locator('[data-testid="runs-row"]', { hasText: "training" });
    await row.locator('[data-testid="run-status"]', { hasText: "KILLED" }).waitFor({ timeout: WAIT_MS });
    const ended = await app.host.store.getRun(running.info.run_id);
    assert.equal(ended.info.status, "KILLED");
    assert.ok(ended.info.end_time);
  });
});

async function until<T>(get: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + WAIT_MS;
  for (;;) {
    const value = await get().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}
