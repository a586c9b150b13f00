/**
 * What only the PostgreSQL store does (the shared contract runs in the store, registry and REST
 * suites on both backends): changes from another process arrive through LISTEN/NOTIFY, own changes
 * once; concurrent writers lose nothing; MLflow's URI forms open it; a newer schema is refused; its
 * block summaries (kept by the points' insert) hold every point's block at every level however
 * points arrive, the migration that adds them summarizes stored history, and a chart's sample read
 * from them is exactly SQLite's.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { StoreChange } from "../contract.ts";
import { openStore } from "../store/index.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import { type BlockRowOfKey, expectedBlocks, random, series, shuffled } from "../store/test-support.ts";
import type { Metric } from "../types.ts";
import { typeParsers } from "./dialect.ts";
import { PgStore, isPostgresUri, pgConnectionString } from "./index.ts";
import { migratePg } from "./migrate.ts";
import { PG_REGISTRY_MIGRATIONS, PG_TRACKING_MIGRATIONS } from "./schema.ts";
import { postgresMissing, startTestPostgres, type TestPostgres } from "./test-postgres.ts";

/** Every block of every level holds its points: nothing waits for a frontier as on SQLite. */
const everyBlock = (points: Metric[]): BlockRowOfKey[] => expectedBlocks(points, () => Infinity);

/** Logs `points` in batches of random sizes (mostly small, some up to MLflow's 1,000), one transaction each. */
async function logInBatches(store: PgStore | SqliteStore, runId: string, points: Metric[], rand: () => number): Promise<void> {
  for (let i = 0; i < points.length; ) {
    const n = 1 + Math.floor(rand() * (rand() < 0.8 ? 40 : 1000));
    await store.logBatch({ run_id: runId, metrics: points.slice(i, i + n) });
    i += n;
  }
}

test("MLflow's PostgreSQL URI forms are recognised and the driver suffix dropped", () => {
  assert.ok(isPostgresUri("postgresql://u:p@h:5432/db"));
  assert.ok(isPostgresUri("postgresql+psycopg2://u:p@h/db"));
  assert.ok(!isPostgresUri("sqlite:///x.db"));
  assert.ok(!isPostgresUri("http://h:5000"));
  assert.equal(pgConnectionString("postgresql+psycopg2://u:p@h:5432/db"), "postgresql://u:p@h:5432/db");
  assert.throws(() => pgConnectionString("mysql://h/db"), /Not a PostgreSQL URI/);
});

