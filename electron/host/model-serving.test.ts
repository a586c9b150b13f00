import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HostEvent } from "../protocol.ts";
import { loadTf } from "../ml/backend.ts";
import { logModel } from "../ml/tfjs-mlflow.ts";
import { createMlflow } from "../tracking/client/index.ts";
import { createHost } from "./host.ts";

test("the app serves a registered version by alias over MLflow's scoring protocol, and stops it", { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-serving-"));
  const host = await createHost({ notebookDir: dir });
  const replies = new Map<string, (e: Extract<HostEvent, { type: "reply" }>) => void>();
  let deliver: (raw: unknown) => void = () => undefined;
  host.connect({
    send: (e) => {
      if (e.type === "reply") replies.get(e.requestId)?.(e);
    },
    onCommand: (cb) => {
      deliver = cb;
      return () => undefined;
    },
  });
  let n = 0;
  const serve = (action: string, modelUri: string) =>
    new Promise<Extract<HostEvent, { type: "reply" }>>((ok) => {
      const requestId = `s${++n}`;
      replies.set(requestId, ok);
      deliver({ type: "serve-model", requestId, action, modelUri });
    });
  try {
    const { tf } = await loadTf();
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1, kernelInitializer: "ones", biasInitializer: "zeros" })] });
    const mlflow = createMlflow(host.store);
    await mlflow.startRun();
    const info = await logModel(mlflow, model, "model", { registeredModelName: "adder" });
    await mlflow.endRun();
    await host.store.setRegisteredModelAlias("adder", "champion", info.registeredVersion!.version);

    const started = await serve("start", "models:/adder@champion");
    assert.equal(started.error, undefined, started.error?.message);
    const url = (started.result as { url: string }).url;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${url}/invocations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ inputs: [[1, 2], [3, 4]] }),
    });
    assert.deepEqual(await res.json(), { predictions: [[3], [7]] });
    assert.deepEqual((await serve("status", "models:/adder@champion")).result, { url });
    assert.deepEqual((await serve("start", "models:/adder@champion")).result, { url }, "a second start reuses the server");

    assert.deepEqual((await serve("stop", "models:/adder@champion")).result, { url: null });
    await assert.rejects(fetch(`${url}/ping`));

    const missing = await serve("start", "models:/nope@champion");
    assert.match(missing.error!.message, /no registered model named 'nope' \(so no alias 'champion'\)/);
    const invalid = await serve("start", "/etc/passwd");
    assert.match(invalid.error!.message, /models:\/ or runs:\/ URI/);
  } finally {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
