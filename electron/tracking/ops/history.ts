/**
 * Metric history logic both engines share: a value's stored form, which point is "latest", a page
 * of history from its rows, and the min/max-preserving sample a chart reads (what it reads comes
 * from each engine's `SampleSource`: SQLite's block summaries, PostgreSQL's grouped query).
 */
import type { Work } from "../sql/index.ts";
import type { Metric, MetricWithRunId } from "../types.ts";
import type { MetricRow } from "./rows.ts";
import { MAX_DOUBLE } from "./validation.ts";

/** Default points per run of a bulk-interval sample (what MLflow's UI asks for). */
export const DEFAULT_SAMPLE_POINTS = 320;

/**
 * Whether a stored point (step, timestamp, value, is_nan) comes after row b in "latest" order:
 * step, then timestamp, then value (NaN lowest). Takes fields, not a row, so the per-point check
 * of a batch allocates nothing.
 */
export function isLater(step: number, timestamp: number, value: number, is_nan: number, b: MetricRow): boolean {
  if (step !== b.step) return step > b.step;
  if (timestamp !== b.timestamp) return timestamp > b.timestamp;
  if (is_nan !== b.is_nan) return is_nan < b.is_nan;
  return value > b.value;
}

/** A stored point as an array: step, timestamp, value, is_nan. */
export type PointRow = [step: number, timestamp: number, value: number, is_nan: number];

/**
 * A metric value as the tables store it: NaN as 0 (the row's is_nan flag says so), ±Infinity
 * clamped to ±MAX_DOUBLE as MLflow does.
 */
export function storedValue(value: number): number {
  if (value !== value) return 0;
  if (value === Infinity) return MAX_DOUBLE;
  if (value === -Infinity) return -MAX_DOUBLE;
  return value;
}

/**
 * A page of history from the rows read for it (up to `limit + 1`, so one more tells that more
 * follow). Rows are arrays, so a 100k-point history becomes its Metric objects with no
 * intermediate row objects.
 */
export function historyPage(key: string, rows: PointRow[], limit?: number): { items: Metric[]; more: boolean } {
  const n = limit === undefined ? rows.length : Math.min(rows.length, limit);
  const items: Metric[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const [step, timestamp, value, is_nan] = rows[i]!;
    // The is_nan flag restores NaN, which the tables store as 0.
    items[i] = { key, value: is_nan ? NaN : value, timestamp, step };
  }
  return { items, more: limit !== undefined && rows.length > limit };
}

/** What a min/max sample reads, each engine its own way. */
export interface SampleSource {
  /** Up to `limit` points of steps start..end in key order (step, timestamp, value, is_nan). */
  head(runId: string, key: string, start: number, end: number, limit: number): Work<PointRow[]>;
  /** The last point of steps start..end in key order. */
  last(runId: string, key: string, start: number, end: number): Work<PointRow>;
  /** The lowest and highest non-NaN point of each of `buckets` equal step ranges over lo..hi (see `bucketOf`). */
  extremes(runId: string, key: string, lo: number, hi: number, buckets: number): Work<(Extremes | undefined)[]>;
}

/** Takes a point into bucket `b` of `out`, starting that bucket's extremes when it has none yet. */
export function addToBucket(out: (Extremes | undefined)[], key: string, b: number, step: number, timestamp: number, value: number): void {
  const e = out[b];
  if (e) e.add(step, timestamp, value);
  else out[b] = new Extremes(key, b, step, timestamp, value);
}

/** The bucket of a point (or block) starting at step `position`, of `buckets` equal ranges over `span` steps from `lo`. */
export function bucketOf(position: number, lo: number, span: number, buckets: number): number {
  return Math.min(buckets - 1, Math.floor(((position - lo) * buckets) / span));
}

/**
 * At most `maxPoints` points of a run's key between steps `start` and `end`: everything when it
 * fits, otherwise the first and last points plus the lowest and highest non-NaN point of each of
 * evenly sized step buckets, so spikes survive downsampling.
 */
export function* samplePoints(src: SampleSource, runId: string, key: string, start: number, end: number, maxPoints: number): Work<MetricWithRunId[]> {
  const head = yield* src.head(runId, key, start, end, maxPoints + 1);
  const withRun = (rows: PointRow[]): MetricWithRunId[] =>
    rows.map(([step, timestamp, value, is_nan]) => ({ key, value: is_nan ? NaN : value, timestamp, step, run_id: runId }));
  if (head.length <= maxPoints) return withRun(head);
  const first = head[0]!;
  const last = yield* src.last(runId, key, start, end);
  // Fewer than 4 points leave no room for a bucket's pair.
  if (maxPoints < 4) return withRun(maxPoints === 1 ? [first] : [first, last]);
  const rows = [first, last];
  for (const e of yield* src.extremes(runId, key, first[0], last[0], Math.floor((maxPoints - 2) / 2))) {
    if (e) rows.push([e.minStep, e.minTimestamp, e.minValue, 0], [e.maxStep, e.maxTimestamp, e.maxValue, 0]);
  }
  rows.sort(byKeyOrder);
  return withRun(rows.filter((r, i) => i === 0 || byKeyOrder(r, rows[i - 1]!) !== 0));
}

/** Step, then timestamp, then value, then is_nan: the primary key's order. */
export const byKeyOrder = (a: PointRow, b: PointRow): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3];

/**
 * The lowest and highest point of a set of non-NaN points (step, timestamp, value each). Ties on
 * value go to the earliest (step, timestamp), so the result does not depend on arrival order.
 */
export class Extremes {
  minStep: number;
  minTimestamp: number;
  minValue: number;
  maxStep: number;
  maxTimestamp: number;
  maxValue: number;

  constructor(
    /** The metric key. */
    readonly key: string,
    /** The block index at its level (`floor(step / size)`), or a bucket index when sampling. */
    readonly block: number,
    step: number,
    timestamp: number,
    value: number,
  ) {
    this.minStep = this.maxStep = step;
    this.minTimestamp = this.maxTimestamp = timestamp;
    this.minValue = this.maxValue = value;
  }

  /** Takes one more point into account. */
  add(step: number, timestamp: number, value: number): void {
    if (value < this.minValue || (value === this.minValue && (step < this.minStep || (step === this.minStep && timestamp < this.minTimestamp)))) {
      this.minStep = step;
      this.minTimestamp = timestamp;
      this.minValue = value;
    }
    if (value > this.maxValue || (value === this.maxValue && (step < this.maxStep || (step === this.maxStep && timestamp < this.maxTimestamp)))) {
      this.maxStep = step;
      this.maxTimestamp = timestamp;
      this.maxValue = value;
    }
  }
}