describe("PostgreSQL store", { skip: postgresMissing() }, () => {
  let cluster: TestPostgres;
  before(async () => {
    const started = await startTestPostgres();
    if ("skip" in started) throw new Error(started.skip);
    cluster = started;
  });
  after(() => cluster?.stop());

  const open = async (uri: string) => PgStore.open({ connectionString: uri, defaultArtifactRoot: "mlflow-artifacts:/" });

  /** Resolves once `done()` holds (notices arrive asynchronously; the test's timeout bounds the wait). */
  const until = (done: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (done()) {
          clearInterval(check);
          resolve();
        }
      }, 10);
    });

  test("openStore opens postgresql:// and postgresql+psycopg2:// URIs as a PostgreSQL store", async () => {
    const uri = await cluster.createDatabase();
    for (const form of [uri, uri.replace("postgresql://", "postgresql+psycopg2://")]) {
      const store = await openStore(form, { defaultArtifactRoot: "mlflow-artifacts:/" });
      assert.ok(store instanceof PgStore);
      assert.equal((await store.getExperiment("0")).name, "Default");
      await store.close();
    }
  });

  test("another process's writes reach onChange, metric points included; own writes arrive once", async () => {
    const uri = await cluster.createDatabase();
    const store = await open(uri);
    after(() => store.close());
    const changes: StoreChange[] = [];
    store.onChange((c) => changes.push(c));
    const own = await store.createExperiment("own");
    // A separate Node process on the same database: its changes come only through NOTIFY.
    const index = fileURLToPath(new URL("./index.ts", import.meta.url));
    const script = `
      import { PgStore } from ${JSON.stringify(index)};
      const s = await PgStore.open({ connectionString: ${JSON.stringify(uri)}, defaultArtifactRoot: "mlflow-artifacts:/" });
      const run = await s.createRun({ experiment_id: ${JSON.stringify(own)} });
      await s.logBatch({ run_id: run.info.run_id, metrics: [
        { key: "loss", value: 0.5, timestamp: 1, step: 0 }, { key: "loss", value: NaN, timestamp: 2, step: 1 },
      ] });
      await s.createRegisteredModel("from-child");
      console.log(run.info.run_id);
      await s.close();`;
    const child = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], (e, out) => (e ? reject(e) : resolve(out.trim()))),
    );
    await until(() => changes.some((c) => c.type === "registry" && c.name === "from-child"));
    assert.deepEqual(changes, [
      { type: "experiment", experiment_id: own },
      { type: "run", run_id: child, experiment_id: own },
      {
        type: "metrics",
        run_id: child,
        experiment_id: own,
        metrics: [{ key: "loss", value: 0.5, timestamp: 1, step: 0 }, { key: "loss", value: NaN, timestamp: 2, step: 1 }],
      },
      { type: "registry", name: "from-child" },
    ]);
  });

  test("concurrent writers on one run lose no point, are heard once each, keep the latest value, and agree on a param", async () => {
    const uri = await cluster.createDatabase();
    const stores = await Promise.all([open(uri), open(uri), open(uri)]);
    const runId = (await stores[0]!.createRun({ experiment_id: "0" })).info.run_id;
    const perWriter = 500;
    // One of the writers also watches: its own points come straight after commit, the others'
    // through notices, each point once even though the writers' seqs interleave.
    const heard: number[] = [];
    stores[2]!.onChange((c) => {
      if (c.type === "metrics") heard.push(...c.metrics.map((m) => m.step));
    });
    await Promise.all(
      stores.map(async (s, w) => {
        for (let b = 0; b < perWriter; b += 50) {
          const metrics = Array.from({ length: 50 }, (_, i) => ({ key: "m", value: w, timestamp: 1, step: w * perWriter + b + i }));
          await s.logBatch({ run_id: runId, metrics });
        }
      }),
    );
    const history = await stores[1]!.getMetricHistory({ run_id: runId, metric_key: "m" });
    assert.equal(history.items.length, stores.length * perWriter);
    const latest = (await stores[2]!.getRun(runId)).data.metrics;
    await until(() => heard.length >= stores.length * perWriter);
    assert.deepEqual(heard.sort((a, b) => a - b), Array.from({ length: stores.length * perWriter }, (_, i) => i));
    assert.deepEqual(latest, [{ key: "m", value: 2, timestamp: 1, step: 3 * perWriter - 1 }]);
    // Two writers log one param at once: the same value is fine, a different one is refused.
    await Promise.all(stores.map((s) => s.logParam(runId, { key: "lr", value: "0.1" })));
    await assert.rejects(stores[0]!.logParam(runId, { key: "lr", value: "0.2" }), { code: "INVALID_PARAMETER_VALUE" });
    for (const s of stores) await s.close();
  });

  test("a database migrated by a newer build is refused", async () => {
    const uri = await cluster.createDatabase();
    await (await open(uri)).close();
    const admin = new pg.Client({ connectionString: uri });
    await admin.connect();
    await admin.query("UPDATE schema_migrations SET version = 99 WHERE component = 'tracking'");
    await admin.end();
    await assert.rejects(open(uri), /newer than this build supports/);
  });

  /** A client on `uri` reading BIGINT as numbers, as the store does. */
  const connect = async (uri: string): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: uri, types: typeParsers(pg.types) });
    await client.connect();
    return client;
  };
  const storedBlocks = async (client: pg.Client, runId: string): Promise<BlockRowOfKey[]> =>
    (
      await client.query({
        text:
          "SELECT key, level, block, min_step, min_timestamp, min_value, max_step, max_timestamp, max_value FROM metric_blocks " +
          "WHERE run_uuid = $1 ORDER BY key, level, block",
        values: [runId],
        rowMode: "array",
      })
    ).rows as BlockRowOfKey[];

  test("every block at every level summarizes its points, logged in order, with stragglers, or shuffled", async () => {
    const uri = await cluster.createDatabase();
    const store = await PgStore.open({ connectionString: uri, defaultArtifactRoot: "mlflow-artifacts:/" });
    const client = await connect(uri);
    try {
      const rand = random(1);
      const points = series(rand);
      const late = new Set(points.filter(() => rand() < 0.1));
      const orders = [points, [...points.filter((p) => !late.has(p)), ...shuffled([...late], rand)], shuffled(points, rand)];
      for (const order of orders) {
        const runId = (await store.createRun({ experiment_id: "0" })).info.run_id;
        await logInBatches(store, runId, order, rand);
        assert.deepEqual(await storedBlocks(client, runId), everyBlock(points));
      }
    } finally {
      await client.end();
      await store.close();
    }
  });

  test("the migration that adds blocks summarizes history already stored, and logging continues from there", async () => {
    const uri = await cluster.createDatabase();
    const client = await connect(uri);
    try {
      // A database as the previous version left it: rows only, no blocks.
      await migratePg(client, { tracking: PG_TRACKING_MIGRATIONS.slice(0, 1), registry: PG_REGISTRY_MIGRATIONS });
      const run = "r".repeat(32);
      await client.query("INSERT INTO experiments VALUES (0, 'Default', 'a', 'active', 0, 0)");
      await client.query("INSERT INTO runs VALUES ($1, 'n', 0, 'u', 'RUNNING', 0, NULL, 'a', 'active', NULL)", [run]);
      const points = series(random(3));
      await client.query(
        "INSERT INTO metrics (run_uuid, key, step, timestamp, value, is_nan) SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::float8[], $6::int[]) ON CONFLICT DO NOTHING",
        [run, points.map((p) => p.key), points.map((p) => p.step), points.map((p) => p.timestamp), points.map((p) => (Number.isNaN(p.value) ? 0 : p.value)), points.map((p) => (Number.isNaN(p.value) ? 1 : 0))],
      );
      const store = await PgStore.open({ connectionString: uri, defaultArtifactRoot: "mlflow-artifacts:/" });
      try {
        assert.deepEqual(await storedBlocks(client, run), everyBlock(points));
        const more = Array.from({ length: 3000 }, (_, i) => ({ key: "a", step: 19_000 + i, timestamp: 1, value: Math.sin(i) }));
        await logInBatches(store, run, more, random(4));
        assert.deepEqual(await storedBlocks(client, run), everyBlock([...points, ...more]));
      } finally {
        await store.close();
      }
    } finally {
      await client.end();
    }
  });

  test("a chart's sample read from the blocks is exactly SQLite's, whole, zoomed and at every density", async () => {
    const pgStore = await PgStore.open({ connectionString: await cluster.createDatabase(), defaultArtifactRoot: "mlflow-artifacts:/" });
    const sqlite = await SqliteStore.open({ path: ":memory:", defaultArtifactRoot: "mlflow-artifacts:/" });
    try {
      const rand = random(5);
      const points = shuffled(series(rand), rand);
      const onPg = (await pgStore.createRun({ experiment_id: "0" })).info.run_id;
      const onSqlite = (await sqlite.createRun({ experiment_id: "0" })).info.run_id;
      await logInBatches(pgStore, onPg, points, random(6));
      await logInBatches(sqlite, onSqlite, points, random(7));
      for (const [max, start, end] of [[1000], [320], [37], [5], [4, -250, 15_000], [100, 6_001, 6_900], [64, 1_000, 19_999]] as [number, number?, number?][]) {
        for (const metric_key of ["a", "b"]) {
          const req = { metric_key, max_results: max, start_step: start, end_step: end };
          const a = (await pgStore.getMetricHistoryBulkInterval({ ...req, run_ids: [onPg] })).map(({ run_id: _, ...m }) => m);
          const b = (await sqlite.getMetricHistoryBulkInterval({ ...req, run_ids: [onSqlite] })).map(({ run_id: _, ...m }) => m);
          assert.ok(a.length > 0);
          assert.deepEqual(a, b, `${metric_key} max ${max} steps ${start}..${end}`);
        }
      }
    } finally {
      await pgStore.close();
      await sqlite.close();
    }
  });
});
