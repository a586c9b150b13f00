/** Metric points into chart series: x-axis choice, a live tail kept over a resampled reply, step ranges. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mergeTail, stepRange, xOf } from "./chart-math.ts";

test("points honour the x-axis and a live tail survives a resampled reply", () => {
  const pts = [{ key: "m", value: 2, step: 1, timestamp: 3000 }, { key: "m", value: 1, step: 0, timestamp: 1000 }];
  assert.deepEqual(pts.map((p) => xOf(p, "step", 1000)), [1, 0]);
  assert.deepEqual(pts.map((p) => xOf(p, "relative", 1000)), [2, 0]);
  assert.deepEqual(pts.map((p) => xOf(p, "time", 1000)), [3000, 1000]);
  const merged = mergeTail(pts, [{ key: "m", value: 9, step: 1, timestamp: 3000 }, { key: "m", value: 7, step: 5, timestamp: 9000 }]);
  assert.deepEqual(merged.map((p) => p.step), [1, 0, 5]);
  assert.deepEqual(stepRange([2.4, 9.2]), { start_step: 2, end_step: 10 });
});
