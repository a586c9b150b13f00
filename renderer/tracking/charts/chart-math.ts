/**
 * Turning metric points into chart series: x-axis choice (step, wall time, relative time),
 * merging downsampled history with a live tail, and which runs' tails a store change extends.
 */
import type { Metric } from "../data/types.ts";

/** The x-axis of a metric chart. */
export type XAxis = "step" | "time" | "relative";

/** The x value of a point on the chosen axis; `t0` is the run's first timestamp. */
export function xOf(p: Metric, axis: XAxis, t0: number): number {
  if (axis === "step") return p.step;
  if (axis === "time") return p.timestamp;
  return (p.timestamp - t0) / 1000;
}

/**
 * Merges freshly sampled history with points that arrived live while the request was in flight:
 * keeps every sampled point and appends live points whose step is past the sampled range, so a
 * reply never erases the tail the chart already drew.
 */
export function mergeTail(sampled: readonly Metric[], live: readonly Metric[]): Metric[] {
  const last = sampled.reduce((m, p) => Math.max(m, p.step), -Infinity);
  return [...sampled, ...live.filter((p) => p.step > last)];
}

/** The step range a Plotly x-range covers on the step axis, widened to whole steps. */
export function stepRange(range: readonly [number, number]): { start_step: number; end_step: number } {
  const lo = Math.floor(Math.min(range[0], range[1]));
  const hi = Math.ceil(Math.max(range[0], range[1]));
  return { start_step: Math.max(0, lo), end_step: Math.max(0, hi) };
}

