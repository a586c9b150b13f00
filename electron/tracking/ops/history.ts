/**
 * Metric history logic both engines share: a value's stored form, which point is "latest", a page
 * of history from its rows, and the min/max-preserving sample a chart reads (what it reads comes
 * from each engine's `SampleSource`), taken from block summaries: their sizes, how a stored block
 * takes new extremes, and how a sample walks them (`blockExtremes`).
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
function addToBucket(out: (Extremes | undefined)[], key: string, b: number, step: number, timestamp: number, value: number): void {
  const e = out[b];
  if (e) e.add(step, timestamp, value);
  else out[b] = new Extremes(key, b, step, timestamp, value);
}

/** The bucket of a point (or block) starting at step `position`, of `buckets` equal ranges over `span` steps from `lo`. */
function bucketOf(position: number, lo: number, span: number, buckets: number): number {
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


/**
 * Step span of each level's blocks: 64, 512, 4096, … 2^51 steps. Powers of two, so `step / size`
 * divides exactly (a shift on PostgreSQL); ×8 per level, so a reader takes at most 8 blocks per
 * bucket; the coarse levels serve sparse steps (e.g. timestamps used as steps). Stored blocks
 * depend on these: changing them needs migrations that rebuild both engines' `metric_blocks`.
 */
export const BLOCK_SIZES: readonly number[] = Array.from({ length: 16 }, (_, i) => 2 ** (6 + 3 * i));

// An incoming block replaces a stored side only when it wins by the rule of `Extremes.add`;
// unchanged rows are not rewritten. Stored columns are qualified: PostgreSQL finds them ambiguous
// beside `excluded`'s.
const LOWER =
  "(excluded.min_value, excluded.min_step, excluded.min_timestamp) < (metric_blocks.min_value, metric_blocks.min_step, metric_blocks.min_timestamp)";
const HIGHER =
  "(excluded.max_value > metric_blocks.max_value OR (excluded.max_value = metric_blocks.max_value AND " +
  "(excluded.max_step, excluded.max_timestamp) < (metric_blocks.max_step, metric_blocks.max_timestamp)))";

/** The upsert clause of an insert into `metric_blocks`: a block already stored keeps the winner of each side. */
export const BLOCK_UPSERT =
  "ON CONFLICT (run_uuid, key, level, block) DO UPDATE SET " +
  ["step", "timestamp", "value"].map((c) => `min_${c} = CASE WHEN ${LOWER} THEN excluded.min_${c} ELSE metric_blocks.min_${c} END`).join(", ") +
  ", " +
  ["step", "timestamp", "value"].map((c) => `max_${c} = CASE WHEN ${HIGHER} THEN excluded.max_${c} ELSE metric_blocks.max_${c} END`).join(", ") +
  ` WHERE ${LOWER} OR ${HIGHER}`;

/** The columns of a `metric_blocks` row after (run_uuid, key, level). */
export type BlockRow = [block: number, minStep: number, minTimestamp: number, minValue: number, maxStep: number, maxTimestamp: number, maxValue: number];

/**
 * Groups extremes by (key, block): consecutive additions to the same group skip the maps, since
 * points usually arrive in step order. Groups keep first-seen order.
 */
export class Grouper {
  readonly groups: Extremes[] = [];
  private readonly index = new Map<string, Extremes>();
  private last: Extremes | undefined;

  /** Adds a point to the group of (key, block). */
  add(key: string, block: number, step: number, timestamp: number, value: number): void {
    let e = this.last;
    if (!e || e.block !== block || e.key !== key) e = this.index.get(`${block}\n${key}`);
    if (e) e.add(step, timestamp, value);
    else {
      e = new Extremes(key, block, step, timestamp, value);
      this.index.set(`${block}\n${key}`, e);
      this.groups.push(e);
    }
    this.last = e;
  }

  /** Adds both points of a finer block's extremes (real points, so either may win either side). */
  merge(key: string, block: number, e: Extremes | BlockRow): void {
    if (e instanceof Extremes) {
      this.add(key, block, e.minStep, e.minTimestamp, e.minValue);
      this.add(key, block, e.maxStep, e.maxTimestamp, e.maxValue);
    } else {
      this.add(key, block, e[1], e[2], e[3]);
      this.add(key, block, e[4], e[5], e[6]);
    }
  }
}

/** What a sample reads from an engine's block summaries. */
export interface BlockSource {
  /** The stored blocks first..last of a level, in any order. */
  blocks(runId: string, key: string, level: number, first: number, last: number): Work<BlockRow[]>;
  /** The non-NaN points of steps a..b (step, timestamp, value), in any order. */
  points(runId: string, key: string, a: number, b: number): Work<[step: number, timestamp: number, value: number][]>;
}

/**
 * The lowest and highest non-NaN point of each of `buckets` equal step ranges over lo..hi (the
 * range's first and last steps), from block summaries complete for the steps before `summarized`
 * (SQLite's frontier; PostgreSQL summarizes every point, so Infinity). Bucket edges snap to the
 * largest block size no wider than a bucket, so a bucket takes whole blocks from their summaries,
 * a few per bucket; points are read only at the range's edges and past `summarized`, or for all
 * of lo..hi when buckets are narrower than the smallest block (then lo..hi spans fewer than 64
 * steps per bucket).
 */
export function* blockExtremes(
  src: BlockSource,
  runId: string,
  key: string,
  summarized: number,
  lo: number,
  hi: number,
  buckets: number,
): Work<(Extremes | undefined)[]> {
  const span = hi - lo + 1;
  let level = -1;
  while (level + 1 < BLOCK_SIZES.length && BLOCK_SIZES[level + 1]! <= span / buckets) level++;
  const out: (Extremes | undefined)[] = new Array(buckets);
  // Where an extreme counts (its block's first step, or a point's own step), then the point.
  const take = (position: number, step: number, timestamp: number, value: number): void =>
    addToBucket(out, key, bucketOf(position, lo, span, buckets), step, timestamp, value);
  yield* visitBlocks(src, runId, key, summarized, level, lo, hi, take);
  return out;
}

/**
 * Visits the extremes over steps a..b: whole level-`level` blocks where they fit before
 * `summarized`, finer blocks at the edges, and points past it or where even a level-0 block would
 * reach outside a..b. Level -1 reads points only.
 */
function* visitBlocks(
  src: BlockSource,
  runId: string,
  key: string,
  summarized: number,
  level: number,
  a: number,
  b: number,
  take: (position: number, step: number, timestamp: number, value: number) => void,
): Work<void> {
  if (a > b) return;
  if (level < 0) {
    for (const [step, timestamp, value] of yield* src.points(runId, key, a, b)) take(step, step, timestamp, value);
    return;
  }
  const size = BLOCK_SIZES[level]!;
  const end = Math.min(b, summarized - 1);
  const first = Math.ceil(a / size);
  const last = Math.floor((end + 1) / size) - 1;
  if (first > last) return yield* visitBlocks(src, runId, key, summarized, level - 1, a, b, take);
  yield* visitBlocks(src, runId, key, summarized, level - 1, a, first * size - 1, take);
  for (const [block, minStep, minTimestamp, minValue, maxStep, maxTimestamp, maxValue] of yield* src.blocks(runId, key, level, first, last)) {
    take(block * size, minStep, minTimestamp, minValue);
    take(block * size, maxStep, maxTimestamp, maxValue);
  }
  yield* visitBlocks(src, runId, key, summarized, level - 1, (last + 1) * size, b, take);
}
