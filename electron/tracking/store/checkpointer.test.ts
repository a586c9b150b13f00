import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { createTrackingServer } from "../rest/index.ts";
import { SqliteStore } from "./index.ts";

/** Polls `check` every 20 ms for up to `ms`; whether it came true. */
async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

test("a file store's writes reach the database file by the worker's checkpoints, not the writer's", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-ckpt-"));
  try {
    const path = join(dir, "t.db");
    const store = await SqliteStore.open({ path, defaultArtifactRoot: "mlflow-artifacts:/" });
    const probe = new Database(path, { readonly: true });
    const run = await store.createRun({ experiment_id: "0" });
    await new Promise((r) => setTimeout(r, 1500)); // a checkpoint round takes in what the open wrote
    const before = statSync(path).size;
    // Well below the 1,000 WAL pages at which SQLite's own auto-checkpoint would copy them.
    for (let b = 0; b < 10; b++) {
      const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: `k${i % 10}`, value: i, timestamp: 1, step: b * 1000 + i }));
      await store.logBatch({ run_id: run.info.run_id, metrics });
    }
    assert.ok(await eventually(() => statSync(path).size > before, 5000), "the worker copied the WAL into the database");
    assert.equal((probe.prepare("SELECT COUNT(*) AS n FROM metrics").get() as { n: number }).n, 10_000);
    probe.close();
    await store.close();
    // Closing ends the worker's connection too: the last one to close removes the WAL.
    assert.equal(existsSync(`${path}-wal`), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The WAL's checkpoint sequence number (header bytes 12–15): SQLite bumps it each time it rewinds the WAL. */
function walSequence(path: string): number {
  const header = Buffer.alloc(16);
  const fd = openSync(`${path}-wal`, "r");
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  return header.readUInt32BE(12);
}

test("a server's back-to-back log-metric calls still let the WAL rewind, so it does not grow without bound", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-ckpt-"));
  const path = join(dir, "t.db");
  const store = await SqliteStore.open({ path, defaultArtifactRoot: "mlflow-artifacts:/" });
  const { server } = createTrackingServer({ store, artifactsDestination: join(dir, "mlartifacts"), serveArtifacts: false, log: () => {} });
  try {
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/2.0/mlflow/runs/log-metric`;
    const run = (await store.createRun({ experiment_id: "0" })).info.run_id;
    // One commit per request, each sent when the last is answered, so commits land during every
    // worker pass; before the writer finished passes, the WAL did not rewind once in 8 s here,
    // growing by 13 KB a request.
    let rewinds = 0;
    let step = 0;
    for (let last = walSequence(path), end = Date.now() + 8000; Date.now() < end && rewinds < 5; step++) {
      const res = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ run_id: run, key: "m", value: step, timestamp: 1, step }) });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      const now = walSequence(path);
      if (now !== last) rewinds++;
      last = now;
    }
    assert.equal(rewinds, 5, `the WAL rewound ${rewinds} times in 8 s of writes (${step} commits, ${statSync(`${path}-wal`).size} bytes)`);
  } finally {
    server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a store left open does not keep its process alive", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-ckpt-"));
  try {
    // A script that opens a store, writes, and ends without closing it: its process must exit.
    const script = join(dir, "left-open.mts");
    writeFileSync(
      script,
      `import { SqliteStore } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, "index.ts")).href)};
const store = await SqliteStore.open({ path: ${JSON.stringify(join(dir, "t.db"))}, defaultArtifactRoot: "mlflow-artifacts:/" });
const run = await store.createRun({ experiment_id: "0" });
await store.logMetric(run.info.run_id, { key: "m", value: 1, timestamp: 1, step: 0 });
`,
    );
    const child = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    const exit = new Promise<number | null>((ok) => child.once("exit", (code) => ok(code)));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    const code = await exit;
    clearTimeout(timer);
    assert.equal(code, 0, `the process did not end by itself (killed after 20 s)${err ? `: ${err}` : ""}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
