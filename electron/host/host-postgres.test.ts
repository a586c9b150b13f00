/**
 * The app's host on a PostgreSQL store (a throwaway real cluster): it opens the database its
 * tracking URI names, never shows its password, reaps only its own machine's orphan runs, answers
 * the kernel's tracking calls (owner and provenance tags, artifacts in the shared folder) and the
 * views' calls, and a cell reading the store re-runs when another process (`flowbook server` on
 * the same database) logs over REST. Skipped, with the install command, where PostgreSQL is absent.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CellId, HostCommand, HostEvent } from "../protocol.ts";
import { runServerProcess } from "../cli/test-server-process.ts";
import { startTestPostgres, type TestPostgres } from "../tracking/pg/test-postgres.ts";
import { openStore } from "../tracking/store/index.ts";
import type { Run } from "../tracking/types.ts";
import { createHost, type Host } from "./host.ts";
import { HOST_MACHINE_TAG, HOST_PID_TAG, HOST_TAG, ORPHAN_REASON } from "./run-owner.ts";
import { connection } from "./test-connection.ts";

const NOTEBOOK = [
  "// %% [cell id=imports]",
  'import { mlflow } from "flowbook";',
  "",
  "// %% [cell id=train]",
  'await mlflow.setExperiment("on-postgres");',
  'const run = await mlflow.startRun({ runName: "pg-run" });',
  'await mlflow.logMetric("loss", 0.5, { step: 0 });',
  'await mlflow.logText("kept on the shared folder", "note.txt");',
  "await mlflow.endRun();",
  "const runId = run.info.run_id;",
  "runId;",
  "",
  "// %% [cell id=reader]",
  'const history = await mlflow.getMetricHistory(runId, "loss");',
  "history.length;",
  "",
].join("\n");

const tag = (run: Run, key: string) => run.data.tags.find((t) => t.key === key)?.value;

/** A pid no process has: a child that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ["-e", "0"]).pid!;
}

describe("the host on PostgreSQL", () => {
  let cluster: TestPostgres | { skip: string };
  let dir: string;
  let uri: string;
  let host: Host;
  let client: ReturnType<typeof connection>;
  let orphan: Run;
  let elsewhere: Run;

  before(async () => {
    cluster = await startTestPostgres();
    if ("skip" in cluster) return;
    dir = mkdtempSync(join(tmpdir(), "flowbook-host-pg-"));
    writeFileSync(join(dir, "nb.ts"), NOTEBOOK);
    // The test cluster trusts local connections, so any password works; the host must still hide it.
    uri = (await cluster.createDatabase()).replace("postgresql://postgres@", "postgresql://postgres:hunter2@");
    // Runs a dead host on this machine left RUNNING, and one of a host on another machine.
    const store = await openStore(uri);
    const owner = (machine: string) => [
      { key: HOST_TAG, value: `host-on-${machine}` },
      { key: HOST_PID_TAG, value: String(deadPid()) },
      { key: HOST_MACHINE_TAG, value: machine },
    ];
    orphan = await store.createRun({ experiment_id: "0", run_name: "orphan", tags: owner(hostname()) });
    elsewhere = await store.createRun({ experiment_id: "0", run_name: "elsewhere", tags: owner(`not-${hostname()}`) });
    await store.close();
    host = await createHost({ notebookDir: dir, notebookPath: join(dir, "nb.ts"), trackingUri: uri, artifactsDestination: join(dir, "shared-artifacts"), log: () => undefined });
    client = connection();
    host.connect(client.conn);
    await client.next((e) => e.type === "host-status" && e.kernel === "idle");
  });

  after(async () => {
    await host?.close();
    if ("stop" in cluster) await cluster.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("shows its store without the password", (t) => {
    if ("skip" in cluster) return t.skip(cluster.skip);
    const status = client.events.find((e) => e.type === "host-status");
    assert.equal(status?.type === "host-status" && status.trackingUri, uri.replace(":hunter2@", ":***@"));
  });

  test("ends this machine's orphan runs and leaves another machine's alone", async (t) => {
    if ("skip" in cluster) return t.skip(cluster.skip);
    const reaped = await host.store.getRun(orphan.info.run_id);
    assert.equal(reaped.info.status, "KILLED");
    assert.equal(tag(reaped, "flowbook.error"), ORPHAN_REASON);
    assert.equal((await host.store.getRun(elsewhere.info.run_id)).info.status, "RUNNING");
  });

  test("a cell's run carries owner and provenance tags, its artifact lands in the shared folder, views read it", { timeout: 120_000 }, async (t) => {
    if ("skip" in cluster) return t.skip(cluster.skip);
    const output = (id: string, value: number) => (e: HostEvent) =>
      e.type === "kernel-event" && e.event.type === "cell-output" && e.event.id === id && e.event.output?.kind === "json" && e.event.output.value === value;
    client.raw({ type: "run-stale-cells" } satisfies HostCommand);
    const trained = await client.next((e) => e.type === "kernel-event" && e.event.type === "cell-output" && e.event.id === ("train" as CellId));
    assert.equal(trained.type === "kernel-event" && trained.event.type === "cell-output" && trained.event.error, undefined, JSON.stringify(trained));
    await client.next(output("reader", 1));

    const exp = await host.store.getExperimentByName("on-postgres");
    const [run] = (await host.store.searchRuns({ experiment_ids: [exp!.experiment_id] })).items;
    assert.equal(run.info.status, "FINISHED");
    assert.equal(tag(run, HOST_MACHINE_TAG), hostname());
    assert.equal(tag(run, HOST_PID_TAG), String(process.pid));
    assert.equal(tag(run, "flowbook.cellId"), "train");
    assert.equal(tag(run, "flowbook.notebook"), join(dir, "nb.ts"));
    const artifact = join(fileURLToPath(run.info.artifact_uri), "note.txt");
    assert.ok(artifact.startsWith(join(dir, "shared-artifacts")), artifact);
    assert.equal(readFileSync(artifact, "utf8"), "kept on the shared folder");

    const reply = await client.request({ type: "tracking-call", method: "getRun", args: [run.info.run_id] });
    assert.equal((reply.result as Run).info.run_name, "pg-run");

    // Another process on the same database logs over REST: the reading cell re-runs, as on SQLite.
    const server = await runServerProcess(["--backend-store-uri", uri, "--artifacts-destination", join(dir, "shared-artifacts")]);
    try {
      const res = await fetch(`${server.url}/api/2.0/mlflow/runs/log-metric`, {
        method: "POST",
        body: JSON.stringify({ run_id: run.info.run_id, key: "loss", value: 0.25, timestamp: Date.now(), step: 1 }),
      });
      assert.equal(res.status, 200, await res.text());
      await client.next(output("reader", 2));
      // The views were told too, with the point itself.
      await client.next((e) => e.type === "store-changed" && e.change.type === "metrics" && e.change.run_id === run.info.run_id && e.change.metrics.some((m) => m.step === 1));
    } finally {
      await server.stop();
    }
    assert.ok(existsSync(join(dir, "shared-artifacts")));
  });
});
