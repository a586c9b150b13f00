/**
 * The two database engines the tracking bench runs on, each with what only its own driver can do:
 * the store over it, the raw-insert baselines of the same metric rows (better-sqlite3 prepared
 * inserts; node-postgres single-row and 1,000-row multi-row INSERTs), the 100,000-run search fixture
 * written on a second connection, and a plain COUNT of a metric's rows. PostgreSQL runs on a
 * throwaway cluster (`startTestPostgres`), or is skipped with the install command.
 */
import Database from "better-sqlite3";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { startTestPostgres } from "../../electron/tracking/pg/test-postgres.ts";
import { openStore, SqliteStore } from "../../electron/tracking/store/index.ts";
import type { TrackingStore } from "../../electron/tracking/types.ts";

/** Rows/s of raw inserts: single-row autocommit, and 1,000 rows per transaction. */
export interface RawRates {
  single: number;
  batched: number;
}

/** One engine under the bench. */
export interface Engine {
  label: "sqlite" | "postgresql";
  store: TrackingStore;
  /** A tracking URI other processes can open the same database with. */
  uri: string;
  rawInsertRates(): Promise<RawRates>;
  /** `count` finished runs with 5 params and 5 metrics each (run ids `bench000…`), written raw. */
  populateRuns(experimentId: string, count: number): Promise<void>;
  /** A plain COUNT of a metric's rows, on a second connection. */
  countMetricRows(runId: string, key: string): Promise<number>;
  close(): Promise<void>;
}

/** PostgreSQL's engine also makes databases, for benches that need a store of their own. */
export interface PostgresEngine extends Engine {
  freshUri(): Promise<string>;
}

/** The fixture's run `i`: its id, and the values its params and metrics take. */
function fixtureRun(i: number) {
  const id = `bench${String(i).padStart(27, "0")}`;
  return {
    id,
    name: `run-${i}`,
    params: Array.from({ length: 5 }, (_, p) => [`p${p}`, String((i * (p + 1)) % 97)] as const),
    metrics: Array.from({ length: 5 }, (_, m) => [`m${m}`, ((i * 7919 * (m + 1)) % 10007) / 10007] as const),
  };
}

/** SQLite in `dir`: the app's engine. */
export async function sqliteEngine(dir: string): Promise<Engine> {
  const path = join(dir, "bench.db");
  const store = await SqliteStore.open({ path, defaultArtifactRoot: pathToFileURL(join(dir, "art")).href });
  const open = (file: string, readonly = false) => {
    const db = new Database(file, { readonly });
    if (!readonly) {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
    }
    return db;
  };
  return {
    label: "sqlite",
    store,
    uri: `sqlite:///${path}`,
    async rawInsertRates() {
      const db = open(join(dir, "raw.db"));
      db.exec("CREATE TABLE metrics (run_uuid TEXT, key TEXT, value REAL, timestamp INTEGER, step INTEGER, PRIMARY KEY (run_uuid, key, timestamp, step, value))");
      const insert = db.prepare("INSERT INTO metrics VALUES (?, ?, ?, ?, ?)");
      let t = performance.now();
      for (let i = 0; i < 2000; i++) insert.run("r1", "m", i, i, i);
      const single = 2000 / ((performance.now() - t) / 1000);
      const batch = db.transaction((start: number) => {
        for (let i = start; i < start + 1000; i++) insert.run("r2", "m", i, i, i);
      });
      t = performance.now();
      for (let b = 0; b < 100; b++) batch(b * 1000);
      const batched = 100_000 / ((performance.now() - t) / 1000);
      db.close();
      return { single, batched };
    },
    async populateRuns(experimentId, count) {
      const db = open(path);
      const run = db.prepare(
        "INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage) VALUES (?, ?, ?, '', 'FINISHED', ?, ?, ?, 'active')",
      );
      const tag = db.prepare("INSERT INTO tags (run_uuid, key, value) VALUES (?, 'mlflow.runName', ?)");
      const param = db.prepare("INSERT INTO params (run_uuid, key, value) VALUES (?, ?, ?)");
      const metric = db.prepare("INSERT INTO metrics (run_uuid, key, step, timestamp, value, is_nan) VALUES (?, ?, 0, ?, ?, 0)");
      const latest = db.prepare("INSERT INTO latest_metrics (run_uuid, key, step, timestamp, value, is_nan) VALUES (?, ?, 0, ?, ?, 0)");
      db.transaction(() => {
        for (let i = 0; i < count; i++) {
          const r = fixtureRun(i);
          run.run(r.id, r.name, Number(experimentId), i, i + 10, `file:///bench/${r.id}/artifacts`);
          tag.run(r.id, r.name);
          for (const [key, value] of r.params) param.run(r.id, key, value);
          for (const [key, value] of r.metrics) {
            metric.run(r.id, key, i, value);
            latest.run(r.id, key, i, value);
          }
        }
      })();
      db.pragma("wal_checkpoint(TRUNCATE)");
      db.close();
    },
    async countMetricRows(runId, key) {
      const db = open(path, true);
      try {
        return db.prepare("SELECT COUNT(*) FROM metrics WHERE run_uuid = ? AND key = ?").pluck().get(runId, key) as number;
      } finally {
        db.close();
      }
    },
    close: () => store.close(),
  };
}

