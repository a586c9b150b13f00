/**
 * Metric history on PostgreSQL: a batch is two statements whatever its size (points and latest
 * values bound as arrays and unnested), the latest value moves forward only when the new point is
 * later (decided in the upsert itself, so concurrent writers in other processes cannot move it
 * back), and a chart's bucket extremes come from block summaries (`metric_blocks`, as on SQLite)
 * that the points' insert itself updates.
 */
import { all, get, type Work } from "../sql/index.ts";
import { BLOCK_SIZES, BLOCK_UPSERT, blockExtremes, type BlockRow, type BlockSource, Grouper, historyPage, type Extremes, isLater, storedValue, type PointRow } from "../ops/history.ts";
import type { MetricRow } from "../ops/rows.ts";
import type { MetricHistory } from "../ops/sql-store.ts";
import type { Metric } from "../types.ts";

const UNNEST = "SELECT ?, * FROM unnest(CAST(? AS TEXT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS DOUBLE PRECISION[]), CAST(? AS INTEGER[]))";

const SIZE0 = BLOCK_SIZES[0]!;
const LEVEL_SHIFT = Math.log2(BLOCK_SIZES[1]! / SIZE0);

/**
 * Merges level-0 extremes into `metric_blocks` at every level. `level0` is a relation of
 * (run_uuid, key, block, lo, hi), each side's winner as an array compared whole: (value, step,
 * timestamp) for the lowest, least wins; (value, -step, -timestamp) for the highest, greatest
 * wins; so ties go to the earliest point as in `Extremes.add` (steps and timestamps are exact as
 * doubles below 2^53, as in the contract). Every point is summarized, so a reader never needs
 * SQLite's frontier.
 */
function summarizeInto(level0: string): string {
  const levels =
    `SELECT run_uuid, key, level, block >> (${LEVEL_SHIFT} * level) AS block, MIN(lo) AS lo, MAX(hi) AS hi ` +
    `FROM (${level0}) b0 CROSS JOIN generate_series(0, ${BLOCK_SIZES.length - 1}) AS level GROUP BY 1, 2, 3, 4`;
  return (
    "INSERT INTO metric_blocks (run_uuid, key, level, block, min_step, min_timestamp, min_value, max_step, max_timestamp, max_value) " +
    `SELECT run_uuid, key, level, block, CAST(lo[2] AS BIGINT), CAST(lo[3] AS BIGINT), lo[1], CAST(-hi[2] AS BIGINT), CAST(-hi[3] AS BIGINT), hi[1] FROM (${levels}) up ` +
    BLOCK_UPSERT
  );
}

/** Summarizes every stored point (the migration that adds `metric_blocks`). */
export const SUMMARIZE_STORED = summarizeInto(
  `SELECT run_uuid, key, step >> ${Math.log2(SIZE0)} AS block, MIN(ARRAY[value, step, timestamp]) AS lo, MAX(ARRAY[value, -step, -timestamp]) AS hi ` +
    "FROM metrics WHERE is_nan = 0 GROUP BY 1, 2, 3",
);

/**
 * Inserts a batch's points (exact duplicates collapse on the primary key), merges the batch's
 * level-0 extremes (grouped in JS, a few rows for a thousand points) into the block summaries,
 * and returns the range of `seq` the new points got and the transaction's id as rows record it
 * (`xmin`); the store's change notice names both, so a reader gets exactly this batch's points even
 * when another writer's points of the same run took seqs inside the range. One statement, so the
 * summaries cost no round trip.
 */
export const INSERT_METRICS =
  "WITH ins AS (INSERT INTO metrics (run_uuid, key, step, timestamp, value, is_nan) " +
  `${UNNEST} ON CONFLICT DO NOTHING RETURNING seq), ` +
  "blocks AS (" +
  summarizeInto(
    "SELECT run_uuid, key, block, ARRAY[min_value, min_step, min_timestamp] AS lo, ARRAY[max_value, -max_step, -max_timestamp] AS hi " +
      "FROM (SELECT CAST(? AS TEXT) AS run_uuid, * FROM unnest(CAST(? AS TEXT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), " +
      "CAST(? AS DOUBLE PRECISION[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS DOUBLE PRECISION[])) " +
      "AS b(key, block, min_step, min_timestamp, min_value, max_step, max_timestamp, max_value)) b",
  ) +
  ") SELECT MIN(seq) AS lo, MAX(seq) AS hi, txid_current() % 4294967296 AS xid FROM ins";

/** The points of one batch, by the seq range and transaction id `INSERT_METRICS` answered. */
export const BATCH_POINTS =
  "SELECT key, step, timestamp, value, is_nan FROM metrics WHERE run_uuid = $1 AND seq BETWEEN $2 AND $3 " +
  "AND xmin::text::bigint = $4 ORDER BY seq";

// Later means (step, timestamp, non-NaN over NaN, value), as `isLater` in the store.
const UPSERT_LATEST =
  `INSERT INTO latest_metrics (run_uuid, key, step, timestamp, value, is_nan) ${UNNEST} ` +
  "ON CONFLICT (run_uuid, key) DO UPDATE SET step = excluded.step, timestamp = excluded.timestamp, value = excluded.value, is_nan = excluded.is_nan " +
  "WHERE (excluded.step, excluded.timestamp, -excluded.is_nan, excluded.value) > " +
  "(latest_metrics.step, latest_metrics.timestamp, -latest_metrics.is_nan, latest_metrics.value)";

const POINTS = "SELECT step, timestamp, value, is_nan FROM metrics WHERE run_uuid = ? AND key = ?";
const IN_RANGE = `${POINTS} AND step BETWEEN ? AND ?`;

