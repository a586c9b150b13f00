/** Metric points into chart series: x-axis choice, a live tail kept over a resampled reply, step ranges. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mergeTail, stepRange, toSeries } from "./chart-math.ts";

test("series honour the x-axis and a live tail survives a resampled reply", () => {
  const pts = [{ key: "m", value: 2, step: 1, timestamp: 3000 }, { key: "m", value: 1, step: 0, timestamp: 1000 }];
  assert.deepEqual(toSeries(pts, "step", 0), { x: [0, 1], y: [1, 2] });
  assert.deepEqual(toSeries(pts, "relative", 0).x, [0, 2]);
  const merged = mergeTail(pts, [{ key: "m", value: 9, step: 1, timestamp: 3000 }, { key: "m", value: 7, step: 5, timestamp: 9000 }]);
  assert.deepEqual(merged.map((p) => p.step), [1, 0, 5]);
  assert.deepEqual(stepRange([2.4, 9.2]), { start_step: 2, end_step: 10 });
});