/** PostgreSQL on a throwaway cluster, or why it is skipped. */
export async function postgresEngine(dir: string): Promise<PostgresEngine | { skip: string }> {
  const cluster = await startTestPostgres();
  if ("skip" in cluster) return cluster;
  const uri = await cluster.createDatabase();
  const store = await openStore(uri, { defaultArtifactRoot: pathToFileURL(join(dir, "pg-art")).href });
  const client = new pg.Client({ connectionString: uri });
  await client.connect();
  /** Runs `sql` once per chunk of `rows`, with each column as one array parameter (`unnest`). */
  const insertColumns = async (sql: string, rows: unknown[][]) => {
    for (let i = 0; i < rows.length; i += 10_000) {
      const chunk = rows.slice(i, i + 10_000);
      await client.query(sql, chunk[0]!.map((_, c) => chunk.map((r) => r[c])));
    }
  };
  return {
    label: "postgresql",
    store,
    uri,
    async rawInsertRates() {
      await client.query("CREATE TABLE raw_metrics (run_uuid TEXT, key TEXT, value DOUBLE PRECISION, timestamp BIGINT, step BIGINT, PRIMARY KEY (run_uuid, key, timestamp, step, value))");
      let t = performance.now();
      for (let i = 0; i < 2000; i++) await client.query("INSERT INTO raw_metrics VALUES ($1, $2, $3, $4, $5)", ["r1", "m", i, i, i]);
      const single = 2000 / ((performance.now() - t) / 1000);
      // One multi-row INSERT of 1,000 rows per statement (its own transaction), as a driver user would write it.
      const placeholders = Array.from({ length: 1000 }, (_, r) => `($${r * 5 + 1}, $${r * 5 + 2}, $${r * 5 + 3}, $${r * 5 + 4}, $${r * 5 + 5})`).join(", ");
      t = performance.now();
      for (let b = 0; b < 100; b++) {
        const params: unknown[] = [];
        for (let i = b * 1000; i < (b + 1) * 1000; i++) params.push("r2", "m", i, i, i);
        await client.query(`INSERT INTO raw_metrics VALUES ${placeholders}`, params);
      }
      const batched = 100_000 / ((performance.now() - t) / 1000);
      return { single, batched };
    },
    async populateRuns(experimentId, count) {
      const runs: unknown[][] = [];
      const tags: unknown[][] = [];
      const params: unknown[][] = [];
      const metrics: unknown[][] = [];
      for (let i = 0; i < count; i++) {
        const r = fixtureRun(i);
        runs.push([r.id, r.name, i, i + 10, `file:///bench/${r.id}/artifacts`]);
        tags.push([r.id, r.name]);
        for (const [key, value] of r.params) params.push([r.id, key, value]);
        for (const [key, value] of r.metrics) metrics.push([r.id, key, i, value]);
      }
      await client.query("BEGIN");
      await insertColumns(
        `INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage)
         SELECT id, name, ${Number(experimentId)}, '', 'FINISHED', st, et, uri, 'active' FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[]) AS u(id, name, st, et, uri)`,
        runs,
      );
      await insertColumns("INSERT INTO tags (run_uuid, key, value) SELECT id, 'mlflow.runName', v FROM unnest($1::text[], $2::text[]) AS u(id, v)", tags);
      await insertColumns("INSERT INTO params (run_uuid, key, value) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])", params);
      for (const table of ["metrics", "latest_metrics"]) {
        await insertColumns(
          `INSERT INTO ${table} (run_uuid, key, step, timestamp, value, is_nan) SELECT id, k, 0, ts, v, 0 FROM unnest($1::text[], $2::text[], $3::bigint[], $4::float8[]) AS u(id, k, ts, v)`,
          metrics,
        );
      }
      await client.query("COMMIT");
      // Fresh statistics, as autovacuum would gather before a team searches these runs.
      await client.query("ANALYZE");
    },
    async countMetricRows(runId, key) {
      const { rows } = await client.query<{ n: string }>("SELECT COUNT(*) AS n FROM metrics WHERE run_uuid = $1 AND key = $2", [runId, key]);
      return Number(rows[0]!.n);
    },
    freshUri: () => cluster.createDatabase(),
    async close() {
      await client.end();
      await store.close();
      await cluster.stop();
    },
  };
}
