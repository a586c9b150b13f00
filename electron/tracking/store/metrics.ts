/**
 * Metric points: append-only history, the incrementally maintained latest value per key, paged
 * history reads and the min/max-preserving sample that feeds live charts. Callers own transactions.
 */
import type Database from "better-sqlite3";
import type { Metric, MetricWithRunId } from "../types.ts";
import { toMetric } from "./entities.ts";
import type { MetricRow } from "./schema.ts";
import { MAX_DOUBLE } from "./validation.ts";

/** Default points per run of a bulk-interval sample (what MLflow's UI asks for). */
export const DEFAULT_SAMPLE_POINTS = 320;

/**
 * Whether a stored point (step, timestamp, value, is_nan) comes after row b in "latest" order:
 * step, then timestamp, then value (NaN lowest). Takes fields, not a row, so the per-point check
 * of a batch allocates nothing.
 */
function isLater(step: number, timestamp: number, value: number, is_nan: number, b: MetricRow): boolean {
  if (step !== b.step) return step > b.step;
  if (timestamp !== b.timestamp) return timestamp > b.timestamp;
  if (is_nan !== b.is_nan) return is_nan < b.is_nan;
  return value > b.value;
}

/**
 * Rows per multi-row INSERT: one statement step for 100 points costs far less than 100 steps
 * through better-sqlite3's per-call binding, and 600 bound values stay well under SQLite's limit.
 */
const ROWS_PER_INSERT = 100;
const COLUMNS = 6;

/** Prepared metric statements on one connection. */
export class MetricTable {
  private readonly insert: Database.Statement;
  private readonly insertChunk: Database.Statement;
  /** Reused bind array of `insertChunk`, so a batch allocates no per-row argument lists. */
  private readonly chunkArgs: unknown[] = new Array(ROWS_PER_INSERT * COLUMNS);
  private readonly latest: Database.Statement;
  private readonly upsertLatest: Database.Statement;
  private readonly history: Database.Statement;
  private readonly historyPage: Database.Statement;
  private readonly historyJson: Database.Statement;
  private readonly range: Database.Statement;
  private readonly rangeAll: Database.Statement;
  private readonly first: Database.Statement;
  private readonly last: Database.Statement;
  private readonly bucketMin: Database.Statement;
  private readonly bucketMax: Database.Statement;

  constructor(db: Database.Database) {
    this.insert = db.prepare(
      "INSERT OR IGNORE INTO metrics (run_uuid, key, step, timestamp, value, is_nan) VALUES (?, ?, ?, ?, ?, ?)",
    );
    const tuples = Array.from({ length: ROWS_PER_INSERT }, () => "(?, ?, ?, ?, ?, ?)").join(", ");
    this.insertChunk = db.prepare(`INSERT OR IGNORE INTO metrics (run_uuid, key, step, timestamp, value, is_nan) VALUES ${tuples}`);
    this.latest = db.prepare("SELECT key, step, timestamp, value, is_nan FROM latest_metrics WHERE run_uuid = ? AND key = ?");
    this.upsertLatest = db.prepare(
      "INSERT OR REPLACE INTO latest_metrics (run_uuid, key, step, timestamp, value, is_nan) VALUES (?, ?, ?, ?, ?, ?)",
    );
    const cols = "SELECT key, step, timestamp, value, is_nan FROM metrics WHERE run_uuid = ? AND key = ?";
    // History reads return arrays (`raw`), not row objects: a 100k-point history is read once
    // into the Metric objects it is answered with, with no intermediate row objects.
    const points = "SELECT step, timestamp, value, is_nan FROM metrics WHERE run_uuid = ? AND key = ?";
    this.history = db.prepare(`${points} ORDER BY step, timestamp, value LIMIT -1 OFFSET ?`).raw();
    this.historyPage = db.prepare(`${points} ORDER BY step, timestamp, value LIMIT ? OFFSET ?`).raw();
    // SQLite writes the whole wire array in C, one pass over the primary key in step order: no row
    // values cross into JS. Its doubles print with 17 significant digits, which parse back to the
    // identical double; NaN becomes the string "NaN" as protobuf JSON has it (±Inf are stored clamped).
    // The order comes from the ordered subquery read off the primary key; an ORDER BY inside the
    // aggregate would re-sort the rows in a temp b-tree (EXPLAIN QUERY PLAN), doubling the cost.
    this.historyJson = db
      .prepare(
        "SELECT json_group_array(json_object('key', key, 'value', CASE WHEN is_nan THEN 'NaN' ELSE value END, " +
          "'timestamp', timestamp, 'step', step)) " +
          "FROM (SELECT key, step, timestamp, value, is_nan FROM metrics WHERE run_uuid = ? AND key = ? ORDER BY step, timestamp, value)",
      )
      .pluck();
    const inRange = "run_uuid = ? AND key = ? AND step BETWEEN ? AND ?";
    this.range = db.prepare(`SELECT COUNT(*) AS n, MIN(step) AS lo, MAX(step) AS hi FROM metrics WHERE ${inRange}`);
    this.rangeAll = db.prepare(`${cols} AND step BETWEEN ? AND ? ORDER BY step, timestamp, value`);
    const edge = `SELECT key, step, timestamp, value, is_nan FROM metrics WHERE ${inRange}`;
    this.first = db.prepare(`${edge} ORDER BY step, timestamp, value LIMIT 1`);
    this.last = db.prepare(`${edge} ORDER BY step DESC, timestamp DESC, value DESC LIMIT 1`);
    // SQLite returns the bare columns of the row that holds a lone MIN() or MAX() aggregate, so each
    // query is one pass over the (run, key, step) index yielding each bucket's extreme point.
    const bucket = "CAST((step - ?) * ? / ? AS INTEGER)";
    this.bucketMin = db.prepare(
      `SELECT key, step, timestamp, MIN(value) AS value, is_nan FROM metrics WHERE ${inRange} AND is_nan = 0 GROUP BY ${bucket}`,
    );
    this.bucketMax = db.prepare(
      `SELECT key, step, timestamp, MAX(value) AS value, is_nan FROM metrics WHERE ${inRange} AND is_nan = 0 GROUP BY ${bucket}`,
    );
  }

