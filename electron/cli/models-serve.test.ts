/**
 * `flowbook models serve` end to end: the CLI in a child process serves a registered model by alias
 * and answers /invocations with what `loadModel` predicts; bad URIs, unknown models and a busy port
 * exit non-zero with a clear message.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createMlflow } from "../tracking/client/index.ts";
import { openOwnedStore } from "../tracking/store/index.ts";
import { loadTf } from "../ml/backend.ts";
import { loadModel, logModel } from "../ml/tfjs-mlflow.ts";
import { parseServeArgs } from "./models-serve.ts";

const BIN = new URL("../../bin/flowbook.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "flowbook-serve-"));
const trackingUri = `sqlite:///${join(dir, "x.db")}`;
const rows = [
  [0.5, -1, 2],
  [0, 0, 1],
];
let expected: number[][];

before(async () => {
  const { tf } = await loadTf();
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, activation: "softmax" })] });
  const mlflow = createMlflow(trackingUri, openOwnedStore);
  await mlflow.startRun();
  await logModel(mlflow, model, "model", { registeredModelName: "clf" });
  await mlflow.endRun();
  await mlflow.getStore();
  await new mlflow.MlflowClient().setRegisteredModelAlias("clf", "champion", 1);
  expected = await (await loadModel(mlflow, "models:/clf@champion")).predict(rows);
  await mlflow.close();
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI; resolves when it exits, or once `ready` matches its stdout (leaving it running). */
function cli(args: string[], ready?: RegExp) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, MLFLOW_TRACKING_URI: "" } });
  let stdout = "";
  let stderr = "";
  const exited = new Promise<number>((ok) => child.on("exit", (code) => ok(code ?? -1)));
  const started = new Promise<RegExpMatchArray | null>((ok) => {
    child.stdout.on("data", (d: Buffer) => {
      stdout += d;
      const m = ready && stdout.match(ready);
      if (m) ok(m);
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    void exited.then(() => ok(null));
  });
  return { child, exited, started, out: () => ({ stdout, stderr }) };
}

test("serves models:/name@alias with loadModel's predictions", async () => {
  const run = cli(["models", "serve", "-m", "models:/clf@champion", "-p", "0", "--tracking-uri", trackingUri], /on (http:\/\/127\.0\.0\.1:\d+)/);
  try {
    const m = await run.started;
    assert.ok(m, JSON.stringify(run.out()));
    const url = m[1]!;
    assert.equal((await fetch(`${url}/ping`)).status, 200);
    const res = await fetch(`${url}/invocations`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ inputs: rows }) });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { predictions: number[][] };
    assert.deepEqual(body.predictions, expected);
  } finally {
    run.child.kill("SIGTERM");
    assert.equal(await run.exited, 0);
  }
});

test("bad URI, unknown model, missing store and busy port exit non-zero with a reason", async () => {
  const bad = cli(["models", "serve", "-m", "models:/", "--tracking-uri", trackingUri]);
  assert.equal(await bad.exited, 1);
  assert.match(bad.out().stderr, /Not a proper models:\/ URI/);

  const unknown = cli(["models", "serve", "-m", "models:/nope@champion", "--tracking-uri", trackingUri]);
  assert.equal(await unknown.exited, 1);
  assert.match(unknown.out().stderr, /cannot load models:\/nope@champion from sqlite:\/\/\/.*x\.db: no registered model named 'nope'/);
  const noAlias = cli(["models", "serve", "-m", "models:/clf@ghost", "--tracking-uri", trackingUri]);
  assert.equal(await noAlias.exited, 1);
  assert.match(noAlias.out().stderr, /cannot load models:\/clf@ghost from sqlite:\/\/\/.*x\.db: registered model 'clf' exists but has no alias 'ghost' \(its aliases: champion\)/);

  const missing = cli(["models", "serve", "-m", "models:/clf@champion", "--tracking-uri", `sqlite:///${join(dir, "absent.db")}`]);
  assert.equal(await missing.exited, 1);
  assert.match(missing.out().stderr, /no tracking store/);

  const blocker: Server = createServer();
  await new Promise<void>((ok) => blocker.listen(0, "127.0.0.1", ok));
  const port = String((blocker.address() as { port: number }).port);
  try {
    const busy = cli(["models", "serve", "-m", "models:/clf@champion", "-p", port, "--tracking-uri", trackingUri]);
    assert.equal(await busy.exited, 1);
    assert.match(busy.out().stderr, /already in use/);
  } finally {
    blocker.close();
  }

  const usage = cli(["models", "serve", "-p", "5001"]);
  assert.equal(await usage.exited, 2);
  assert.match(usage.out().stderr, /missing -m/);
});

test("serve arguments: defaults, env tracking URI, inline values", () => {
  assert.deepEqual(parseServeArgs(["-m", "runs:/abc/model"], {}), { modelUri: "runs:/abc/model", port: 5001, host: "127.0.0.1", trackingUri: `sqlite:///${resolve("notebooks", "flowbook.db")}` });
  assert.deepEqual(parseServeArgs(["--model-uri=models:/m/1", "--port=7000", "--host", "0.0.0.0"], { MLFLOW_TRACKING_URI: "http://t:5000" }), {
    modelUri: "models:/m/1",
    port: 7000,
    host: "0.0.0.0",
    trackingUri: "http://t:5000",
  });
  assert.throws(() => parseServeArgs(["-m", "x", "-p", "http"], {}), /invalid port/);
});
