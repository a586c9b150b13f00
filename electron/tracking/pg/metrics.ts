/**
 * Metric history on PostgreSQL: a batch is two statements whatever its size (points and latest
 * values bound as arrays and unnested), the latest value moves forward only when the new point is
 * later (decided in the upsert itself, so concurrent writers in other processes cannot move it
 * back), and a chart's bucket extremes are one grouped query instead of SQLite's block summaries.
 */
import { all, get, type Work } from "../sql/index.ts";
import { addToBucket, historyPage, type Extremes, isLater, storedValue, type PointRow } from "../ops/history.ts";
import type { MetricRow } from "../ops/rows.ts";
import type { MetricHistory } from "../ops/sql-store.ts";
import type { Metric } from "../types.ts";

const UNNEST = "SELECT ?, * FROM unnest(CAST(? AS TEXT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS DOUBLE PRECISION[]), CAST(? AS INTEGER[]))";

/**
 * Inserts a batch's points (exact duplicates collapse on the primary key) and returns the range of
 * `seq` the new ones got and the transaction's id as rows record it (`xmin`); the store's change
 * notice names both, so a reader gets exactly this batch's points even when another writer's
 * points of the same run took seqs inside the range.
 */
export const INSERT_METRICS =
  "WITH ins AS (INSERT INTO metrics (run_uuid, key, step, timestamp, value, is_nan) " +
  `${UNNEST} ON CONFLICT DO NOTHING RETURNING seq) ` +
  "SELECT MIN(seq) AS lo, MAX(seq) AS hi, txid_current() % 4294967296 AS xid FROM ins";

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

/** The lowest and highest non-NaN point per bucket (equal step ranges, numbered as `bucketOf`), ties to the earliest. */
const BUCKET_EXTREMES =
  "WITH p AS (SELECT step, timestamp, value, LEAST(CAST(? AS BIGINT) - 1, ((step - CAST(? AS BIGINT)) * CAST(? AS BIGINT)) / CAST(? AS BIGINT)) AS b " +
  "FROM metrics WHERE run_uuid = ? AND key = ? AND step BETWEEN ? AND ? AND is_nan = 0) " +
  "SELECT * FROM (SELECT DISTINCT ON (b) b, step, timestamp, value FROM p ORDER BY b, value ASC, step, timestamp) lows " +
  "UNION ALL SELECT * FROM (SELECT DISTINCT ON (b) b, step, timestamp, value FROM p ORDER BY b, value DESC, step, timestamp) highs";

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
    for (let i = 0; i < metrics.length; i++) {
      const m = metrics[i]!;
      const row: MetricRow = { key: m.key, step: m.step, timestamp: m.timestamp, value: storedValue(m.value), is_nan: m.value !== m.value ? 1 : 0 };
      rows[i] = row;
      const best = newest.get(m.key);
      if (!best || isLater(row.step, row.timestamp, row.value, row.is_nan, best)) newest.set(m.key, row);
    }
    yield* all(INSERT_METRICS, ...columns(runId, rows));
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
    const span = hi - lo + 1;
    const rows = yield* all<{ b: number; step: number; timestamp: number; value: number }>(
      BUCKET_EXTREMES, buckets, lo, buckets, span, runId, key, lo, hi,
    );
    const out: (Extremes | undefined)[] = new Array(buckets);
    for (const r of rows) addToBucket(out, key, r.b, r.step, r.timestamp, r.value);
    return out;
  },
};
