/** `flowbook server` as a process: prints its URL on port 0, serves, refuses a busy port and a bad URI, stops on SIGINT. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runServerProcess, startServerProcess as start, waitForOutput, workerPids } from "./test-server-process.ts";

test("flowbook server --port 0 prints its URL, serves the API and stops cleanly on SIGINT", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-cmd-"));
  try {
    const s = start(["--port", "0", "--backend-store-uri", `sqlite:///${dir}/mlflow.db`, "--artifacts-destination", join(dir, "art"), "--workers", "1"]);
    const [, url] = await waitForOutput(s, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    assert.equal(await (await fetch(`${url}/health`)).text(), "OK");
    const created = await fetch(`${url}/api/2.0/mlflow/experiments/create`, { method: "POST", body: JSON.stringify({ name: "cli" }) });
    const { experiment_id } = (await created.json()) as { experiment_id: string };
    const got = (await (await fetch(`${url}/api/2.0/mlflow/experiments/get?experiment_id=${experiment_id}`)).json()) as any;
    assert.equal(got.experiment.artifact_location, `mlflow-artifacts:/${experiment_id}`);
    s.child.kill("SIGINT");
    assert.equal(await s.exit, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a busy port is a clear error and a non-zero exit, with one process or several", { timeout: 60_000 }, async () => {
  const blocker = createServer();
  await new Promise<void>((ok) => blocker.listen(0, "127.0.0.1", ok));
  const port = (blocker.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), "flowbook-cmd-"));
  try {
    const s = start(["--port", String(port), "--backend-store-uri", `sqlite:///${dir}/mlflow.db`]);
    const code = await s.exit;
    assert.notEqual(code, 0);
    assert.match(s.output(), new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
    // With workers, the first that cannot listen stops the server instead of leaving it half up.
    const w = start(["--port", String(port), "--backend-store-uri", "http://127.0.0.1:1", "--workers", "2"]);
    assert.equal(await w.exit, 1, w.output());
    assert.match(w.output(), new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use[^]*a worker could not start \\(exited with code 1\\); stopping`));
  } finally {
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a bad backend URI or flag is a usage error", { timeout: 60_000 }, async () => {
  for (const args of [["--backend-store-uri", "mysql://x/y"], ["--backend-store-uri", "sqlite://nope"], ["--port", "http"], ["--workers", "0"], ["--bogus"]]) {
    const s = start(args);
    assert.equal(await s.exit, 2, s.output());
    assert.match(s.output(), /flowbook server: .*\n\nusage: flowbook server/);
  }
});

test("--workers N > 1 on SQLite is refused with why (one writer) and what allows it (PostgreSQL)", { timeout: 60_000 }, async () => {
  const s = start(["--workers", "4", "--port", "0"]);
  assert.equal(await s.exit, 2, s.output());
  assert.match(s.output(), /flowbook server: --workers 4 needs a server database: a SQLite file has one writer.* postgresql:\/\/user:password@host:port\/db for several workers/);
});

test("a PostgreSQL store that cannot be reached is a clear error without its password, before any worker starts", { timeout: 60_000 }, async () => {
  // Port 1 on loopback refuses connections: the primary's one opening attempt fails.
  const s = start(["--backend-store-uri", "postgresql://flowbook:s3cret@127.0.0.1:1/flowbook", "--workers", "2", "--port", "0"]);
  assert.equal(await s.exit, 1, s.output());
  assert.match(s.output(), /flowbook server: cannot open backend store postgresql:\/\/flowbook:\*\*\*@127\.0\.0\.1:1\/flowbook: /);
  assert.doesNotMatch(s.output(), /s3cret|listening/);
});

test("--workers 2 runs two processes on one port; a worker killed -9 is replaced; SIGTERM stops them all", { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-cmd-"));
  // The workers front a SQLite server (an http:// backend): several processes are safe there too.
  const backend = await runServerProcess(["--backend-store-uri", `sqlite:///${dir}/mlflow.db`, "--artifacts-destination", join(dir, "art")]);
  const s = start(["--port", "0", "--backend-store-uri", backend.url, "--workers", "2"]);
  try {
    const [, url] = await waitForOutput(s, /listening on (http:\/\/127\.0\.0\.1:\d+) \(2 worker processes\)/);
    const first = workerPids(s.child.pid!);
    assert.equal(first.length, 2, s.output());
    process.kill(first[0], "SIGKILL");
    await waitForOutput(s, new RegExp(`worker ${first[0]} killed by SIGKILL; starting another`));
    await until(() => workerPids(s.child.pid!).length === 2 && !workerPids(s.child.pid!).includes(first[0]));
    // Every fresh connection is served, whichever worker it is handed to.
    for (let i = 0; i < 6; i++) assert.equal(await (await fetch(`${url}/health`, { headers: { Connection: "close" } })).text(), "OK");
    const workers = workerPids(s.child.pid!);
    s.child.kill("SIGTERM");
    assert.equal(await s.exit, 0, s.output());
    for (const pid of workers) assert.throws(() => process.kill(pid, 0), /ESRCH/);
  } finally {
    s.child.kill("SIGKILL");
    await backend.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

async function until(ok: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}