const BLOCKS =
  "SELECT block, min_step, min_timestamp, min_value, max_step, max_timestamp, max_value FROM metric_blocks " +
  "WHERE run_uuid = ? AND key = ? AND level = ? AND block BETWEEN ? AND ?";

/**
 * A key's whole history in step order as the wire JSON array, built by the server (see
 * `getMetricHistoryJson`), compact as SQLite's fast path writes it and parsing to the same
 * values: NaN is the string "NaN"; ±Infinity are stored clamped, so every other value is a finite
 * double, whose text form is its shortest exact one and valid JSON; `+ 0` turns -0 into 0, as
 * SQLite writes it. Concatenated text, not json_build_object/json_agg: half the time, and no
 * spaces after every colon and comma. The key is JSON-quoted once. As on SQLite the order comes
 * from an ordered subquery (which PostgreSQL documents aggregates to keep), read off the primary
 * key; an ORDER BY inside the aggregate would sort the rows again, a quarter of the time.
 */
const HISTORY_JSON =
  "SELECT '[' || COALESCE(string_agg(concat('{\"key\":', k, ',\"value\":', CASE WHEN is_nan = 1 THEN '\"NaN\"' ELSE CAST(value + 0 AS TEXT) END, " +
  "',\"timestamp\":', timestamp, ',\"step\":', step, '}'), ','), '') || ']' AS json " +
  "FROM (SELECT step, timestamp, value, is_nan FROM metrics WHERE run_uuid = ? AND key = ? ORDER BY step, timestamp, value) AS m, " +
  "CAST(to_json(CAST(? AS TEXT)) AS TEXT) AS k";

const asPoints = (rows: MetricRow[]): PointRow[] => rows.map((r) => [r.step, r.timestamp, r.value, r.is_nan]);

/** Columns of a set of points as the arrays `UNNEST` binds. */
function columns(runId: string, rows: MetricRow[]): unknown[] {
  return [runId, rows.map((r) => r.key), rows.map((r) => r.step), rows.map((r) => r.timestamp), rows.map((r) => r.value), rows.map((r) => r.is_nan)];
}

/** `MetricHistory` on PostgreSQL. */
export const PG_METRIC_HISTORY: MetricHistory = {
  *append(runId: string, metrics: Metric[]): Work<void> {
    const rows: MetricRow[] = new Array(metrics.length);
    const newest = new Map<string, MetricRow>();
    const level0 = new Grouper();
    for (let i = 0; i < metrics.length; i++) {
      const m = metrics[i]!;
      const row: MetricRow = { key: m.key, step: m.step, timestamp: m.timestamp, value: storedValue(m.value), is_nan: m.value !== m.value ? 1 : 0 };
      rows[i] = row;
      if (!row.is_nan) level0.add(m.key, Math.floor(m.step / SIZE0), m.step, m.timestamp, row.value);
      const best = newest.get(m.key);
      if (!best || isLater(row.step, row.timestamp, row.value, row.is_nan, best)) newest.set(m.key, row);
    }
    const g = level0.groups;
    yield* all(
      INSERT_METRICS,
      ...columns(runId, rows),
      runId,
      g.map((e) => e.key),
      g.map((e) => e.block),
      g.map((e) => e.minStep),
      g.map((e) => e.minTimestamp),
      g.map((e) => e.minValue),
      g.map((e) => e.maxStep),
      g.map((e) => e.maxTimestamp),
      g.map((e) => e.maxValue),
    );
    yield* all(UPSERT_LATEST, ...columns(runId, [...newest.values()]));
  },

  *page(runId: string, key: string, offset: number, limit?: number) {
    const order = "ORDER BY step, timestamp, value";
    const rows =
      limit === undefined
        ? yield* all<MetricRow>(`${POINTS} ${order} OFFSET ?`, runId, key, offset)
        : yield* all<MetricRow>(`${POINTS} ${order} LIMIT ? OFFSET ?`, runId, key, limit + 1, offset);
    return historyPage(key, asPoints(rows), limit);
  },

  *head(runId: string, key: string, start: number, end: number, limit: number): Work<PointRow[]> {
    return asPoints(yield* all<MetricRow>(`${IN_RANGE} ORDER BY step, timestamp, value, is_nan LIMIT ?`, runId, key, start, end, limit));
  },

  *last(runId: string, key: string, start: number, end: number): Work<PointRow> {
    const row = yield* get<MetricRow>(`${IN_RANGE} ORDER BY step DESC, timestamp DESC, value DESC, is_nan DESC LIMIT 1`, runId, key, start, end);
    return asPoints([row!])[0]!;
  },

  *extremes(runId: string, key: string, lo: number, hi: number, buckets: number): Work<(Extremes | undefined)[]> {
    return yield* blockExtremes(PG_BLOCKS, runId, key, Infinity, lo, hi, buckets);
  },

  *json(runId: string, key: string): Work<string> {
    return (yield* get<{ json: string }>(HISTORY_JSON, runId, key, key))!.json;
  },
};

/** What a sample reads from PostgreSQL's block summaries. */
const PG_BLOCKS: BlockSource = {
  *blocks(runId: string, key: string, level: number, first: number, last: number): Work<BlockRow[]> {
    const rows = yield* all<{ block: number; min_step: number; min_timestamp: number; min_value: number; max_step: number; max_timestamp: number; max_value: number }>(
      BLOCKS, runId, key, level, first, last,
    );
    return rows.map((r) => [r.block, r.min_step, r.min_timestamp, r.min_value, r.max_step, r.max_timestamp, r.max_value]);
  },

  *points(runId: string, key: string, a: number, b: number): Work<[number, number, number][]> {
    const rows = yield* all<MetricRow>(`${IN_RANGE} AND is_nan = 0`, runId, key, a, b);
    return rows.map((r) => [r.step, r.timestamp, r.value]);
  },
};
