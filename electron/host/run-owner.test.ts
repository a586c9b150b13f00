import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { CellId, HostCommand, HostEvent } from "../protocol.ts";
import { SqliteStore } from "../tracking/store/index.ts";
import type { Run, TrackingStore } from "../tracking/types.ts";
import { createHost, type Host } from "./host.ts";
import { hostname } from "node:os";
import { HOST_MACHINE_TAG, HOST_PID_TAG, HOST_TAG, ORPHAN_REASON } from "./run-owner.ts";

const openStore = (dir: string) => SqliteStore.open({ path: join(dir, "flowbook.db"), defaultArtifactRoot: pathToFileURL(join(dir, "mlartifacts")).href });

const LEAVE_OPEN = (id: string) => `import { mlflow } from "flowbook";\nconst run_${id} = await mlflow.startRun({ runName: "${id}" });\nrun_${id}.info.run_id;`;

async function until<T>(what: string, get: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const tag = (run: Run, key: string) => run.data.tags.find((t) => t.key === key)?.value;

/** The run the cell `cellId` started, once the store has it. */
const runOf = (store: TrackingStore, cellId: string) =>
  until(`a run of cell ${cellId}`, async () => (await store.searchRuns({ experiment_ids: ["0"], filter: `tags.\`flowbook.cellId\` = '${cellId}'` })).items[0]);

/** Waits until `runId` has ended, and returns it. */
const ended = (store: TrackingStore, runId: string) =>
  until(`run ${runId} to end`, async () => {
    const run = await store.getRun(runId);
    return run.info.status === "RUNNING" ? undefined : run;
  });

describe("runs a kernel leaves open", () => {
  let dir: string;
  let host: Host;
  let deliver: (raw: unknown) => void = () => undefined;
  const events: HostEvent[] = [];
  let n = 0;
  const run = (id: string, code = LEAVE_OPEN(id)) =>
    deliver({ type: "execute-cells", cells: [{ id: id as CellId, code, config: {} }], requestedAt: Date.now() } satisfies HostCommand);
  const request = async (cmd: Record<string, unknown>) => {
    const requestId = `t${++n}`;
    deliver({ ...cmd, requestId });
    return until("a reply", async () => events.find((e) => e.type === "reply" && e.requestId === requestId) as Extract<HostEvent, { type: "reply" }> | undefined);
  };
  const lastStatus = () => {
    const last = events.findLast((e) => e.type === "host-status");
    return last?.type === "host-status" ? last.kernel : undefined;
  };
  const idle = () => until("an idle kernel", async () => (lastStatus() === "idle" ? true : undefined));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "flowbook-run-owner-"));
    writeFileSync(join(dir, "a.ts"), "// %% [cell id=one]\nconst one = 1;\n");
    writeFileSync(join(dir, "b.ts"), "// %% [cell id=two]\nconst two = 2;\n");
    host = await createHost({ notebookDir: dir, notebookPath: join(dir, "a.ts"), log: () => undefined });
    host.connect({ send: (e) => void events.push(e), onCommand: (cb) => ((deliver = cb), () => undefined) });
    await idle();
  });

  after(async () => {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a run the kernel starts carries this host as its owner, and Restart ends it KILLED", { timeout: 60_000 }, async () => {
    run("restarted");
    const open = await runOf(host.store, "restarted");
    assert.equal(open.info.status, "RUNNING");
    assert.match(tag(open, HOST_TAG) ?? "", /^[0-9a-f-]{36}$/);
    assert.equal(tag(open, HOST_PID_TAG), String(process.pid));
    assert.equal(tag(open, HOST_MACHINE_TAG), hostname());
    const reply = await request({ type: "restart-kernel" });
    assert.equal(reply.error, undefined);
    const killed = await ended(host.store, open.info.run_id);
    assert.equal(killed.info.status, "KILLED");
    assert.ok((killed.info.end_time ?? 0) >= open.info.start_time);
    await idle();
  });

  test("opening another notebook ends the open runs of the kernel it replaces", { timeout: 60_000 }, async () => {
    // One defining cell per name: the previous cell's `mlflow` import goes first.
    deliver({ type: "delete-cell", id: "restarted" as CellId } satisfies HostCommand);
    run("switched");
    const open = await runOf(host.store, "switched");
    const reply = await request({ type: "open-notebook", path: "b.ts" });
    assert.equal(reply.error, undefined);
    assert.equal((await ended(host.store, open.info.run_id)).info.status, "KILLED");
    await idle();
  });

  test("a kernel process that dies ends its open runs FAILED, saying why", { timeout: 60_000 }, async () => {
    run("crashed", `${LEAVE_OPEN("crashed")}\nsetTimeout(() => process.kill(process.pid, "SIGKILL"), 100);`);
    const open = await runOf(host.store, "crashed");
    const failed = await ended(host.store, open.info.run_id);
    assert.equal(failed.info.status, "FAILED");
    assert.ok(failed.info.end_time);
    assert.match(tag(failed, "flowbook.error") ?? "", /the kernel process exited unexpectedly \(SIGKILL\)/);
    await request({ type: "restart-kernel" });
  });
});

