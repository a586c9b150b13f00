/**
 * A notebook cell embeds a live tracking view (`mlflow.ui.runsTable`): the renderer draws it from
 * the store, and a run logged afterwards through the app's MLflow REST API appears in it without
 * the cell re-running.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchBrowser, startApp } from "./harness.ts";
import { createExperiment, rest } from "./tracking-fixtures.ts";

const WAIT_MS = 30_000;

test("a cell's mlflow.ui.runsTable shows the experiment's runs and grows live", { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-cell-views-"));
  const notebook = join(dir, "views.ts");
  writeFileSync(
    notebook,
    [
      "// %% [cell id=imports]",
      'import { mlflow } from "flowbook";',
      "",
      "// %% [cell id=table]",
      'mlflow.ui.runsTable({ experimentName: "embedded", columns: ["metrics.loss"] });',
      "",
    ].join("\n"),
  );
  const app = await startApp({ dir, notebook });
  const browser = await launchBrowser();
  try {
    const expId = await createExperiment(app, "embedded");
    const logRun = async (name: string) => {
      const { run } = (await rest(app, "runs/create", { experiment_id: expId, run_name: name, start_time: Date.now() })) as {
        run: { info: { run_id: string } };
      };
      await rest(app, "runs/log-metric", { run_id: run.info.run_id, key: "loss", value: 0.5, timestamp: Date.now(), step: 0 });
    };
    await logRun("before-open");
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(app.url);
    await page.getByText("Kernel: idle").waitFor({ timeout: WAIT_MS });
    await page.getByRole("button", { name: /Run all/ }).click();
    const view = page.locator('[data-cell-id="table"] [data-testid="tracking-view"][data-view="runs-table"]');
    await view.getByText("before-open").waitFor({ timeout: WAIT_MS });
    await logRun("logged-later");
    await view.getByText("logged-later").waitFor({ timeout: WAIT_MS });
    assert.equal(await page.locator('[data-testid="tracking-view-error"]').count(), 0);
  } finally {
    await browser.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