  /**
   * Appends points to a run (exact duplicates collapse on the primary key via INSERT OR IGNORE)
   * and moves each key's latest value forward once per batch: the batch's latest point per key is
   * found in memory, then compared with the stored one.
   */
  append(runId: string, metrics: Metric[]): void {
    const newest = new Map<string, MetricRow>();
    const args = this.chunkArgs;
    let filled = 0;
    for (const m of metrics) {
      // The stored form: NaN as 0 plus a flag, ±Infinity clamped to ±MAX_DOUBLE as MLflow does.
      let value = m.value;
      let is_nan = 0;
      if (value !== value) {
        value = 0;
        is_nan = 1;
      } else if (value === Infinity) value = MAX_DOUBLE;
      else if (value === -Infinity) value = -MAX_DOUBLE;
      const best = newest.get(m.key);
      if (!best) newest.set(m.key, { key: m.key, step: m.step, timestamp: m.timestamp, value, is_nan });
      else if (isLater(m.step, m.timestamp, value, is_nan, best)) {
        best.step = m.step;
        best.timestamp = m.timestamp;
        best.value = value;
        best.is_nan = is_nan;
      }
      const at = filled * COLUMNS;
      args[at] = runId;
      args[at + 1] = m.key;
      args[at + 2] = m.step;
      args[at + 3] = m.timestamp;
      args[at + 4] = value;
      args[at + 5] = is_nan;
      if (++filled === ROWS_PER_INSERT) {
        this.insertChunk.run(args);
        filled = 0;
      }
    }
    for (let i = 0; i < filled * COLUMNS; i += COLUMNS) {
      this.insert.run(args[i], args[i + 1], args[i + 2], args[i + 3], args[i + 4], args[i + 5]);
    }
    for (const row of newest.values()) {
      const current = this.latest.get(runId, row.key) as MetricRow | undefined;
      if (!current || isLater(row.step, row.timestamp, row.value, row.is_nan, current)) this.upsertLatest.run(runId, row.key, row.step, row.timestamp, row.value, row.is_nan);
    }
  }

  /** One page of a key's history in step order, plus whether more rows follow. */
  page(runId: string, key: string, offset: number, limit?: number): { items: Metric[]; more: boolean } {
    const rows = (limit === undefined ? this.history.all(runId, key, offset) : this.historyPage.all(runId, key, limit + 1, offset)) as
      [number, number, number, number][];
    const n = limit === undefined ? rows.length : Math.min(rows.length, limit);
    const items: Metric[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const [step, timestamp, value, is_nan] = rows[i]!;
      // The is_nan flag restores NaN, which SQLite cannot hold.
      items[i] = { key, value: is_nan ? NaN : value, timestamp, step };
    }
    return { items, more: limit !== undefined && rows.length > limit };
  }

  /** A key's whole history in step order as a JSON array of wire metrics. */
  historyText(runId: string, key: string): string {
    return this.historyJson.get(runId, key) as string;
  }

  /**
   * At most `maxPoints` points of a run's key between steps `start` and `end`: everything when it
   * fits, otherwise the first and last points plus the lowest and highest point of each of
   * evenly sized step buckets, so spikes survive downsampling.
   */
  sample(runId: string, key: string, start: number, end: number, maxPoints: number): MetricWithRunId[] {
    const stats = this.range.get(runId, key, start, end) as { n: number; lo: number | null; hi: number | null };
    const withRun = (rows: MetricRow[]): MetricWithRunId[] => rows.map((r) => ({ ...toMetric(r), run_id: runId }));
    if (stats.n === 0 || stats.lo === null || stats.hi === null) return [];
    if (stats.n <= maxPoints) return withRun(this.rangeAll.all(runId, key, start, end) as MetricRow[]);
    const first = this.first.get(runId, key, start, end) as MetricRow;
    const last = this.last.get(runId, key, start, end) as MetricRow;
    if (maxPoints <= 2) return withRun(maxPoints === 1 ? [first] : [first, last]);
    const buckets = Math.floor((maxPoints - 2) / 2);
    const span = stats.hi - stats.lo + 1;
    const args = [runId, key, start, end, stats.lo, buckets, span];
    const picked = new Map<string, MetricRow>();
    const add = (r: MetricRow): void => void picked.set(`${r.step}/${r.timestamp}/${r.value}/${r.is_nan}`, r);
    add(first);
    add(last);
    for (const r of this.bucketMin.all(...args) as MetricRow[]) add(r);
    for (const r of this.bucketMax.all(...args) as MetricRow[]) add(r);
    const rows = [...picked.values()].sort((a, b) => a.step - b.step || a.timestamp - b.timestamp || a.value - b.value);
    return withRun(rows);
  }
}
