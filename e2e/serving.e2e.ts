/**
 * Serving from the registry view: a registered TF.js model's version page starts a local scoring
 * server, which answers MLflow's /invocations protocol, and stops it again.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, startApp } from "./harness.ts";
import { loadTf } from "../electron/ml/backend.ts";
import { logModel } from "../electron/ml/tfjs-mlflow.ts";
import { createMlflow } from "../electron/tracking/client/index.ts";

const WAIT_MS = 30_000;

test("a version page serves the model and stops serving it", { timeout: 120_000 }, async () => {
  const app = await startApp();
  const browser = await launchBrowser();
  try {
    const { tf } = await loadTf();
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1, kernelInitializer: "ones", biasInitializer: "zeros" })] });
    const mlflow = createMlflow(app.host.store);
    await mlflow.startRun();
    await logModel(mlflow, model, "model", { registeredModelName: "adder" });
    await mlflow.endRun();

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(app.url);
    await page.getByTestId("tab-tracking").click();
    await page.getByTestId("nav-models").click();
    await page.locator('[data-testid="model-row"][data-name="adder"] [data-testid="model-link"]').click();
    await page.locator('[data-testid="version-row"][data-version="1"] [data-testid="version-link"]').click();
    await page.getByTestId("serve-start").click();
    const endpoint = (await page.getByTestId("serve-url").textContent({ timeout: WAIT_MS }))!;
    assert.match(endpoint, /^http:\/\/127\.0\.0\.1:\d+\/invocations$/);
    const res = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ dataframe_split: { columns: ["a", "b"], data: [[1, 2]] } }),
    });
    assert.deepEqual(await res.json(), { predictions: [[3]] });
    await page.getByTestId("serve-stop").click();
    await page.getByTestId("serve-start").waitFor({ timeout: WAIT_MS });
    await assert.rejects(fetch(endpoint.replace("/invocations", "/ping")));
  } finally {
    await browser.close();
    await app.close();
  }
});
