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

/** The stored form of a value: NaN as 0 plus a flag, ±Infinity clamped to ±MAX_DOUBLE as MLflow does. */
export function storedValue(value: number): { value: number; is_nan: number } {
  if (Number.isNaN(value)) return { value: 0, is_nan: 1 };
  if (value === Infinity) return { value: MAX_DOUBLE, is_nan: 0 };
  if (value === -Infinity) return { value: -MAX_DOUBLE, is_nan: 0 };
  return { value, is_nan: 0 };
}

/** Whether point a comes after point b in "latest" order: step, then timestamp, then value (NaN lowest). */
function isLater(a: MetricRow, b: MetricRow): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  if (a.is_nan !== b.is_nan) return a.is_nan < b.is_nan;
  return a.value > b.value;
}

/** Prepared metric statements on one connection. */
export class MetricTable {
  private readonly insert: Database.Statement;
  private readonly latest: Database.Statement;
  private readonly upsertLatest: Database.Statement;
  private readonly history: Database.Statement;
  private readonly historyPage: Database.Statement;
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
    this.latest = db.prepare("SELECT key, step, timestamp, value, is_nan FROM latest_metrics WHERE run_uuid = ? AND key = ?");
    this.upsertLatest = db.prepare(
      "INSERT OR REPLACE INTO latest_metrics (run_uuid, key, step, timestamp, value, is_nan) VALUES (?, ?, ?, ?, ?, ?)",
    );
    const cols = "SELECT key, step, timestamp, value, is_nan FROM metrics WHERE run_uuid = ? AND key = ?";
    this.history = db.prepare(`${cols} ORDER BY step, timestamp, value`);
    this.historyPage = db.prepare(`${cols} ORDER BY step, timestamp, value LIMIT ? OFFSET ?`);
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

  /** Appends points to a run (exact duplicates collapse) and moves each key's latest value forward. */
  append(runId: string, metrics: Metric[]): void {
    for (const m of metrics) {
      const { value, is_nan } = storedValue(m.value);
      const row: MetricRow = { key: m.key, step: m.step, timestamp: m.timestamp, value, is_nan };
      this.insert.run(runId, m.key, m.step, m.timestamp, value, is_nan);
      const current = this.latest.get(runId, m.key) as MetricRow | undefined;
      if (!current || isLater(row, current)) this.upsertLatest.run(runId, m.key, m.step, m.timestamp, value, is_nan);
    }
  }

  /** One page of a key's history in step order, plus whether more rows follow. */
  page(runId: string, key: string, offset: number, limit?: number): { items: Metric[]; more: boolean } {
    if (limit === undefined) {
      const rows = this.history.all(runId, key) as MetricRow[];
      return { items: rows.slice(offset).map(toMetric), more: false };
    }
    const rows = this.historyPage.all(runId, key, limit + 1, offset) as MetricRow[];
    return { items: rows.slice(0, limit).map(toMetric), more: rows.length > limit };
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
