/**
 * Per-(run, key) summaries of metric history in fixed step blocks at several sizes: each block keeps
 * its lowest and highest non-NaN point, so a min/max-preserving sample of N buckets reads a few
 * blocks per bucket instead of every point.
 *
 * Blocks are written once the series' frontier passes them: its largest step, rounded down to a
 * level-0 block. A passed block is built from the batch in memory plus the few points logged earlier
 * past the old frontier; afterwards only points logged out of order (behind the frontier) reach it.
 * So in-order logging writes about one block row per 64 steps and key (one per point when steps
 * are 64 or more apart), and a reader takes blocks behind the frontier and points past it.
 */
import type Database from "better-sqlite3";
import { BLOCK_SIZES, BLOCK_UPSERT, type BlockRow, type BlockSource, type Extremes, Grouper } from "../ops/history.ts";
import type { Work } from "../sql/index.ts";
import { ChunkedInsert } from "./chunked-insert.ts";

/** How many blocks of a level make one of the next (the ratio of `BLOCK_SIZES`). */
const RATIO = 8;

const SIZE0 = BLOCK_SIZES[0]!;

/** The first step not summarized yet, for a series whose largest step is `maxStep` (-Infinity: none). */
export function frontier(maxStep: number): number {
  return Math.floor(maxStep / SIZE0) * SIZE0;
}

/** A key's largest step before a batch, and the frontier before (f0) and after (f1) it. */
interface Front {
  before: number;
  f0: number;
  f1: number;
}

/** One batch of points as `MetricBlocks.write` stores it: its level-0 blocks and how each key's frontier moves. */
export class BlockBatch {
  /** The batch's level-0 groups. */
  readonly level0 = new Grouper();
  /** Per key the batch logs. */
  readonly fronts = new Map<string, Front>();

  /** Adds one stored non-NaN point. */
  add(key: string, step: number, timestamp: number, value: number): void {
    this.level0.add(key, Math.floor(step / SIZE0), step, timestamp, value);
  }

  /** Records a key the batch logs (NaN points too) with the series' largest step before and after it. */
  span(key: string, before: number, after: number): void {
    this.fronts.set(key, { before, f0: frontier(before), f1: frontier(after) });
  }
}

/** Whether some key's frontier crossed a boundary of `size`-step blocks. */
function crossed(fronts: Map<string, Front>, size: number): boolean {
  for (const f of fronts.values()) if (Math.floor(f.f1 / size) > Math.floor(f.f0 / size)) return true;
  return false;
}

const COLUMNS = "run_uuid, key, level, block, min_step, min_timestamp, min_value, max_step, max_timestamp, max_value";

/** Prepared block statements on one connection; what a sample reads (`BlockSource`). */
export class MetricBlocks implements BlockSource {
  private readonly upsert: ChunkedInsert;
  private readonly read: Database.Statement;
  private readonly inRange: Database.Statement;

  constructor(db: Database.Database) {
    this.upsert = new ChunkedInsert(db, `INSERT INTO metric_blocks (${COLUMNS})`, 10, BLOCK_UPSERT);
    this.read = db
      .prepare(
        "SELECT block, min_step, min_timestamp, min_value, max_step, max_timestamp, max_value FROM metric_blocks " +
          "WHERE run_uuid = ? AND key = ? AND level = ? AND block BETWEEN ? AND ?",
      )
      .raw();
    this.inRange = db
      .prepare("SELECT step, timestamp, value FROM metrics WHERE run_uuid = ? AND key = ? AND step BETWEEN ? AND ? AND is_nan = 0")
      .raw();
  }

