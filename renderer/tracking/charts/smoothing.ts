/**
 * Curve shaping for metric charts: EMA smoothing and outlier clipping. Pure functions so the
 * chart code stays imperative glue and this math is unit-tested without a DOM.
 */

/**
 * Debiased exponential moving average (TensorBoard's), as a stepper that keeps its state so a live
 * tail appended to a chart continues the smoothed curve instead of restarting it. `weight` 0 returns
 * the input, values near 1 smooth hard; debiasing keeps the first points from being pulled toward
 * zero; non-finite values pass through unsmoothed and do not poison later points.
 */
export function emaStepper(weight: number): (value: number) => number {
  if (weight <= 0) return (v) => v;
  const w = Math.min(weight, 0.999);
  let last = 0;
  let n = 0;
  return (v) => {
    if (!Number.isFinite(v)) return v;
    last = last * w + (1 - w) * v;
    n++;
    return last / (1 - Math.pow(w, n));
  };
}

/** The p-th percentile (0–100) of the finite values, linear interpolation; NaN when none. */
export function percentile(values: readonly number[], p: number): number {
  const xs = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  const pos = (Math.min(Math.max(p, 0), 100) / 100) * (xs.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo);
}

/**
 * The y-range that ignores outliers (MLflow's option): 5th–95th percentile of all values, padded
 * 5% so the clipped curve does not touch the frame. Null when there is nothing finite to clip.
 */
export function outlierRange(values: readonly number[], lowP = 5, highP = 95): [number, number] | null {
  const lo = percentile(values, lowP);
  const hi = percentile(values, highP);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return null;
  const pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 1;
  return [lo - pad, hi + pad];
}
