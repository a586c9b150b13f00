/** Curve smoothing (debiased EMA) and the outlier-clipped y-range of metric charts. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { emaStepper, percentile, outlierRange } from "./smoothing.ts";

const emaSmooth = (values: number[], weight: number) => values.map(emaStepper(weight));

test("EMA with weight 0 returns the input unchanged", () => {
  assert.deepEqual(emaSmooth([1, 5, 3], 0), [1, 5, 3]);
});

test("debiased EMA starts at the first value and lags behind a step change", () => {
  const s = emaSmooth([10, 10, 0, 0, 0], 0.5);
  assert.equal(s[0], 10);
  assert.equal(s[1], 10);
  assert.ok(s[2] > 0 && s[2] < 10);
  assert.ok(s[4] < s[3] && s[3] < s[2]);
});

test("non-finite values pass through without poisoning later points", () => {
  const s = emaSmooth([1, NaN, 1], 0.9);
  assert.ok(Number.isNaN(s[1]));
  assert.ok(Math.abs(s[2] - 1) < 1e-9);
});

test("percentile interpolates between sorted finite values", () => {
  assert.equal(percentile([0, 10], 50), 5);
  assert.equal(percentile([3, 1, 2, NaN], 0), 1);
  assert.equal(percentile([3, 1, 2], 100), 3);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test("ignoring outliers clips the y-range to the 5th–95th percentile, padded", () => {
  const values = Array.from({ length: 100 }, (_, i) => i);
  values.push(1e9);
  const [lo, hi] = outlierRange(values)!;
  assert.ok(lo < 5 && lo > -10);
  assert.ok(hi > 90 && hi < 110, `hi ${hi}`);
  assert.equal(outlierRange([NaN]), null);
});