  /**
   * Stores what a batch of `runId`'s points changes: the blocks behind the old frontier that take
   * points logged out of order, then the blocks the frontier passes now.
   */
  write(runId: string, batch: BlockBatch): void {
    const fronts = batch.fronts;
    let late: Extremes[] = [];
    const passed0 = new Grouper();
    for (const e of batch.level0.groups) {
      const f = fronts.get(e.key)!;
      const end = (e.block + 1) * SIZE0;
      if (end <= f.f0) late.push(e);
      else if (end <= f.f1) passed0.merge(e.key, e.block, e);
    }
    if (late.length === 0 && !crossed(fronts, SIZE0)) return;
    // Points logged earlier past the old frontier, all in the level-0 block that starts there, join
    // the passed blocks (a plain range read: often a single point, at most one block's worth).
    for (const [key, f] of fronts) {
      if (f.f1 <= f.f0 || f.before === -Infinity) continue;
      for (const row of this.inRange.all(runId, key, f.f0, f.before) as number[][]) passed0.add(key, f.f0 / SIZE0, row[0]!, row[1]!, row[2]!);
    }
    let passed = passed0.groups;
    this.store(runId, 0, late);
    this.store(runId, 0, passed);
    for (let level = 1; level < BLOCK_SIZES.length; level++) {
      const size = BLOCK_SIZES[level]!;
      // Coarser levels change only where this one did.
      if (late.length === 0 && !crossed(fronts, size)) break;
      // Blocks behind the old frontier take the late points directly.
      const lateUp = new Grouper();
      for (const e of late) lateUp.merge(e.key, Math.floor(e.block / RATIO), e);
      late = lateUp.groups.filter((e) => (e.block + 1) * size <= fronts.get(e.key)!.f0);
      this.store(runId, level, late);
      // A passed block is its passed finer blocks plus, in the one that straddles the old frontier,
      // the finer blocks behind it, stored by earlier batches.
      const up = new Grouper();
      for (const e of passed) up.merge(e.key, Math.floor(e.block / RATIO), e);
      for (const [key, f] of fronts) {
        const first = Math.floor(f.f0 / size);
        if (first * size >= f.f0 || (first + 1) * size > f.f1) continue;
        const finer = BLOCK_SIZES[level - 1]!;
        for (const row of this.read.all(runId, key, level - 1, first * RATIO, Math.floor(f.f0 / finer) - 1) as BlockRow[]) up.merge(key, first, row);
      }
      passed = up.groups.filter((e) => (e.block + 1) * size <= fronts.get(e.key)!.f1);
      this.store(runId, level, passed);
    }
  }

  private store(runId: string, level: number, groups: Extremes[]): void {
    const args = this.upsert.args;
    for (const e of groups) {
      const at = this.upsert.next();
      args[at] = runId;
      args[at + 1] = e.key;
      args[at + 2] = level;
      args[at + 3] = e.block;
      args[at + 4] = e.minStep;
      args[at + 5] = e.minTimestamp;
      args[at + 6] = e.minValue;
      args[at + 7] = e.maxStep;
      args[at + 8] = e.maxTimestamp;
      args[at + 9] = e.maxValue;
    }
    // Flushed per level: the next level's roll-up reads these rows.
    this.upsert.flush();
  }

  /** See `BlockSource.blocks`. */
  *blocks(runId: string, key: string, level: number, first: number, last: number): Work<BlockRow[]> {
    return this.read.all(runId, key, level, first, last) as BlockRow[];
  }

  /** See `BlockSource.points`. */
  *points(runId: string, key: string, a: number, b: number): Work<[number, number, number][]> {
    return this.inRange.all(runId, key, a, b) as [number, number, number][];
  }
}

/** Points per read while summarizing existing history, so a long history never sits in memory whole. */
const BACKFILL_PAGE = 50_000;

/**
 * Summarizes every stored point into `metric_blocks` (the migration that added the table), as if
 * each (run, key) history were logged again in step order, a page per batch.
 */
export function backfillBlocks(db: Database.Database): void {
  const blocks = new MetricBlocks(db);
  const series = db.prepare("SELECT run_uuid, key FROM latest_metrics").raw().all() as [string, string][];
  const cols = "SELECT step, timestamp, value, is_nan FROM metrics WHERE run_uuid = ? AND key = ?";
  const order = `ORDER BY step, timestamp, value, is_nan LIMIT ${BACKFILL_PAGE}`;
  const firstPage = db.prepare(`${cols} ${order}`).raw();
  const nextPage = db.prepare(`${cols} AND (step, timestamp, value, is_nan) > (?, ?, ?, ?) ${order}`).raw();
  for (const [runId, key] of series) {
    let before = -Infinity;
    let page = firstPage.all(runId, key) as [number, number, number, number][];
    while (page.length > 0) {
      const batch = new BlockBatch();
      for (const [step, timestamp, value, is_nan] of page) if (!is_nan) batch.add(key, step, timestamp, value);
      const after = page.at(-1)![0];
      batch.span(key, before, after);
      blocks.write(runId, batch);
      before = after;
      page = page.length < BACKFILL_PAGE ? [] : (nextPage.all(runId, key, ...page.at(-1)!) as typeof page);
    }
  }
}
