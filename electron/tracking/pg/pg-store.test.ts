/**
 * What only the PostgreSQL store does (the shared contract runs in the store, registry and REST
 * suites on both backends): changes from another process arrive through LISTEN/NOTIFY, own changes
 * once; concurrent writers lose nothing; MLflow's URI forms open it; a newer schema is refused.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { StoreChange } from "../contract.ts";
import { openStore } from "../store/index.ts";
import { PgStore, isPostgresUri, pgConnectionString } from "./index.ts";
import { postgresMissing, startTestPostgres, type TestPostgres } from "./test-postgres.ts";

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
});
