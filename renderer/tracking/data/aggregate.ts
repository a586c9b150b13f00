/**
 * Grouping runs by a param or tag and aggregating their metrics: table aggregates (min/mean/max
 * of a column per group) and chart bands (mean or median line with min–max or ±std band over steps).
 */
import type { Run } from "./types.ts";

/** A group of runs sharing one value of the grouping key. */
export interface RunGroup {
  /** The shared value; "(none)" when the runs lack the key. */
  value: string;
  runs: Run[];
}

/** Where the grouping value comes from. */
export interface GroupKey {
  kind: "param" | "tag";
  key: string;
}

/** The label used for runs that do not carry the grouping key. */
export const NO_VALUE = "(none)";

/** The grouping value of one run. */
export function groupValue(run: Run, by: GroupKey): string {
  const list = by.kind === "param" ? run.data.params : run.data.tags;
  return list.find((kv) => kv.key === by.key)?.value ?? NO_VALUE;
}

/** Groups runs by a param or tag, keeping first-seen order of the values (so the table's sort holds). */
export function groupRuns(runs: readonly Run[], by: GroupKey): RunGroup[] {
  const groups = new Map<string, Run[]>();
  for (const run of runs) {
    const v = groupValue(run, by);
    const list = groups.get(v);
    if (list) list.push(run);
    else groups.set(v, [run]);
  }
  return [...groups].map(([value, rs]) => ({ value, runs: rs }));
}

/** min/mean/max of a list of numbers (finite ones); null when none. */
export interface Stats {
  min: number;
  mean: number;
  max: number;
  count: number;
}

/** Summary statistics of the finite values. */
export function stats(values: readonly number[]): Stats | null {
  const xs = values.filter(Number.isFinite);
  if (xs.length === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const x of xs) {
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
  }
  return { min, mean: sum / xs.length, max, count: xs.length };
}

/** Latest value of a metric in a run, or undefined. */
export function latestMetric(run: Run, key: string): number | undefined {
  return run.data.metrics.find((m) => m.key === key)?.value;
}

/** How a group's curves collapse into one line and a band. */
export interface BandOptions {
  line: "mean" | "median";
  band: "minmax" | "std" | "none";
}

/** One aggregated curve: x values with the center line and band edges. */
export interface Band {
  x: number[];
  center: number[];
  lower: number[];
  upper: number[];
}

function median(sorted: number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

/**
 * Aggregates several runs' curves over their union of x values. Each run contributes at x its
 * last value at or before x (step-hold), so downsampled runs with different x positions still
 * line up; a run contributes nothing before its first point.
 */
export function aggregateBand(curves: readonly { x: readonly number[]; y: readonly number[] }[], opts: BandOptions): Band {
  const xs = [...new Set(curves.flatMap((c) => c.x as number[]))].sort((a, b) => a - b);
  const cursor = curves.map(() => -1);
  const out: Band = { x: [], center: [], lower: [], upper: [] };
  for (const x of xs) {
    const vals: number[] = [];
    curves.forEach((c, i) => {
      while (cursor[i] + 1 < c.x.length && c.x[cursor[i] + 1] <= x) cursor[i]++;
      const v = cursor[i] >= 0 ? c.y[cursor[i]] : NaN;
      if (Number.isFinite(v)) vals.push(v);
    });
    if (vals.length === 0) continue;
    vals.sort((a, b) => a - b);
    const mean = vals.reduce((s, v) => s + v, 0) / vals.length;
    const center = opts.line === "mean" ? mean : median(vals);
    let lower = center;
    let upper = center;
    if (opts.band === "minmax") {
      lower = vals[0];
      upper = vals[vals.length - 1];
    } else if (opts.band === "std") {
      const sd = Math.sqrt(vals.reduce((s, v) => s + (v - mean) ** 2, 0) / vals.length);
      lower = center - sd;
      upper = center + sd;
    }
    out.x.push(x);
    out.center.push(center);
    out.lower.push(lower);
    out.upper.push(upper);
  }
  return out;
}
