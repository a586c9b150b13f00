/**
 * The TF.js example notebooks run headless through the CLI (`flowbook run`) with their default
 * settings, exit 0, and leave the runs, metrics and registry entries they promise.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createMlflow } from "../tracking/client/index.ts";
import { openOwnedStore } from "../tracking/store/index.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "flowbook-examples-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `flowbook run <notebook>` from the project folder into a fresh store. */
function runNotebook(notebook: string, trackingUri: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["bin/flowbook.js", "run", notebook, "--tracking-uri", trackingUri], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d));
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  return new Promise((ok) => child.on("exit", (code) => ok({ code: code ?? -1, stdout, stderr })));
}

test("notebooks/mnist_mlp.ts trains, logs every batch and a model, and exits 0", async () => {
  const uri = `sqlite:///${join(dir, "mnist.db")}`;
  const res = await runNotebook("notebooks/mnist_mlp.ts", uri);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /\[plot 'training, per batch': 2 trace\(s\)\]/);
  const mlflow = createMlflow(uri, openOwnedStore);
  try {
    const [run] = await mlflow.searchRunsList({ experimentIds: [(await mlflow.getExperimentByName("flowbook-mnist-mlp"))!.experiment_id] });
    assert.equal(run!.info.status, "FINISHED");
    const tags = Object.fromEntries(run!.data.tags.map((t) => [t.key, t.value]));
    assert.match(tags["flowbook.tf.backend"]!, /^(tensorflow|wasm|cpu)$/);
    assert.ok(tags["mlflow.log-model.history"]);
    // 2,000 digits less a 10% validation split, in batches of 64, for 3 epochs.
    assert.equal((await mlflow.getMetricHistory(run!.info.run_id, "batch/loss")).length, Math.ceil(1800 / 64) * 3);
    assert.equal((await mlflow.getMetricHistory(run!.info.run_id, "val_acc")).length, 3);
    assert.ok((await mlflow.getMetricHistory(run!.info.run_id, "test_acc"))[0]!.value > 0.5);
  } finally {
    await mlflow.close();
  }
});

test("notebooks/penguins_sweep.ts sweeps, registers the champion and predicts with it, and exits 0", async () => {
  const uri = `sqlite:///${join(dir, "penguins.db")}`;
  const res = await runNotebook("notebooks/penguins_sweep.ts", uri);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /\[plot 'sweep \(best in red: [^']+\)': 1 trace\(s\)\]/);
  assert.match(res.stdout, /actual\s+predicted\s+confidence/);
  const mlflow = createMlflow(uri, openOwnedStore);
  try {
    const runs = await mlflow.searchRunsList({ experimentIds: [(await mlflow.getExperimentByName("flowbook-penguins-sweep"))!.experiment_id] });
    assert.equal(runs.length, 4);
    assert.ok(runs.every((r) => r.info.status === "FINISHED"));
    await mlflow.getStore();
    const client = new mlflow.MlflowClient();
    const champion = await client.getModelVersionByAlias("penguins-classifier", "champion");
    assert.equal(champion.current_stage, "Production");
    const best = Math.max(...runs.map((r) => r.data.metrics.find((m) => m.key === "test_acc")!.value));
    const championRun = runs.find((r) => r.info.run_id === champion.run_id)!;
    assert.equal(championRun.data.metrics.find((m) => m.key === "test_acc")!.value, best);
  } finally {
    await mlflow.close();
  }
});
