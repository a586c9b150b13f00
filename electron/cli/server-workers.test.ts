/**
 * `flowbook server --workers N` on a real PostgreSQL (a throwaway cluster): several processes on one
 * port lose and fail nothing under concurrent loggers, and killing one with SIGKILL loses no write
 * it acknowledged. Skipped, with the install command, where PostgreSQL is absent.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startTestPostgres, type TestPostgres } from "../tracking/pg/test-postgres.ts";
import { runServerProcess, waitForOutput, workerPids, type RunningServerProcess } from "./test-server-process.ts";

const LOGGERS = 8;

let cluster: TestPostgres | { skip: string };
let dir: string;

before(async () => {
  cluster = await startTestPostgres();
  dir = mkdtempSync(join(tmpdir(), "flowbook-workers-"));
});
after(async () => {
  if ("stop" in cluster) await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A `flowbook server --workers 2` on a fresh database; the URI is returned for counting rows. */
async function serverOnFreshDatabase(): Promise<{ server: RunningServerProcess; uri: string }> {
  const uri = await (cluster as TestPostgres).createDatabase();
  const server = await runServerProcess(["--backend-store-uri", uri, "--workers", "2", "--artifacts-destination", join(dir, "art")]);
  assert.match(server.output(), /\(2 worker processes\)/);
  return { server, uri };
}

async function post(url: string, path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(`${url}/api/2.0/mlflow/${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), signal });
}

/** Longer than any answer takes here: a request still unanswered then was left with no worker to read it. */
const NO_ANSWER_MS = 20_000;

async function createRun(url: string, name: string): Promise<string> {
  const res = await post(url, "runs/create", { experiment_id: "0", run_name: name });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { run: { info: { run_id: string } } }).run.info.run_id;
}

/** What one logger saw: the steps the server answered 200 for, and how many sends failed on the connection. */
interface Logged {
  runId: string;
  acknowledged: number[];
  connectionErrors: number;
}

/**
 * Logs steps 0..count-1 of metric `loss` one request at a time, as a client would. A request whose
 * connection fails got no answer, so it is sent again (log-metric of the same point is idempotent);
 * any answer but 200, five failures in a row, or a request left unanswered fails the test visibly.
 */
async function logger(url: string, runId: string, count: number, onAck?: () => void): Promise<Logged> {
  const logged: Logged = { runId, acknowledged: [], connectionErrors: 0 };
  for (let step = 0; step < count; step++) {
    const point = { run_id: runId, key: "loss", value: step / 7, timestamp: 1_700_000_000_000 + step, step };
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await post(url, "runs/log-metric", point, AbortSignal.timeout(NO_ANSWER_MS));
      } catch (err) {
        if ((err as Error).name === "TimeoutError") throw new Error(`step ${step} of ${runId}: no answer in ${NO_ANSWER_MS / 1000} s, the connection held by no worker`);
        logged.connectionErrors++;
        if (attempt === 5) throw new Error(`step ${step} of ${runId}: no answer after 5 attempts: ${(err as Error).message}`);
        continue;
      }
      const text = await res.text();
      assert.equal(res.status, 200, `step ${step} of ${runId}: ${text}`);
      logged.acknowledged.push(step);
      onAck?.();
      break;
    }
  }
  return logged;
}

/** The steps of `loss` each run has in the database, read on a connection of its own. */
async function stepsInDatabase(uri: string, runIds: string[]): Promise<Map<string, number[]>> {
  const client = new pg.Client({ connectionString: uri });
  await client.connect();
  try {
    const { rows } = await client.query<{ run_uuid: string; step: string }>("SELECT run_uuid, step FROM metrics WHERE key = 'loss' AND run_uuid = ANY($1) ORDER BY step", [runIds]);
    const byRun = new Map<string, number[]>(runIds.map((id) => [id, []]));
    for (const row of rows) byRun.get(row.run_uuid)!.push(Number(row.step));
    return byRun;
  } finally {
    await client.end();
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("flowbook server --workers on PostgreSQL", () => {
  test("8 concurrent loggers × 2,000 metrics across 2 workers: every point stored, no error; artifacts shared", { timeout: 600_000 }, async (t) => {
    if ("skip" in cluster) return t.skip(cluster.skip);
    const { server, uri } = await serverOnFreshDatabase();
    try {
      const runIds = await Promise.all(range(LOGGERS).map((i) => createRun(server.url, `logger-${i}`)));
      const logged = await Promise.all(runIds.map((id) => logger(server.url, id, 2000)));
      for (const l of logged) assert.equal(l.connectionErrors, 0, `${l.runId} had connection errors`);
      const stored = await stepsInDatabase(uri, runIds);
      for (const id of runIds) assert.deepEqual(stored.get(id), range(2000), `run ${id}`);
      // An artifact uploaded through one worker is served by every worker: they share one folder.
      const artifact = `${server.url}/api/2.0/mlflow-artifacts/artifacts/0/${runIds[0]}/artifacts/note.txt`;
      assert.equal((await fetch(artifact, { method: "PUT", body: "shared", headers: { Connection: "close" } })).status, 200);
      for (let i = 0; i < 4; i++) assert.equal(await (await fetch(artifact, { headers: { Connection: "close" } })).text(), "shared");
      // The REST API agrees with the table (latest value of each logger's metric).
      for (const id of runIds) {
        const run = (await (await fetch(`${server.url}/api/2.0/mlflow/runs/get?run_id=${id}`)).json()) as { run: { data: { metrics: { key: string; step: number }[] } } };
        assert.equal(run.run.data.metrics.find((m) => m.key === "loss")?.step, 1999);
      }
    } finally {
      assert.equal(await server.stop(), 0, server.output());
    }
  });

  test("kill -9 of one worker while 8 loggers log: every acknowledged point is stored, the rest are retried", { timeout: 600_000 }, async (t) => {
    if ("skip" in cluster) return t.skip(cluster.skip);
    const { server, uri } = await serverOnFreshDatabase();
    const primary = server.child.pid!;
    try {
      const [victim] = workerPids(primary);
      const runIds = await Promise.all(range(LOGGERS).map((i) => createRun(server.url, `logger-${i}`)));
      let acks = 0;
      let killed = false;
      // The kill lands mid-stream: once a quarter of all points are acknowledged.
      const onAck = () => {
        if (++acks < (LOGGERS * 1000) / 4 || killed) return;
        killed = true;
        process.kill(victim, "SIGKILL");
      };
      const logged = await Promise.all(runIds.map((id) => logger(server.url, id, 1000, onAck)));
      assert.ok(killed);
      await waitForOutput(server, new RegExp(`worker ${victim} killed by SIGKILL; starting another`));
      // The killed worker held some loggers' connections: their next sends failed and were retried.
      assert.ok(logged.some((l) => l.connectionErrors > 0), "no logger noticed the kill");
      const stored = await stepsInDatabase(uri, runIds);
      for (const l of logged) {
        const have = new Set(stored.get(l.runId));
        const lost = l.acknowledged.filter((s) => !have.has(s));
        assert.deepEqual(lost, [], `run ${l.runId} lost acknowledged steps`);
        // Every point was finally acknowledged, and a retried one is stored once.
        assert.deepEqual(stored.get(l.runId), range(1000));
      }
    } finally {
      assert.equal(await server.stop(), 0, server.output());
    }
  });
});