describe("closing the host", () => {
  test("ends the runs its kernel left open as KILLED before the store closes", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "flowbook-run-owner-close-"));
    try {
      writeFileSync(join(dir, "a.ts"), "// %% [cell id=one]\nconst one = 1;\n");
      const host = await createHost({ notebookDir: dir, notebookPath: join(dir, "a.ts"), log: () => undefined });
      let deliver: (raw: unknown) => void = () => undefined;
      let ready: () => void = () => undefined;
      const idle = new Promise<void>((r) => (ready = r));
      host.connect({ send: (e) => void (e.type === "host-status" && e.kernel === "idle" && ready()), onCommand: (cb) => ((deliver = cb), () => undefined) });
      await idle;
      deliver({ type: "execute-cells", cells: [{ id: "c" as CellId, code: LEAVE_OPEN("closed"), config: {} }], requestedAt: Date.now() } satisfies HostCommand);
      const open = await runOf(host.store, "c");
      await host.close();
      const store = await openStore(dir);
      try {
        const run = await store.getRun(open.info.run_id);
        assert.equal(run.info.status, "KILLED");
        assert.ok(run.info.end_time);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a host killed with SIGKILL", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "flowbook-run-owner-kill-"));
    writeFileSync(join(dir, "a.ts"), "// %% [cell id=one]\nconst one = 1;\n");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("leaves runs the next host on the store ends KILLED; REST clients' runs, live hosts' runs and other machines' runs are left alone", { timeout: 90_000 }, async () => {
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./test-host-child.ts", import.meta.url)), join(dir, "a.ts")], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    const runId = await until("the child's run", async () => /^run (\w+)$/m.exec(out)?.[1], 60_000);
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;

    // A run another client logs over REST (no owner tag), and one owned by a host that is alive.
    const store = await openStore(dir);
    const rest = await store.createRun({ experiment_id: "0", run_name: "python" });
    const live = await store.createRun({ experiment_id: "0", run_name: "live", tags: [{ key: HOST_TAG, value: "another-host" }, { key: HOST_PID_TAG, value: String(process.ppid) }] });
    // On a shared server database: a host on another machine whose pid is no process here.
    const elsewhere = await store.createRun({
      experiment_id: "0",
      run_name: "elsewhere",
      tags: [{ key: HOST_TAG, value: "remote-host" }, { key: HOST_PID_TAG, value: String(child.pid) }, { key: HOST_MACHINE_TAG, value: `not-${hostname()}` }],
    });
    await store.close();

    const host = await createHost({ notebookDir: dir, log: () => undefined });
    try {
      const orphan = await host.store.getRun(runId);
      assert.equal(orphan.info.status, "KILLED");
      assert.ok(orphan.info.end_time);
      assert.equal(tag(orphan, "flowbook.error"), ORPHAN_REASON);
      assert.equal((await host.store.getRun(rest.info.run_id)).info.status, "RUNNING");
      assert.equal((await host.store.getRun(live.info.run_id)).info.status, "RUNNING");
      assert.equal((await host.store.getRun(elsewhere.info.run_id)).info.status, "RUNNING");
    } finally {
      await host.close();
    }
  });
});
