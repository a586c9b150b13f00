/** `flowbook server` as a process: prints its URL on port 0, serves, refuses a busy port and a bad URI, stops on SIGINT. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

function start(args: string[]): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ["bin/flowbook.js", "server", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exit = new Promise<number | null>((ok) => child.once("exit", (code) => ok(code)));
  return { child, output: () => out, exit };
}

async function waitFor(pattern: RegExp, output: () => string, exit: Promise<unknown>): Promise<RegExpMatchArray> {
  let done = false;
  void exit.then(() => (done = true));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const m = output().match(pattern);
    if (m) return m;
    if (done) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${pattern} in output:\n${output()}`);
}

test("flowbook server --port 0 prints its URL, serves the API and stops cleanly on SIGINT", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-cmd-"));
  try {
    const s = start(["--port", "0", "--backend-store-uri", `sqlite:///${dir}/mlflow.db`, "--artifacts-destination", join(dir, "art"), "--workers", "1"]);
    const [, url] = await waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/, s.output, s.exit);
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

test("a busy port is a clear error and a non-zero exit", { timeout: 60_000 }, async () => {
  const blocker = createServer();
  await new Promise<void>((ok) => blocker.listen(0, "127.0.0.1", ok));
  const port = (blocker.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), "flowbook-cmd-"));
  try {
    const s = start(["--port", String(port), "--backend-store-uri", `sqlite:///${dir}/mlflow.db`]);
    const code = await s.exit;
    assert.notEqual(code, 0);
    assert.match(s.output(), new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
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
