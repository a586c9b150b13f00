/**
 * The fluent API and MlflowClient behave the same over the embedded store (`sqlite:///…`) and over
 * HTTP (a tracking server on port 0, proxied and direct `file://` artifacts).
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestServer, type TestServer } from "../rest/test-harness.ts";
import { LocalArtifactRepo } from "../artifacts/index.ts";
import { MlflowError } from "../types.ts";
import { openOwnedStore } from "../store/index.ts";
import { createMlflow, type Mlflow } from "./index.ts";

const dirs: string[] = [];
const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "flowbook-client-"));
  dirs.push(d);
  return d;
}

interface Target {
  name: string;
  open(): Promise<{ mlflow: Mlflow; artifactsDestination?: string }>;
}

const targets: Target[] = [
  {
    name: "embedded sqlite",
    async open() {
      return { mlflow: createMlflow(`sqlite:///${join(tempDir(), "embedded.db")}`, openOwnedStore) };
    },
  },
  {
    name: "http, proxied artifacts",
    async open() {
      const srv = await startTestServer();
      servers.push(srv);
      return { mlflow: createMlflow(srv.url), artifactsDestination: join(srv.dir, "mlartifacts") };
    },
  },
  {
    name: "http, direct file:// artifacts",
    async open() {
      const srv = await startTestServer({ serveArtifacts: false });
      servers.push(srv);
      return { mlflow: createMlflow(srv.url) };
    },
  },
];

for (const target of targets) {
  test(`fluent tracking lifecycle (${target.name})`, async () => {
    const { mlflow, artifactsDestination } = await target.open();
    const exp = await mlflow.setExperiment("fluent");
    assert.equal(exp.name, "fluent");
    assert.equal((await mlflow.getExperimentByName("fluent"))?.experiment_id, exp.experiment_id);

    const src = tempDir();
    writeFileSync(join(src, "notes.txt"), "hello artifacts");
    mkdirSync(join(src, "tree", "deep"), { recursive: true });
    writeFileSync(join(src, "tree", "deep", "x.json"), "{}");

    const parentId = await mlflow.startRun({ runName: "parent" }, async (run) => {
      assert.equal(mlflow.activeRun()?.info.run_id, run.info.run_id);
      await mlflow.logParam("lr", 0.01);
      await mlflow.logParams({ epochs: 3, optimizer: "adam" });
      for (let step = 0; step < 2500; step++) await mlflow.logMetric("loss", 1 / (step + 1), { step });
      await mlflow.logMetrics({ acc: 0.9, weird: NaN });
      await mlflow.setTag("stage", "dev");
      await mlflow.setTags({ a: 1 });
      await mlflow.logArtifact(join(src, "notes.txt"));
      await mlflow.logArtifacts(join(src, "tree"), "tree");
      await mlflow.logText("plain", "text/readme.txt");
      await mlflow.logDict({ k: [1, 2] }, "config/dict.json");
      await mlflow.logDict({ k: 1 }, "config/dict.yaml");
      const child = await mlflow.startRun({ runName: "child", nested: true });
      await mlflow.logMetric("loss", 0.5);
      await mlflow.endRun();
      assert.equal((await mlflow.getRun(child.info.run_id)).data.tags.find((t) => t.key === "mlflow.parentRunId")?.value, run.info.run_id);
      return run.info.run_id;
    });
    assert.equal(mlflow.activeRun(), null);

    const run = await mlflow.getRun(parentId);
    assert.equal(run.info.status, "FINISHED");
    assert.ok(run.info.end_time);
    assert.deepEqual(Object.fromEntries(run.data.params.map((p) => [p.key, p.value])), { lr: "0.01", epochs: "3", optimizer: "adam" });
    const metrics = Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
    assert.equal(metrics.acc, 0.9);
    assert.ok(Number.isNaN(metrics.weird));
    const history = await mlflow.getMetricHistory(parentId, "loss");
    assert.equal(history.length, 2500);
    assert.deepEqual(history.slice(0, 2).map((m) => [m.step, m.value]), [[0, 1], [1, 0.5]]);

    const repo = new LocalArtifactRepo({ artifactsDestination });
    const root = run.info.artifact_uri;
    assert.deepEqual((await repo.listArtifacts(root)).map((f) => f.path), ["config", "notes.txt", "text", "tree"]);
    assert.deepEqual((await repo.listArtifacts(root, "tree/deep")).map((f) => f.path), ["tree/deep/x.json"]);
    const read = async (p: string) => {
      const { stream } = await repo.readArtifact(root, p);
      let s = "";
      for await (const c of stream) s += c;
      return s;
    };
    assert.equal(await read("notes.txt"), "hello artifacts");
    assert.deepEqual(JSON.parse(await read("config/dict.json")), { k: [1, 2] });
    assert.equal((await read("config/dict.yaml")).trim(), "k: 1");

    const rows = await mlflow.searchRuns({ filterString: "metrics.acc > 0.5", orderBy: ["attributes.start_time DESC"] });
    assert.equal(rows.length, 1);
    assert.equal(rows[0].run_id, parentId);
    assert.equal(rows[0]["params.optimizer"], "adam");
    assert.equal(rows[0]["tags.mlflow.runName"], "parent");
    assert.equal(rows[0]["metrics.acc"], 0.9);
    assert.equal(rows[0].status, "FINISHED");
    assert.equal((await mlflow.searchRuns()).length, 2);

    await assert.rejects(
      mlflow.startRun({ runName: "fails" }, async () => {
        throw new Error("boom");
      }),
      /boom/,
    );
    const failed = (await mlflow.searchRunsList({ filterString: "attributes.run_name = 'fails'" }))[0];
    assert.equal(failed.info.status, "FAILED");

    await mlflow.startRun({ runName: "badparam" });
    await mlflow.logParam("p", "1");
    await assert.rejects(mlflow.logParam("p", "2"), (e: unknown) => e instanceof MlflowError && e.code === "INVALID_PARAMETER_VALUE");
    await mlflow.endRun("KILLED");
  });

  test(`registry through registerModel and MlflowClient (${target.name})`, async () => {
    const { mlflow } = await target.open();
    await mlflow.setExperiment("reg");
    const runId = await mlflow.startRun({}, async (run) => {
      await mlflow.logText("weights", "model/weights.bin");
      return run.info.run_id;
    });
    const v1 = await mlflow.registerModel(`runs:/${runId}/model`, "clf");
    const v2 = await mlflow.registerModel(`runs:/${runId}/model`, "clf");
    assert.deepEqual([v1.version, v2.version], ["1", "2"]);
    const run = await mlflow.getRun(runId);
    assert.equal(v1.source, `${run.info.artifact_uri}/model`);
    assert.equal(v1.run_id, runId);

    await mlflow.getStore();
    const client = new mlflow.MlflowClient();
    await client.transitionModelVersionStage("clf", 1, "Production");
    await client.transitionModelVersionStage("clf", "2", "Production", true);
    assert.equal((await client.getModelVersion("clf", 1)).current_stage, "Archived");
    await client.setRegisteredModelAlias("clf", "champion", 1);
    assert.equal((await client.getModelVersionByAlias("clf", "champion")).version, "1");
    await client.setRegisteredModelAlias("clf", "champion", 2);
    assert.equal((await client.getModelVersionByAlias("clf", "champion")).version, "2");
    await client.deleteRegisteredModelAlias("clf", "champion");
    await assert.rejects(client.getModelVersionByAlias("clf", "champion"), (e: unknown) => e instanceof MlflowError && e.code === "INVALID_PARAMETER_VALUE");
    assert.deepEqual((await client.getLatestVersions("clf", ["Production"])).map((v) => v.version), ["2"]);
    assert.deepEqual((await client.searchModelVersions({ filterString: "name='clf'" })).map((v) => v.version).sort(), ["1", "2"]);
    assert.deepEqual((await client.searchRegisteredModels()).map((m) => m.name), ["clf"]);
    await assert.rejects(client.createRegisteredModel("clf"), (e: unknown) => e instanceof MlflowError && e.code === "RESOURCE_ALREADY_EXISTS");
    const runs = await client.searchRuns([run.info.experiment_id]);
    assert.equal(runs.length, 1);
    await client.deleteRegisteredModel("clf");
    await assert.rejects(client.getRegisteredModel("clf"), (e: unknown) => e instanceof MlflowError && e.code === "RESOURCE_DOES_NOT_EXIST");
  });
}

test("the client alone opens no SQLite file: a sqlite: URI is refused with what to do instead", async () => {
  const mlflow = createMlflow(`sqlite:///${join(tempDir(), "owned-elsewhere.db")}`);
  await assert.rejects(mlflow.getStore(), (e: unknown) => e instanceof MlflowError && /opened only by the process that owns it/.test(e.message) && /flowbook server --backend-store-uri/.test(e.message));
  await assert.rejects(createMlflow("ftp://x").getStore(), /Unsupported tracking URI 'ftp:\/\/x'/);
});

test("a metric with an invalid key surfaces at endRun, not in a timer", async () => {
  const mlflow = createMlflow(`sqlite:///${join(tempDir(), "bad.db")}`, openOwnedStore);
  await mlflow.startRun();
  await mlflow.logMetric("bad key?!", 1);
  await assert.rejects(mlflow.endRun(), (e: unknown) => e instanceof MlflowError && e.code === "INVALID_PARAMETER_VALUE");
  assert.equal(mlflow.activeRun(), null);
});

test("logMetrics queues no point of a call with a value that is not a number", async () => {
  const mlflow = createMlflow(`sqlite:///${join(tempDir(), "atomic.db")}`, openOwnedStore);
  const run = await mlflow.startRun();
  await mlflow.logMetrics({ a: 1, b: 2 }, { step: 0 });
  await assert.rejects(
    mlflow.logMetrics({ a: 3, b: "x" as unknown as number }, { step: 1 }),
    (e: unknown) => e instanceof MlflowError && e.code === "INVALID_PARAMETER_VALUE" && /metric 'b'/.test(e.message),
  );
  await assert.rejects(mlflow.logMetric("c", null as unknown as number), (e: unknown) => e instanceof MlflowError);
  assert.deepEqual((await mlflow.getMetricHistory(run.info.run_id, "a")).map((m) => [m.step, m.value]), [[0, 1]]);
  assert.deepEqual((await mlflow.getMetricHistory(run.info.run_id, "c")), []);
  await mlflow.endRun();
  await mlflow.close();
});

test("a store's mlflow-artifacts: roots are written to the folder named for them, or refused with why", async () => {
  const dir = tempDir();
  const store = await openOwnedStore(`sqlite:///${join(dir, "shared.db")}`);
  // As `flowbook server` makes experiments on a shared store: roots behind its artifact proxy.
  await store.store.createExperiment("team", "mlflow-artifacts:/team");
  const destination = join(dir, "shared-artifacts");
  const mlflow = createMlflow(store.store, openOwnedStore, { artifactsDestination: destination });
  await mlflow.setExperiment("team");
  const run = await mlflow.startRun();
  await mlflow.logText("kept", "notes/a.txt");
  await mlflow.endRun();
  assert.equal(readFileSync(join(destination, "team", run.info.run_id, "artifacts", "notes", "a.txt"), "utf8"), "kept");

  const unplaced = createMlflow(store.store, openOwnedStore);
  await unplaced.setExperiment("team");
  await unplaced.startRun();
  await assert.rejects(unplaced.logText("lost", "b.txt"), /needs an http\(s\) tracking URI to reach the artifact proxy/);
  await unplaced.endRun();
  await store.store.close();
});
