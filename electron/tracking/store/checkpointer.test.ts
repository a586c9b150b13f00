import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
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
