import assert from "node:assert/strict";
import { test } from "node:test";
import type { StoreChange } from "../contract.ts";
import { forEachBackend, rejectsWith } from "./test-support.ts";

forEachBackend(({ open }) => {
  test("createRun fills MLflow's run info and mirrors a generated name into mlflow.runName", async () => {
    const store = await open();
    const run = await store.createRun({ experiment_id: "0", user_id: "ann", start_time: 1000 });
    assert.match(run.info.run_id, /^[0-9a-f]{32}$/);
    assert.equal(run.info.run_uuid, run.info.run_id);
    assert.match(run.info.run_name, /^[a-z]+-[a-z]+-\d{1,3}$/);
    assert.equal(run.info.status, "RUNNING");
    assert.equal(run.info.start_time, 1000);
    assert.equal(run.info.end_time, undefined);
    assert.equal(run.info.user_id, "ann");
    assert.equal(run.info.artifact_uri, `mlflow-artifacts:/0/${run.info.run_id}/artifacts`);
    assert.deepEqual(run.data.tags, [{ key: "mlflow.runName", value: run.info.run_name }]);
    await store.close();
  });

  test("createRun errors on unknown experiments and conflicting names", async () => {
    const store = await open();
    await rejectsWith(store.createRun({ experiment_id: "9" }), "RESOURCE_DOES_NOT_EXIST", "No Experiment with id=9 exists");
    await rejectsWith(
      store.createRun({ experiment_id: "0", run_name: "a", tags: [{ key: "mlflow.runName", value: "b" }] }),
      "INVALID_PARAMETER_VALUE",
    );
    const named = await store.createRun({ experiment_id: "0", tags: [{ key: "mlflow.runName", value: "from-tag" }] });
    assert.equal(named.info.run_name, "from-tag");
    await rejectsWith(store.getRun("missing"), "RESOURCE_DOES_NOT_EXIST", "Run with id=missing not found");
    await store.close();
  });

  test("updateRun sets status, end time and name; the mlflow.runName tag renames too", async () => {
    const store = await open();
    const id = (await store.createRun({ experiment_id: "0", run_name: "first" })).info.run_id;
    const info = await store.updateRun({ run_id: id, status: "FINISHED", end_time: 5000, run_name: "second" });
    assert.equal(info.status, "FINISHED");
    assert.equal(info.end_time, 5000);
    assert.equal(info.run_name, "second");
    await store.setTag(id, { key: "mlflow.runName", value: "third" });
    const run = await store.getRun(id);
    assert.equal(run.info.run_name, "third");
    assert.deepEqual(run.data.tags, [{ key: "mlflow.runName", value: "third" }]);
    // MLflow only requires an active run, so a finished run still takes writes.
    await store.logParam(id, { key: "late", value: "ok" });
    await rejectsWith(store.updateRun({ run_id: id, status: "DONE" as never }), "INVALID_PARAMETER_VALUE");
    await store.close();
  });

  test("a deleted run refuses writes until restored", async () => {
    const store = await open();
    const id = (await store.createRun({ experiment_id: "0" })).info.run_id;
    await store.deleteRun(id);
    assert.equal((await store.getRun(id)).info.lifecycle_stage, "deleted");
    const message = `The run ${id} must be in the 'active' state. Current state is deleted.`;
    await rejectsWith(store.logMetric(id, { key: "m", value: 1, timestamp: 0, step: 0 }), "INVALID_PARAMETER_VALUE", message);
    await rejectsWith(store.setTag(id, { key: "t", value: "v" }), "INVALID_PARAMETER_VALUE", message);
    await rejectsWith(store.deleteRun(id), "INVALID_PARAMETER_VALUE");
    await store.restoreRun(id);
    await store.logMetric(id, { key: "m", value: 1, timestamp: 0, step: 0 });
    await rejectsWith(store.restoreRun(id), "INVALID_PARAMETER_VALUE");
    await store.close();
  });

  test("params are immutable: same value is a no-op, a new value fails with MLflow's message", async () => {
    const store = await open();
    const id = (await store.createRun({ experiment_id: "0" })).info.run_id;
    await store.logParam(id, { key: "lr", value: "0.1" });
    await store.logParam(id, { key: "lr", value: "0.1" });
    await rejectsWith(
      store.logParam(id, { key: "lr", value: "0.2" }),
      "INVALID_PARAMETER_VALUE",
      `Changing param values is not allowed. Param with key='lr' was already logged with value='0.1' for run ID='${id}'. Attempted logging new value '0.2'.`,
    );
    await rejectsWith(
      store.logBatch({ run_id: id, params: [{ key: "a", value: "1" }, { key: "a", value: "2" }] }),
      "INVALID_PARAMETER_VALUE",
      /^Duplicate parameter keys have been submitted: \['a'\]/,
    );
    assert.deepEqual((await store.getRun(id)).data.params, [{ key: "lr", value: "0.1" }]);
    await store.close();
  });

  test("keys and values are validated with MLflow's limits", async () => {
    const store = await open();
    const id = (await store.createRun({ experiment_id: "0" })).info.run_id;
    await rejectsWith(store.logParam(id, { key: "bad*key", value: "v" }), "INVALID_PARAMETER_VALUE", /Invalid param name/);
    await rejectsWith(store.logParam(id, { key: "../up", value: "v" }), "INVALID_PARAMETER_VALUE", /normalized/);
    await rejectsWith(store.logParam(id, { key: "/abs", value: "v" }), "INVALID_PARAMETER_VALUE");
    await rejectsWith(store.logParam(id, { key: "k".repeat(251), value: "v" }), "INVALID_PARAMETER_VALUE", /length limit of 250/);
    await store.logParam(id, { key: "ok key/with.dots-and_dash", value: "v".repeat(6000) });
    await rejectsWith(store.logParam(id, { key: "long", value: "v".repeat(6001) }), "INVALID_PARAMETER_VALUE", /6000/);
    await store.setTag(id, { key: "t", value: "v".repeat(5000) });
    await rejectsWith(store.setTag(id, { key: "t", value: "v".repeat(5001) }), "INVALID_PARAMETER_VALUE", /5000/);
    await rejectsWith(store.logMetric(id, { key: "m", value: "1" as never, timestamp: 0, step: 0 }), "INVALID_PARAMETER_VALUE");
    await rejectsWith(store.logMetric(id, { key: "m", value: 1, timestamp: -1, step: 0 }), "INVALID_PARAMETER_VALUE");
    await rejectsWith(store.logMetric(id, { key: "m", value: 1, timestamp: 0, step: 0.5 }), "INVALID_PARAMETER_VALUE");
    await store.close();
  });

  test("tags: last write wins, system tags allowed, deleting a missing tag is RESOURCE_DOES_NOT_EXIST", async () => {
    const store = await open();
    const id = (await store.createRun({ experiment_id: "0", run_name: "r" })).info.run_id;
    await store.setTag(id, { key: "mlflow.note.content", value: "a" });
    await store.setTag(id, { key: "mlflow.note.content", value: "b" });
    await store.deleteTag(id, "mlflow.note.content");
    assert.deepEqual((await store.getRun(id)).data.tags, [{ key: "mlflow.runName", value: "r" }]);
    await rejectsWith(store.deleteTag(id, "nope"), "RESOURCE_DOES_NOT_EXIST", `No tag with name: nope in run with id ${id}`);
    await store.close();
  });

  test("logBatch enforces MLflow's size limits and writes nothing when any item is invalid", async () => {
    const store = await open();
    const id = (await store.createRun({ experiment_id: "0" })).info.run_id;
    const metric = (i: number) => ({ key: "m", value: i, timestamp: i, step: i });
    await rejectsWith(store.logBatch({ run_id: id, metrics: Array.from({ length: 1001 }, (_, i) => metric(i)) }), "INVALID_PARAMETER_VALUE", /at most 1000 metrics/);
    await rejectsWith(store.logBatch({ run_id: id, params: Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: "v" })) }), "INVALID_PARAMETER_VALUE", /at most 100 params/);
    await rejectsWith(store.logBatch({ run_id: id, tags: Array.from({ length: 101 }, (_, i) => ({ key: `t${i}`, value: "v" })) }), "INVALID_PARAMETER_VALUE", /at most 100 tags/);
    await rejectsWith(
      store.logBatch({ run_id: id, metrics: Array.from({ length: 950 }, (_, i) => metric(i)), params: Array.from({ length: 51 }, (_, i) => ({ key: `p${i}`, value: "v" })) }),
      "INVALID_PARAMETER_VALUE",
      /at most 1000 total/,
    );
    await rejectsWith(store.logBatch({ run_id: id, metrics: [metric(1)], tags: [{ key: "bad*", value: "v" }] }), "INVALID_PARAMETER_VALUE");
    const run = await store.getRun(id);
    assert.deepEqual(run.data.metrics, []);
    await store.logBatch({ run_id: id, metrics: Array.from({ length: 1000 }, (_, i) => metric(i)) });
    const history = await store.getMetricHistory({ run_id: id, metric_key: "m" });
    assert.equal(history.items.length, 1000);
    await store.close();
  });

  test("logBatch emits one run change and one metrics change carrying the points", async () => {
    const store = await open();
    const id = (await store.createRun({ experiment_id: "0" })).info.run_id;
    const seen: StoreChange[] = [];
    store.onChange((c) => seen.push(c));
    await store.logBatch({
      run_id: id,
      params: [{ key: "p", value: "1" }],
      tags: [{ key: "t", value: "1" }],
      metrics: [{ key: "m", value: 1, timestamp: 1, step: 0 }],
    });
    assert.deepEqual(seen, [
      { type: "run", run_id: id, experiment_id: "0" },
      { type: "metrics", run_id: id, experiment_id: "0", metrics: [{ key: "m", value: 1, timestamp: 1, step: 0 }] },
    ]);
    await store.close();
  });

  test("logInputs stores datasets once per experiment by name and digest, with input tags", async () => {
    const store = await open();
    const a = (await store.createRun({ experiment_id: "0" })).info.run_id;
    const b = (await store.createRun({ experiment_id: "0" })).info.run_id;
    const dataset = { name: "iris", digest: "abc123", source_type: "local", source: "file:///iris.csv", schema: "{}" };
    await store.logInputs(a, [{ dataset, tags: [{ key: "mlflow.data.context", value: "training" }] }]);
    await store.logInputs(a, [{ dataset, tags: [{ key: "mlflow.data.context", value: "training" }] }]);
    await store.logInputs(b, [{ dataset, tags: [{ key: "mlflow.data.context", value: "eval" }] }]);
    const runA = await store.getRun(a);
    assert.deepEqual(runA.inputs.dataset_inputs, [{ dataset, tags: [{ key: "mlflow.data.context", value: "training" }] }]);
    assert.equal((await store.getRun(b)).inputs.dataset_inputs[0]!.tags[0]!.value, "eval");
    await rejectsWith(store.logInputs(a, [{ dataset: { ...dataset, digest: "x".repeat(37) }, tags: [] }]), "INVALID_PARAMETER_VALUE");
    await store.close();
  });
});
