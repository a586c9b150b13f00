/**
 * Metric points on SQLite: append-only history, the incrementally maintained latest value per key,
 * paged history reads, and what the shared min/max sample (`ops/history.ts`) reads here: block
 * summaries (`metric-blocks.ts`) instead of every point. Callers own transactions.
 */
import type Database from "better-sqlite3";
import { blockExtremes, historyPage, type Extremes, isLater, storedValue, type PointRow, type SampleSource } from "../ops/history.ts";
import type { MetricRow } from "../ops/rows.ts";
import type { Work } from "../sql/index.ts";
import type { Metric } from "../types.ts";
import { ChunkedInsert } from "./chunked-insert.ts";
import { BlockBatch, frontier, MetricBlocks } from "./metric-blocks.ts";

/** Prepared metric statements on one SQLite connection; sampling reads the block summaries. */
export class MetricTable implements SampleSource {
  private readonly insert: ChunkedInsert;
  private readonly blocks: MetricBlocks;
  private readonly latest: Database.Statement;
  private readonly upsertLatest: Database.Statement;
  private readonly history: Database.Statement;
  private readonly historyPage: Database.Statement;
  private readonly historyJson: Database.Statement;
  private readonly rangeHead: Database.Statement;
  private readonly lastPoint: Database.Statement;

  constructor(db: Database.Database) {
    this.insert = new ChunkedInsert(db, "INSERT OR IGNORE INTO metrics (run_uuid, key, step, timestamp, value, is_nan)", 6);
    this.blocks = new MetricBlocks(db);
    this.latest = db.prepare("SELECT key, step, timestamp, value, is_nan FROM latest_metrics WHERE run_uuid = ? AND key = ?");
    this.upsertLatest = db.prepare(
      "INSERT OR REPLACE INTO latest_metrics (run_uuid, key, step, timestamp, value, is_nan) VALUES (?, ?, ?, ?, ?, ?)",
    );
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
    const inRange = `${points} AND step BETWEEN ? AND ?`;
    this.rangeHead = db.prepare(`${inRange} ORDER BY step, timestamp, value, is_nan LIMIT ?`).raw();
    this.lastPoint = db.prepare(`${inRange} ORDER BY step DESC, timestamp DESC, value DESC, is_nan DESC LIMIT 1`).raw();
  }

  /**
   * Appends points to a run (exact duplicates collapse on the primary key via INSERT OR IGNORE),
   * merges them into the run's block summaries, and moves each key's latest value forward once per
   * batch: the batch's latest point per key is found in memory, then compared with the stored one.
   */
  append(runId: string, metrics: Metric[]): void {
    const newest = new Map<string, MetricRow>();
    const batch = new BlockBatch();
    const args = this.insert.args;
    for (const m of metrics) {
      // The stored form: NaN as 0 plus a flag, ±Infinity clamped to ±MAX_DOUBLE as MLflow does.
      const value = storedValue(m.value);
      const is_nan = m.value !== m.value ? 1 : 0;
      if (!is_nan) batch.add(m.key, m.step, m.timestamp, value);
      const best = newest.get(m.key);
      if (!best) newest.set(m.key, { key: m.key, step: m.step, timestamp: m.timestamp, value, is_nan });
      else if (isLater(m.step, m.timestamp, value, is_nan, best)) {
        best.step = m.step;
        best.timestamp = m.timestamp;
        best.value = value;
        best.is_nan = is_nan;
      }
      const at = this.insert.next();
      args[at] = runId;
      args[at + 1] = m.key;
      args[at + 2] = m.step;
      args[at + 3] = m.timestamp;
      args[at + 4] = value;
      args[at + 5] = is_nan;
    }
    this.insert.flush();
    for (const row of newest.values()) {
      const current = this.latest.get(runId, row.key) as MetricRow | undefined;
      // The latest point has the largest step, so it also tells how far the blocks' frontier moves.
      const before = current?.step ?? -Infinity;
      batch.span(row.key, before, Math.max(before, row.step));
      if (!current || isLater(row.step, row.timestamp, row.value, row.is_nan, current)) this.upsertLatest.run(runId, row.key, row.step, row.timestamp, row.value, row.is_nan);
    }
    this.blocks.write(runId, batch);
  }

  /** One page of a key's history in step order, plus whether more rows follow. */
  page(runId: string, key: string, offset: number, limit?: number): { items: Metric[]; more: boolean } {
    const rows = (limit === undefined ? this.history.all(runId, key, offset) : this.historyPage.all(runId, key, limit + 1, offset)) as PointRow[];
    return historyPage(key, rows, limit);
  }

  /** A key's whole history in step order as a JSON array of wire metrics. */
  historyText(runId: string, key: string): string {
    return this.historyJson.get(runId, key) as string;
  }

  /** See `SampleSource.head`. */
  *head(runId: string, key: string, start: number, end: number, limit: number): Work<PointRow[]> {
    return this.rangeHead.all(runId, key, start, end, limit) as PointRow[];
  }

  /** See `SampleSource.last`. */
  *last(runId: string, key: string, start: number, end: number): Work<PointRow> {
    return this.lastPoint.get(runId, key, start, end) as PointRow;
  }

  /** See `SampleSource.extremes`: from the block summaries, complete up to the series' frontier. */
  *extremes(runId: string, key: string, lo: number, hi: number, buckets: number): Work<(Extremes | undefined)[]> {
    const maxStep = (this.latest.get(runId, key) as MetricRow).step;
    return yield* blockExtremes(this.blocks, runId, key, frontier(maxStep), lo, hi, buckets);
  }
}
