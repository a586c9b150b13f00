import assert from "node:assert/strict";
import { test } from "node:test";
import { openMemoryStore, rejectsWith } from "./test-support.ts";

const MAX = 1.7976931348623157e308;

test("NaN round-trips, ±Infinity is clamped, exact duplicates collapse", async () => {
  const store = await openMemoryStore();
  const id = (await store.createRun({ experiment_id: "0" })).info.run_id;
  await store.logMetric(id, { key: "m", value: NaN, timestamp: 1, step: 0 });
  await store.logMetric(id, { key: "m", value: NaN, timestamp: 1, step: 0 });
  await store.logMetric(id, { key: "m", value: Infinity, timestamp: 2, step: 1 });
  await store.logMetric(id, { key: "m", value: -Infinity, timestamp: 3, step: 2 });
  await store.logMetric(id, { key: "m", value: 0, timestamp: 1, step: 0 });
  const history = (await store.getMetricHistory({ run_id: id, metric_key: "m" })).items;
  assert.equal(history.length, 4);
  assert.ok(Number.isNaN(history.find((p) => p.step === 0 && p.value !== 0)!.value));
  assert.equal(history.find((p) => p.step === 1)!.value, MAX);
  assert.equal(history.find((p) => p.step === 2)!.value, -MAX);
  await store.close();
});

test("latest metric is chosen by step, then timestamp, then value, not by arrival", async () => {
  const store = await openMemoryStore();
  const id = (await store.createRun({ experiment_id: "0" })).info.run_id;
  await store.logMetric(id, { key: "m", value: 5, timestamp: 10, step: 3 });
  await store.logMetric(id, { key: "m", value: 9, timestamp: 99, step: 2 });
  assert.deepEqual((await store.getRun(id)).data.metrics, [{ key: "m", value: 5, timestamp: 10, step: 3 }]);
  await store.logMetric(id, { key: "m", value: 4, timestamp: 11, step: 3 });
  await store.logMetric(id, { key: "m", value: 7, timestamp: 11, step: 3 });
  await store.logMetric(id, { key: "m", value: 6, timestamp: 11, step: 3 });
  assert.deepEqual((await store.getRun(id)).data.metrics, [{ key: "m", value: 7, timestamp: 11, step: 3 }]);
  await store.logMetric(id, { key: "n", value: NaN, timestamp: 1, step: 0 });
  assert.ok(Number.isNaN((await store.getRun(id)).data.metrics.find((m) => m.key === "n")!.value));
  await store.close();
});

test("metric history of 100k steps pages in step order", async () => {
  const store = await openMemoryStore();
  const id = (await store.createRun({ experiment_id: "0" })).info.run_id;
  for (let b = 0; b < 100; b++) {
    await store.logBatch({
      run_id: id,
      metrics: Array.from({ length: 1000 }, (_, i) => ({ key: "loss", value: 1 / (b * 1000 + i + 1), timestamp: b, step: b * 1000 + i })),
    });
  }
  const all = await store.getMetricHistory({ run_id: id, metric_key: "loss" });
  assert.equal(all.items.length, 100_000);
  assert.ok(all.items.every((p, i) => p.step === i));
  const first = await store.getMetricHistory({ run_id: id, metric_key: "loss", max_results: 40_000 });
  assert.equal(first.items.length, 40_000);
  const second = await store.getMetricHistory({ run_id: id, metric_key: "loss", max_results: 40_000, page_token: first.next_page_token });
  const third = await store.getMetricHistory({ run_id: id, metric_key: "loss", max_results: 40_000, page_token: second.next_page_token });
  assert.equal(second.items[0]!.step, 40_000);
  assert.equal(third.items.length, 20_000);
  assert.equal(third.next_page_token, undefined);

  const sample = await store.getMetricHistoryBulkInterval({ run_ids: [id], metric_key: "loss" });
  assert.ok(sample.length <= 320 && sample.length > 300, `sample has ${sample.length} points`);
  assert.equal(sample[0]!.step, 0);
  assert.equal(sample.at(-1)!.step, 99_999);
  assert.equal(await store.getMetricHistory({ run_id: id, metric_key: "none" }).then((p) => p.items.length), 0);
  await rejectsWith(store.getMetricHistory({ run_id: "missing", metric_key: "loss" }), "RESOURCE_DOES_NOT_EXIST");
  await store.close();
});

