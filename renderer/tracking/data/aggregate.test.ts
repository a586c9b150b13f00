/** Grouping runs and aggregating their metrics: stats per group, a mean line with min–max or ±std bands over aligned steps. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { aggregateBand, groupRuns, stats, NO_VALUE } from "./aggregate.ts";
import type { Run } from "./types.ts";
import { fakeRun } from "./test-runs.ts";

function run(id: string, params: Record<string, string>, metrics: Record<string, number> = {}): Run {
  return fakeRun(id, { params, metrics });
}

test("runs group by a param value in first-seen order; missing values form their own group", () => {
  const groups = groupRuns([run("a", { lr: "0.1" }), run("b", { lr: "0.2" }), run("c", { lr: "0.1" }), run("d", {})], { kind: "param", key: "lr" });
  assert.deepEqual(groups.map((g) => [g.value, g.runs.map((r) => r.info.run_id)]), [
    ["0.1", ["a", "c"]],
    ["0.2", ["b"]],
    [NO_VALUE, ["d"]],
  ]);
});

test("stats gives min, mean and max of finite values", () => {
  assert.deepEqual(stats([1, 2, 6, NaN]), { min: 1, mean: 3, max: 6, count: 3 });
  assert.equal(stats([]), null);
});

test("mean line with min–max band over aligned steps", () => {
  const band = aggregateBand([{ x: [0, 1, 2], y: [1, 2, 3] }, { x: [0, 1, 2], y: [3, 4, 5] }], { line: "mean", band: "minmax" });
  assert.deepEqual(band, { x: [0, 1, 2], center: [2, 3, 4], lower: [1, 2, 3], upper: [3, 4, 5] });
});

test("curves sampled at different steps line up by holding each run's last value", () => {
  const band = aggregateBand([{ x: [0, 2], y: [0, 2] }, { x: [1], y: [10] }], { line: "median", band: "none" });
  assert.deepEqual(band.x, [0, 1, 2]);
  assert.deepEqual(band.center, [0, 5, 6]);
});

test("±std band is symmetric around the center", () => {
  const band = aggregateBand([{ x: [0], y: [0] }, { x: [0], y: [2] }], { line: "mean", band: "std" });
  assert.deepEqual([band.lower[0], band.center[0], band.upper[0]], [0, 1, 2]);
});
