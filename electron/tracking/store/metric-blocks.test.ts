import assert from "node:assert/strict";
import { test } from "node:test";
import Database from "better-sqlite3";
import type { Metric } from "../types.ts";
import { migrate } from "../sql/index.ts";
import { frontier } from "./metric-blocks.ts";
import { MetricTable } from "./metrics.ts";
import { TRACKING_MIGRATIONS } from "./schema.ts";
import { type BlockRowOfKey as Row, expectedBlocks as expectedOf, random, series, shuffled } from "./test-support.ts";

const RUN = "r".repeat(32);

/** A database migrated to `version` with one run, and its metric table when blocks exist. */
function openDb(version = TRACKING_MIGRATIONS.length): Database.Database {
  const db = new Database(":memory:");
  migrate(db, "tracking", TRACKING_MIGRATIONS.slice(0, version));
  db.exec("INSERT INTO experiments VALUES (0, 'e', 'a', 'active', 0, 0)");
  db.prepare("INSERT INTO runs VALUES (?, 'n', 0, 'u', 'RUNNING', 0, NULL, 'a', 'active', NULL)").run(RUN);
  return db;
}

/** The blocks SQLite must hold: those wholly before the series' frontier. */
const expectedBlocks = (points: Metric[]): Row[] => expectedOf(points, frontier);

function storedBlocks(db: Database.Database): Row[] {
  return db
    .prepare("SELECT key, level, block, min_step, min_timestamp, min_value, max_step, max_timestamp, max_value FROM metric_blocks ORDER BY key, level, block")
    .raw()
    .all() as Row[];
}

/** Logs `points` in batches of random sizes, each in its own transaction as the store does. */
function log(db: Database.Database, points: Metric[], rand: () => number): void {
  const table = new MetricTable(db);
  for (let i = 0; i < points.length; ) {
    const n = 1 + Math.floor(rand() * (rand() < 0.8 ? 40 : 3000));
    const batch = points.slice(i, i + n);
    db.transaction(() => table.append(RUN, batch))();
    i += n;
  }
}

test("stored blocks summarize exactly the points behind the frontier, logged in order", () => {
  const rand = random(1);
  const points = series(rand);
  const db = openDb();
  log(db, points, rand);
  assert.deepEqual(storedBlocks(db), expectedBlocks(points));
});

test("points logged out of order, in any batches, end in the same blocks", () => {
  const rand = random(2);
  const points = series(rand);
  const db = openDb();
  // Mostly forward with stragglers: a tenth of the points arrive late, at random.
  const late = points.filter(() => rand() < 0.1);
  const lateSet = new Set(late);
  log(db, [...points.filter((p) => !lateSet.has(p)), ...shuffled(late, rand)], rand);
  assert.deepEqual(storedBlocks(db), expectedBlocks(points));
  // Fully shuffled.
  const db2 = openDb();
  log(db2, shuffled(points, rand), rand);
  assert.deepEqual(storedBlocks(db2), expectedBlocks(points));
});

test("the migration that adds blocks summarizes history already stored", () => {
  const rand = random(3);
  // Plus a key long enough to be read back in several pages.
  const points = [...series(rand), ...Array.from({ length: 120_000 }, (_, i) => ({ key: "c", step: i, timestamp: i % 7, value: Math.cos(i / 50) }))];
  const db = openDb(2);
  // History written by the previous version: rows only, no blocks.
  const insert = db.prepare("INSERT OR IGNORE INTO metrics VALUES (?, ?, ?, ?, ?, ?)");
  const latest = db.prepare("INSERT OR REPLACE INTO latest_metrics VALUES (?, ?, ?, ?, ?, ?)");
  for (const p of points) insert.run(RUN, p.key, p.step, p.timestamp, Number.isNaN(p.value) ? 0 : p.value, Number.isNaN(p.value) ? 1 : 0);
  for (const key of ["a", "b", "c"]) {
    const last = points.filter((p) => p.key === key).reduce((a, b) => (b.step > a.step ? b : a));
    latest.run(RUN, key, last.step, last.timestamp, last.value, 0);
  }
  migrate(db, "tracking", TRACKING_MIGRATIONS);
  assert.deepEqual(storedBlocks(db), expectedBlocks(points));
  // And logging continues from there.
  const more = Array.from({ length: 5000 }, (_, i) => ({ key: "a", step: 20_000 + i, timestamp: 1, value: Math.sin(i) }));
  log(db, more, rand);
  assert.deepEqual(storedBlocks(db), expectedBlocks([...points, ...more]));
});