test("history as wire JSON equals the paged read: step order, NaN as \"NaN\", exact doubles", async () => {
  const store = await openMemoryStore();
  const id = (await store.createRun({ experiment_id: "0" })).info.run_id;
  const values = [0.1, 1 / 3, 5, -0, 1e-300, 5e-324, Math.PI, 0.30000000000000004, NaN, Infinity, -Infinity];
  // Logged in reverse step order, with a tie on step broken by timestamp then value.
  const points = values.map((value, i) => ({ key: "x", value, timestamp: 7, step: values.length - i }));
  points.push({ key: "x", value: 2, timestamp: 6, step: 1 }, { key: "x", value: 1, timestamp: 6, step: 1 });
  await store.logBatch({ run_id: id, metrics: points });
  const wire = JSON.parse(await store.getMetricHistoryJson({ run_id: id, metric_key: "x" })) as { value: number | string }[];
  const paged = (await store.getMetricHistory({ run_id: id, metric_key: "x" })).items;
  assert.deepEqual(
    wire.map((m) => ({ ...m, value: m.value === "NaN" ? NaN : m.value })),
    paged.map((m) => ({ ...m, value: Object.is(m.value, -0) ? 0 : m.value })),
  );
  assert.deepEqual(paged.slice(0, 3).map((m) => [m.step, m.timestamp, m.value]), [[1, 6, 1], [1, 6, 2], [1, 7, -MAX]]);
  assert.equal(await store.getMetricHistoryJson({ run_id: id, metric_key: "none" }), "[]");
  await rejectsWith(store.getMetricHistoryJson({ run_id: "missing", metric_key: "x" }), "RESOURCE_DOES_NOT_EXIST");
  await store.close();
});

test("bulk interval keeps first, last and each bucket's spikes, per run, within the step range", async () => {
  const store = await openMemoryStore();
  const a = (await store.createRun({ experiment_id: "0" })).info.run_id;
  const b = (await store.createRun({ experiment_id: "0" })).info.run_id;
  const points = Array.from({ length: 1000 }, (_, i) => ({ key: "acc", value: i === 517 ? 1e6 : i === 733 ? -1e6 : Math.sin(i), timestamp: i, step: i }));
  await store.logBatch({ run_id: a, metrics: points });
  await store.logBatch({ run_id: b, metrics: points.slice(0, 5) });
  const sample = await store.getMetricHistoryBulkInterval({ run_ids: [a, b], metric_key: "acc", max_results: 20 });
  const ofA = sample.filter((p) => p.run_id === a);
  const ofB = sample.filter((p) => p.run_id === b);
  assert.ok(ofA.length <= 20);
  assert.deepEqual(ofB.map((p) => p.step), [0, 1, 2, 3, 4], "small runs come back whole");
  assert.ok(ofA.some((p) => p.value === 1e6) && ofA.some((p) => p.value === -1e6), "spikes survive");
  assert.equal(ofA[0]!.step, 0);
  assert.equal(ofA.at(-1)!.step, 999);
  assert.ok(ofA.every((p, i) => i === 0 || p.step >= ofA[i - 1]!.step), "step order");
  const ranged = await store.getMetricHistoryBulkInterval({ run_ids: [a], metric_key: "acc", start_step: 100, end_step: 199, max_results: 10 });
  assert.ok(ranged.length <= 10);
  assert.equal(ranged[0]!.step, 100);
  assert.equal(ranged.at(-1)!.step, 199);
  await rejectsWith(store.getMetricHistoryBulkInterval({ run_ids: [], metric_key: "acc" }), "INVALID_PARAMETER_VALUE");
  await rejectsWith(store.getMetricHistoryBulkInterval({ run_ids: [a], metric_key: "acc", max_results: 0 }), "INVALID_PARAMETER_VALUE");
  await rejectsWith(store.getMetricHistoryBulkInterval({ run_ids: [a], metric_key: "acc", start_step: 5, end_step: 1 }), "INVALID_PARAMETER_VALUE");
  await rejectsWith(store.getMetricHistoryBulkInterval({ run_ids: ["nope"], metric_key: "acc" }), "RESOURCE_DOES_NOT_EXIST");
  await store.close();
});
