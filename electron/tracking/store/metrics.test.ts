import assert from "node:assert/strict";
import { test } from "node:test";
import type { Metric } from "../types.ts";
import type { SqlStore } from "../ops/sql-store.ts";
import { forEachBackend, rejectsWith } from "./test-support.ts";

forEachBackend(({ open }) => {
  const MAX = 1.7976931348623157e308;

  test("NaN round-trips, ±Infinity is clamped, exact duplicates collapse", async () => {
    const store = await open();
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
    const store = await open();
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
    const store = await open();
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

  // The fast path both engines have (the whole history as wire JSON, built in SQL), which the REST
  // route answers get-history with; it must parse to exactly what the paged read returns.
  test("history as wire JSON equals the paged read: step order, NaN as \"NaN\", exact doubles", async () => {
    const store = await open();
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
    const store = await open();
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

  /** A sampled point stands for a logged one: same step, timestamp and value. */
  function assertRealPoints(sample: { step: number; timestamp: number; value: number }[], logged: Metric[]): void {
    const keys = new Set(logged.map((p) => `${p.step}/${p.timestamp}/${p.value}`));
    for (const p of sample) assert.ok(keys.has(`${p.step}/${p.timestamp}/${p.value}`), `sampled point at step ${p.step} was never logged`);
  }

  /**
   * The min/max envelope survives: every non-NaN point of steps lo..hi has a sampled point at most
   * two bucket widths away that is as low, and one as high (a bucket spans at most one width plus
   * the block its last summary starts).
   */
  function assertEnvelope(sample: Metric[], logged: Metric[], lo: number, hi: number, buckets: number): void {
    const reach = (2 * (hi - lo + 1)) / buckets;
    const steps = sample.map((p) => p.step);
    for (const p of logged) {
      if (Number.isNaN(p.value) || p.step < lo || p.step > hi) continue;
      let i = steps.findIndex((s) => s > p.step - reach);
      let low = false;
      let high = false;
      for (; i >= 0 && i < sample.length && steps[i]! < p.step + reach; i++) {
        low ||= sample[i]!.value <= p.value;
        high ||= sample[i]!.value >= p.value;
      }
      assert.ok(low && high, `no sampled point near step ${p.step} as ${low ? "high" : "low"} as ${p.value}`);
    }
  }

  const wave = (n: number, from = 0): Metric[] => Array.from({ length: n }, (_, i) => ({ key: "loss", value: Math.sin((from + i) / 300), timestamp: from + i, step: from + i }));

  async function logAll(store: SqlStore, runId: string, points: Metric[], batch = 1000): Promise<void> {
    for (let i = 0; i < points.length; i += batch) await store.logBatch({ run_id: runId, metrics: points.slice(i, i + batch) });
  }

  test("spikes anywhere in a 100k-point series survive the sample, with the whole envelope", async () => {
    const store = await open();
    const id = (await store.createRun({ experiment_id: "0" })).info.run_id;
    const points = wave(100_000);
    const spikes = [3, 517, 4_096, 33_333, 65_535, 77_777, 99_998];
    spikes.forEach((s, i) => (points[s]!.value = i % 2 ? -50 : 50));
    await logAll(store, id, points);
    const sample = await store.getMetricHistoryBulkInterval({ run_ids: [id], metric_key: "loss" });
    assert.ok(sample.length <= 320);
    assert.deepEqual([sample[0]!.step, sample.at(-1)!.step], [0, 99_999]);
    for (const s of spikes) assert.ok(sample.some((p) => p.step === s && Math.abs(p.value) === 50), `spike at ${s} kept`);
    assertRealPoints(sample, points);
    assertEnvelope(sample, points, 0, 99_999, 159);
    await store.close();
  });

  test("a sub-range samples only its own points, edges included, at any alignment", async () => {
    const store = await open();
    const id = (await store.createRun({ experiment_id: "0" })).info.run_id;
    const points = wave(100_000);
    // Inside the range but in blocks that straddle its ends, and just outside it in the same blocks.
    for (const [s, v] of [[12_350, 9], [67_880, -9], [12_340, 99], [67_895, -99]] as const) points[s]!.value = v;
    await logAll(store, id, points);
    for (const max of [10, 320, 2500]) {
      const sample = await store.getMetricHistoryBulkInterval({ run_ids: [id], metric_key: "loss", start_step: 12_345, end_step: 67_890, max_results: max });
      assert.ok(sample.length <= max && sample.length > max / 2, `${sample.length} points for ${max}`);
      assert.deepEqual([sample[0]!.step, sample.at(-1)!.step], [12_345, 67_890]);
      assert.ok(sample.every((p) => p.step >= 12_345 && p.step <= 67_890));
      assert.ok(sample.some((p) => p.value === 9) && sample.some((p) => p.value === -9), "spikes at the edges kept");
      assertRealPoints(sample, points);
      assertEnvelope(sample, points, 12_345, 67_890, Math.floor((max - 2) / 2));
    }
    // A range that holds at most max_results points comes back whole.
    const exact = await store.getMetricHistoryBulkInterval({ run_ids: [id], metric_key: "loss", start_step: 500, end_step: 819, max_results: 320 });
    assert.deepEqual(exact.map((p) => p.step), Array.from({ length: 320 }, (_, i) => 500 + i));
    await store.close();
  });

  test("a run logged out of step order samples like one logged in order", async () => {
    const store = await open();
    const inOrder = (await store.createRun({ experiment_id: "0" })).info.run_id;
    const shuffled = (await store.createRun({ experiment_id: "0" })).info.run_id;
    const points = wave(30_000);
    points[21_000]!.value = 7;
    await logAll(store, inOrder, points);
    // Blocks of 500 steps, logged back to front, each batch mixing two of them.
    const order = Array.from({ length: 60 }, (_, i) => points.slice(i * 500, (i + 1) * 500)).reverse();
    for (let i = 0; i < order.length; i += 2) await logAll(store, shuffled, [...order[i]!, ...(order[i + 1] ?? [])].reverse(), 700);
    for (const range of [{}, { start_step: 1_234, end_step: 25_000 }]) {
      const a = await store.getMetricHistoryBulkInterval({ run_ids: [inOrder], metric_key: "loss", ...range });
      const b = await store.getMetricHistoryBulkInterval({ run_ids: [shuffled], metric_key: "loss", ...range });
      assert.deepEqual(b.map(({ run_id: _, ...p }) => p), a.map(({ run_id: _, ...p }) => p));
      assert.ok(a.some((p) => p.value === 7));
    }
    await store.close();
  });

  test("points logged after a sample show in the next one, at the tail and behind it", async () => {
    const store = await open();
    const id = (await store.createRun({ experiment_id: "0" })).info.run_id;
    await logAll(store, id, wave(50_000));
    const before = await store.getMetricHistoryBulkInterval({ run_ids: [id], metric_key: "loss" });
    assert.equal(before.at(-1)!.step, 49_999);
    // A live tail with a spike, then a late correction deep in the history.
    const tail = wave(100, 50_000);
    tail[37]!.value = 11;
    for (const p of tail) await store.logMetric(id, p);
    await store.logMetric(id, { key: "loss", value: -11, timestamp: 1, step: 20_002 });
    const after = await store.getMetricHistoryBulkInterval({ run_ids: [id], metric_key: "loss" });
    assert.equal(after.at(-1)!.step, 50_099);
    assert.ok(after.some((p) => p.step === 50_037 && p.value === 11), "tail spike");
    assert.ok(after.some((p) => p.step === 20_002 && p.value === -11), "late spike");
    await store.close();
  });

  test("NaN points come back only as a range's first or last point, never as a bucket's extreme", async () => {
    const store = await open();
    const id = (await store.createRun({ experiment_id: "0" })).info.run_id;
    const points = wave(10_000).map((p) => (p.step % 3 === 0 ? { ...p, value: NaN } : p));
    await logAll(store, id, points);
    const sample = await store.getMetricHistoryBulkInterval({ run_ids: [id], metric_key: "loss", max_results: 50 });
    assert.ok(Number.isNaN(sample[0]!.value) && sample[0]!.step === 0);
    assert.ok(sample.slice(1, -1).every((p) => !Number.isNaN(p.value)));
    assert.equal(sample.at(-1)!.step, 9_999);
    await store.close();
  });
});
