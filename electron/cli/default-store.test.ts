/**
 * `flowbook server` and `models serve` started in a project folder use the store the app writes
 * there (`notebooks/flowbook.db`, see tracking/store/default-store.ts), not a fresh `./flowbook.db`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHost } from "../host/host.ts";

const BIN = new URL("../../bin/flowbook.js", import.meta.url).pathname;

test("flowbook server in a project folder serves the experiments the app logged in notebooks/", { timeout: 60_000 }, async () => {
  const project = mkdtempSync(join(tmpdir(), "flowbook-project-"));
  try {
    mkdirSync(join(project, "notebooks"));
    // What `flowbook start` does in the project: a host on notebooks/.
    const host = await createHost({ notebookDir: join(project, "notebooks") });
    await host.store.createExperiment("from-the-app");
    await host.close();

    const child = spawn(process.execPath, [BIN, "server", "--port", "0"], { cwd: project, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((ok) => child.once("exit", ok));
    try {
      const deadline = Date.now() + 30_000;
      let url: string | undefined;
      while (!url && Date.now() < deadline && child.exitCode === null) {
        url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
        if (!url) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(url, `no URL in:\n${out}`);
      const found = await fetch(`${url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=from-the-app`);
      assert.equal(found.status, 200, await found.clone().text());
      assert.equal(existsSync(join(project, "flowbook.db")), false, "no second store beside notebooks/");
    } finally {
      child.kill("SIGINT");
      await exited;
    }

    const serve = spawn(process.execPath, [BIN, "models", "serve", "-m", "models:/absent@champion", "-p", "0"], { cwd: project, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    serve.stderr.on("data", (d) => (err += d));
    assert.equal(await new Promise((ok) => serve.once("exit", ok)), 1);
    assert.match(err, new RegExp(`from sqlite:///${join(project, "notebooks", "flowbook.db").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: no registered model named 'absent'`));
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});
