/**
 * Wire compatibility with the real Python `mlflow` client (2.12.2, run from source): it logs,
 * searches, moves artifacts and uses the registry against `flowbook server`, unchanged, on a SQLite
 * store and once more on PostgreSQL (a throwaway cluster; skipped, naming the install command, where
 * PostgreSQL is absent).
 * MLflow's source is not part of this project: the vendored 2.12.2 tarball beside it (or
 * FLOWBOOK_MLFLOW_SRC) is used with Debian's python3 packages, see `realMlflow`. Without them the
 * test is skipped and says what to install.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { realMlflow } from "../electron/tracking/rest/test-mlflow.ts";
import { postgresMissing, startTestPostgres, type TestPostgres } from "../electron/tracking/pg/test-postgres.ts";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const mlflow = realMlflow();
const skipReason = "skip" in mlflow ? mlflow.skip : false;

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => ok(port));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("server did not become healthy in 30 s");
}

function runPython(script: string, trackingUri: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((ok) => {
    if ("skip" in mlflow) throw new Error(mlflow.skip);
    const child = spawn(mlflow.python, [script], { env: { ...mlflow.env, MLFLOW_TRACKING_URI: trackingUri } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => ok({ code: code ?? 1, stdout, stderr }));
  });
}

/** The PostgreSQL cluster of the last scenario, started on first use. */
let cluster: TestPostgres | undefined;
after(() => cluster?.stop());

async function postgresDatabase(): Promise<string> {
  if (!cluster) {
    const started = await startTestPostgres();
    if ("skip" in started) throw new Error(started.skip);
    cluster = started;
  }
  return cluster.createDatabase();
}

const scenarios = [
  { store: "sqlite", mode: "proxied artifacts" },
  { store: "sqlite", mode: "direct file:// artifacts" },
  { store: "postgresql", mode: "proxied artifacts" },
] as const;

for (const { store, mode } of scenarios) {
  const skip = skipReason || (store === "postgresql" && postgresMissing()) || false;
  test(`the Python mlflow client works unchanged against flowbook server (${store}, ${mode})`, { skip, timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "flowbook-pycompat-"));
    const port = await freePort();
    const backend = store === "postgresql" ? await postgresDatabase() : `sqlite:///${dir}/mlflow.db`;
    const args = ["bin/flowbook.js", "server", "--port", String(port), "--backend-store-uri", backend];
    if (mode === "proxied artifacts") args.push("--artifacts-destination", join(dir, "mlartifacts"));
    else args.push("--no-serve-artifacts", "--default-artifact-root", `file://${join(dir, "artifacts")}`);
    const server = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let serverLog = "";
    server.stdout!.on("data", (d) => (serverLog += d));
    server.stderr!.on("data", (d) => (serverLog += d));
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitForHealth(url, server);
      const result = await runPython(join(root, "test/python/mlflow_client_compat.py"), url);
      assert.equal(result.code, 0, `python failed:\n${result.stderr}\nserver:\n${serverLog}`);
      const seen = JSON.parse(result.stdout);
      assert.equal(seen.experiment, "py-compat");
      assert.equal(seen.experiment_by_name, true);
      assert.equal(seen.status, "FINISHED");
      assert.equal(seen.run_name, "parent");
      assert.deepEqual(seen.params, { lr: "0.01", epochs: "3", optimizer: "adam", batch_p: "v" });
      assert.equal(seen.nan_is_nan, true);
      assert.equal(seen.metrics.loss, 0.2);
      assert.equal(seen.metrics.batch_m, 9);
      assert.deepEqual(seen.tags_subset, { stage: "dev", a: "1", b: "2", batch_t: "t", "mlflow.runName": "parent" });
      assert.equal(seen.child_parent, true);
      assert.deepEqual(seen.history, [
        [0, 1],
        [1, 0.5],
        [2, 1 / 3],
        [3, 0.25],
        [4, 0.2],
      ]);
      assert.deepEqual(seen.artifacts_root, ["config", "notes.txt", "text", "tree"]);
      assert.deepEqual(seen.artifacts_tree, ["tree/deep/x.json"]);
      assert.equal(seen.downloaded, "hello artifacts");
      assert.deepEqual(seen.loaded_dict, { k: [1, 2] });
      assert.equal(seen.search_df_has_columns, true);
      assert.equal(seen.search_df_ids.length, 1);
      assert.deepEqual(seen.search_ordered_names, ["child", "parent"]);
      assert.equal(seen.bad_filter, "INVALID_PARAMETER_VALUE");
      assert.equal(seen.param_change, "INVALID_PARAMETER_VALUE");
      assert.equal(seen.deleted_hidden, true);
      assert.equal(seen.restored_visible, true);
      assert.deepEqual(seen.versions, ["1", "2"]);
      assert.equal(seen.v1_stage, "Archived");
      assert.equal(seen.alias_version, "1");
      assert.equal(seen.alias_moved, "2");
      assert.deepEqual(seen.latest, [
        ["Archived", "1"],
        ["Production", "2"],
      ]);
      assert.deepEqual(seen.search_versions, ["1", "2"]);
      assert.deepEqual(seen.registered_aliases, { champion: "2" });
      assert.equal(seen.missing_alias, "INVALID_PARAMETER_VALUE");
      assert.equal(seen.duplicate_model, "RESOURCE_ALREADY_EXISTS");
    } finally {
      server.kill("SIGINT");
      await new Promise((r) => server.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
