import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { StoreChange } from "../contract.ts";
import { SqliteStore } from "./index.ts";
import { forEachBackend, rejectsWith } from "./test-support.ts";

// SQLite-only: a database file and its WAL mode exist only there (PostgreSQL's reopen is below).
test("a file database keeps its data, is WAL, and does not recreate Default", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-store-"));
  try {
    const path = join(dir, "t.db");
    let store = await SqliteStore.open({ path, defaultArtifactRoot: "file:///data/art/" });
    const id = await store.createExperiment("kept");
    await store.close();
    store = await SqliteStore.open({ path, defaultArtifactRoot: "file:///data/art/" });
    assert.equal((await store.getExperiment(id)).artifact_location, "file:///data/art/1");
    const page = await store.searchExperiments({});
    assert.deepEqual(page.items.map((e) => e.name).sort(), ["Default", "kept"]);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

forEachBackend(({ open, shared }) => {
  test("stores opening one database at once migrate it once, keep its data and share one Default", async () => {
    const openShared = await shared();
    const stores = await Promise.all(Array.from({ length: 4 }, () => openShared("file:///data/art/")));
    const id = await stores[0]!.createExperiment("kept");
    // Another store's write is visible at once, and concurrent creates never collide on ids.
    assert.equal((await stores[1]!.getExperiment(id)).artifact_location, "file:///data/art/1");
    const ids = await Promise.all(stores.map((s, i) => s.createExperiment(`e${i}`)));
    assert.equal(new Set(ids).size, 4);
    for (const s of stores) await s.close();
    const again = await openShared("file:///data/art/");
    const page = await again.searchExperiments({});
    assert.deepEqual(page.items.map((e) => e.name).sort(), ["Default", "e0", "e1", "e2", "e3", "kept"]);
    await again.close();
  });

  test("first open creates the Default experiment 0 under the artifact root", async () => {
    const store = await open();
    const exp = await store.getExperiment("0");
    assert.equal(exp.name, "Default");
    assert.equal(exp.artifact_location, "mlflow-artifacts:/0");
    assert.equal(exp.lifecycle_stage, "active");
    await store.close();
  });

  test("experiment ids are increasing integer strings and names are unique even when deleted", async () => {
    const store = await open();
    const a = await store.createExperiment("a", undefined, [{ key: "k", value: "v" }]);
    const b = await store.createExperiment("b", "s3://bucket/b");
    assert.deepEqual([a, b], ["1", "2"]);
    assert.equal((await store.getExperiment(b)).artifact_location, "s3://bucket/b");
    assert.deepEqual((await store.getExperiment(a)).tags, [{ key: "k", value: "v" }]);
    await store.deleteExperiment(a);
    await rejectsWith(store.createExperiment("a"), "RESOURCE_ALREADY_EXISTS", "Experiment(name=a) already exists.");
    await store.close();
  });

  test("invalid experiment names and unknown ids are MLflow errors", async () => {
    const store = await open();
    await rejectsWith(store.createExperiment(""), "INVALID_PARAMETER_VALUE", /Invalid experiment name/);
    await rejectsWith(store.createExperiment("x".repeat(501)), "INVALID_PARAMETER_VALUE", /exceeded length limit of 500/);
    await rejectsWith(store.getExperiment("42"), "RESOURCE_DOES_NOT_EXIST", "No Experiment with id=42 exists");
    await rejectsWith(store.getExperiment("abc"), "RESOURCE_DOES_NOT_EXIST");
    assert.equal(await store.getExperimentByName("nope"), null);
    await store.close();
  });

  test("delete and restore move the experiment and its runs between lifecycle stages", async () => {
    const store = await open();
    const id = await store.createExperiment("e");
    const run = await store.createRun({ experiment_id: id });
    const before = (await store.getExperiment(id)).last_update_time;
    await store.deleteExperiment(id);
    const deleted = await store.getExperiment(id);
    assert.equal(deleted.lifecycle_stage, "deleted");
    assert.ok(deleted.last_update_time >= before);
    assert.equal((await store.getRun(run.info.run_id)).info.lifecycle_stage, "deleted");
    await rejectsWith(store.createRun({ experiment_id: id }), "INVALID_PARAMETER_VALUE", /must be in the 'active' state/);
    await rejectsWith(store.deleteExperiment(id), "INVALID_PARAMETER_VALUE");
    await store.restoreExperiment(id);
    assert.equal((await store.getExperiment(id)).lifecycle_stage, "active");
    assert.equal((await store.getRun(run.info.run_id)).info.lifecycle_stage, "active");
    await store.close();
  });

  test("rename and experiment tags", async () => {
    const store = await open();
    const id = await store.createExperiment("old");
    await store.createExperiment("taken");
    await store.renameExperiment(id, "new");
    assert.equal((await store.getExperimentByName("new"))?.experiment_id, id);
    await rejectsWith(store.renameExperiment(id, "taken"), "RESOURCE_ALREADY_EXISTS");
    await store.setExperimentTag(id, "team", "a");
    await store.setExperimentTag(id, "team", "b");
    assert.deepEqual((await store.getExperiment(id)).tags, [{ key: "team", value: "b" }]);
    await store.deleteExperimentTag(id, "team");
    assert.deepEqual((await store.getExperiment(id)).tags, []);
    await rejectsWith(store.deleteExperimentTag(id, "team"), "RESOURCE_DOES_NOT_EXIST");
    await store.close();
  });

  test("searchExperiments filters, orders and pages in SQL", async () => {
    const store = await open();
    for (const name of ["alpha", "Beta", "gamma", "delta"]) {
      const id = await store.createExperiment(name);
      await store.setExperimentTag(id, "len", String(name.length));
    }
    await store.deleteExperiment((await store.getExperimentByName("delta"))!.experiment_id);
    const names = async (req: Parameters<SqliteStore["searchExperiments"]>[0]) =>
      (await store.searchExperiments(req)).items.map((e) => e.name);
    assert.deepEqual(await names({ order_by: ["name ASC"] }), ["Beta", "Default", "alpha", "gamma"]);
    assert.deepEqual(await names({ filter: "name LIKE 'b%'" }), []);
    assert.deepEqual(await names({ filter: "name ILIKE 'b%'" }), ["Beta"]);
    assert.deepEqual(await names({ filter: "tags.len = '5'", order_by: ["name"] }), ["alpha", "gamma"]);
    assert.deepEqual(await names({ view_type: "DELETED_ONLY" }), ["delta"]);
    assert.equal((await names({ view_type: "ALL" })).length, 5);
    assert.deepEqual(await names({ filter: "creation_time > 0", order_by: ["experiment_id DESC"] }), ["gamma", "Beta", "alpha", "Default"]);
    const first = await store.searchExperiments({ max_results: 3, order_by: ["experiment_id"] });
    assert.deepEqual(first.items.map((e) => e.experiment_id), ["0", "1", "2"]);
    assert.ok(first.next_page_token);
    const second = await store.searchExperiments({ max_results: 3, order_by: ["experiment_id"], page_token: first.next_page_token });
    assert.deepEqual(second.items.map((e) => e.experiment_id), ["3"]);
    assert.equal(second.next_page_token, undefined);
    await rejectsWith(store.searchExperiments({ max_results: 50_001 }), "INVALID_PARAMETER_VALUE");
    await rejectsWith(store.searchExperiments({ filter: "name ~ 'x'" }), "INVALID_PARAMETER_VALUE");
    await rejectsWith(store.searchExperiments({ page_token: "!!" }), "INVALID_PARAMETER_VALUE");
    await store.close();
  });

  test("change events arrive after commit, and a throwing listener does not break the write", async () => {
    const store = await open();
    const seen: StoreChange[] = [];
    store.onChange(() => {
      throw new Error("listener bug");
    });
    const unsubscribe = store.onChange((c) => seen.push(c));
    const originalError = console.error;
    console.error = () => {};
    try {
      const id = await store.createExperiment("ev");
      assert.deepEqual(seen, [{ type: "experiment", experiment_id: id }]);
      await rejectsWith(store.createExperiment("ev"), "RESOURCE_ALREADY_EXISTS");
      assert.equal(seen.length, 1, "a failed write emits nothing");
      unsubscribe();
      await store.setExperimentTag(id, "k", "v");
      assert.equal(seen.length, 1);
      assert.equal((await store.getExperiment(id)).tags.length, 1);
    } finally {
      console.error = originalError;
    }
    await store.close();
  });
});
