import { test } from "node:test";
import assert from "node:assert/strict";
import type { CellId, CellSource, KernelEvent } from "../protocol.ts";
import { KernelClient } from "./kernel-client.ts";
import { recorder } from "./test-kernel-events.ts";
import { openStore } from "../tracking/store/index.ts";
import { invokeTracking } from "../tracking/calls.ts";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const cell = (id: string, code: string): CellSource => ({ id: id as CellId, code, config: {} });
const IMPORTS = cell("imp", 'import { md, mlflow } from "flowbook";');


const isOutput = (id: string) => (e: KernelEvent) => e.type === "cell-output" && e.id === id;

test("T29: a cell blocked outside its own loops escalates to kill and restart within 1 s, every cell stale", async () => {
  const client = new KernelClient({ interruptGraceMs: 300 });
  const rec = recorder(client);
  try {
    // A loop of the cell stops in place (kernel-client-interrupt.test.ts); a blocking call cannot.
    const cells = [IMPORTS, cell("spin", "const spun = 1;\nAtomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);"), cell("other", "const other = 2;\nother;")];
    client.send({ type: "kernel-init", notebookPath: "/tmp/t29.ts", cells, mode: "autorun" });
    await rec.next((e) => e.type === "kernel-ready");
    client.send({ type: "execute-cells", cells: [cells[1]], requestedAt: Date.now() });
    await rec.next((e) => e.type === "cell-status" && e.id === "spin" && e.status === "running");
    const start = Date.now();
    const readyBefore = rec.events.filter((e) => e.event.type === "kernel-ready").length;
    client.interrupt();
    for (const c of cells) {
      const stale = await rec.next((e) => e.type === "cell-status" && e.id === c.id && e.status === "stale" && rec.events.find((r) => r.event === e)!.at >= start);
      assert.ok(stale);
    }
    const staleAt = Math.max(...rec.events.filter((e) => e.at >= start && e.event.type === "cell-status" && e.event.status === "stale").map((e) => e.at));
    assert.ok(staleAt - start < 1000, `restart took ${staleAt - start} ms`);
    // The new process got the cells again: running one works.
    await rec.next((e) => e.type === "kernel-ready" && rec.events.filter((r) => r.event.type === "kernel-ready").length > readyBefore);
    client.send({ type: "execute-cells", cells: [cells[2]], requestedAt: Date.now() });
    const out = await rec.next((e) => isOutput("other")(e) && e.type === "cell-output" && e.output !== null);
    assert.deepEqual(out.type === "cell-output" && out.output, { kind: "json", value: 2 });
  } finally {
    await client.dispose();
  }
});

test("T28: interrupting an async loop stops it cooperatively without restarting the process", async () => {
  const client = new KernelClient({ interruptGraceMs: 400 });
  const rec = recorder(client);
  try {
    const loop = cell("loop", "let ticks = 0;\nwhile (true) { await new Promise((r) => setTimeout(r, 5)); ticks++; }");
    const child = cell("child", "const seen = ticks;");
    client.send({ type: "kernel-init", notebookPath: "/tmp/t28.ts", cells: [loop, child], mode: "autorun" });
    await rec.next((e) => e.type === "kernel-ready");
    client.send({ type: "execute-cells", cells: [loop, child], requestedAt: Date.now() });
    await rec.next((e) => e.type === "cell-status" && e.id === "loop" && e.status === "running");
    const mark = rec.events.length;
    const before = Date.now() - 1;
    client.interrupt();
    await rec.next((e) => e.type === "interrupted", 1500);
    const loopOut = await rec.next((e) => isOutput("loop")(e) && e.type === "cell-output" && e.error !== undefined);
    assert.equal(loopOut.type === "cell-output" && loopOut.error?.kind, "interrupted");
    const childOut = await rec.next((e) => isOutput("child")(e) && e.type === "cell-output" && e.error !== undefined);
    assert.equal(childOut.type === "cell-output" && childOut.error?.kind, "interrupted");
    // A run request stamped before the interrupt is dropped.
    client.send({ type: "execute-cells", cells: [child], requestedAt: before });
    await new Promise((r) => setTimeout(r, 600));
    // The grace period passed without a kill: no cell went stale, no second kernel started.
    assert.ok(!rec.events.slice(mark).some((e) => e.event.type === "cell-status" && e.event.status === "stale"), "no restart");
    assert.equal(rec.events.filter((e) => e.event.type === "kernel-ready").length, 1);
    assert.ok(!rec.events.slice(mark).some((e) => e.event.type === "cell-status" && e.event.id === "child" && e.event.status === "running"));
  } finally {
    await client.dispose();
  }
});

test("an unexpected exit is reported, never thrown at the host", async () => {
  const client = new KernelClient();
  const rec = recorder(client);
  try {
    const exited = new Promise<{ code: number | null }>((resolve) => client.onExit(resolve));
    client.send({ type: "kernel-init", notebookPath: "/tmp/exit.ts", cells: [cell("bye", "process.exit(7);")], mode: "autorun" });
    await rec.next((e) => e.type === "kernel-ready");
    client.send({ type: "execute-cells", cells: [cell("bye", "process.exit(7);")], requestedAt: Date.now() });
    assert.equal((await exited).code, 7);
    // Sending to a dead kernel is a no-op; restart brings it back.
    client.send({ type: "run-stale-cells" });
    await client.restart();
  } finally {
    await client.dispose();
  }
});

test("tracking calls of cells round-trip to the host's store, errors keeping their MLflow code", async () => {
  const store = await openStore(`sqlite:///${join(mkdtempSync(join(tmpdir(), "fb-kc-")), "t.db")}`);
  const client = new KernelClient();
  const rec = recorder(client);
  const methods: string[] = [];
  client.onTrackingRequest(async (call) => {
    methods.push(call.method);
    return invokeTracking(store, call);
  });
  try {
    const read = cell("read", "const names = (await mlflow.searchExperiments()).map((e) => e.name);\nnames;");
    const write = cell("write", 'const exp = await mlflow.setExperiment("from-kernel");\nconst run = await mlflow.startRun({ runName: "k" }, async (r) => r.info.run_id);');
    const missing = cell("missing", 'await mlflow.getRun("nope");');
    const illTyped = cell("illTyped", "await (await mlflow.getStore()).getRun(42);");
    const cells = [IMPORTS, read, write, missing, illTyped];
    client.send({ type: "kernel-init", notebookPath: "/tmp/track.ts", cells, mode: "autorun" });
    await rec.next((e) => e.type === "kernel-ready");
    client.send({ type: "execute-cells", cells, requestedAt: Date.now() });
    const names = await rec.next((e) => isOutput("read")(e) && e.type === "cell-output" && e.output !== null);
    assert.deepEqual(names.type === "cell-output" && names.output, { kind: "json", value: ["Default"] });
    const failed = await rec.next((e) => isOutput("missing")(e) && e.type === "cell-output" && !!e.error);
    assert.ok(failed.type === "cell-output" && failed.error?.kind === "exception" && failed.error.name === "MlflowError", JSON.stringify(failed));
    // The host refuses a call whose arguments do not match the store's contract, before the store sees it.
    const refused = await rec.next((e) => isOutput("illTyped")(e) && e.type === "cell-output" && !!e.error);
    assert.ok(refused.type === "cell-output" && refused.error?.kind === "exception", JSON.stringify(refused));
    assert.match(refused.error.message, /getRun: argument 1 must be a string, got number/);
    await rec.next((e) => e.type === "cell-status" && e.id === "write" && e.status === "idle" && e.runNumber > 0);
    const exp = await store.getExperimentByName("from-kernel");
    const runs = (await store.searchRuns({ experiment_ids: [exp!.experiment_id] })).items;
    assert.equal(runs.length, 1);
    assert.equal(runs[0].info.status, "FINISHED");
    assert.equal(Object.fromEntries(runs[0].data.tags.map((t) => [t.key, t.value]))["flowbook.cellId"], "write");
    assert.ok(methods.includes("searchExperiments") && methods.includes("createRun"));
  } finally {
    await client.dispose();
    await store.close();
  }
});

test("a cell pointing setTrackingUri at the app's database stays on the host; another SQLite file is refused", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-kc-uri-"));
  const uri = `sqlite:///${join(dir, "app.db")}`;
  const store = await openStore(uri);
  const client = new KernelClient();
  const rec = recorder(client);
  client.onTrackingRequest((call) => invokeTracking(store, call));
  try {
    // The same file spelled another way (`sqlite:////abs` with a `..` in it) is still the app's store.
    const same = `sqlite:///${join(dir, "sub", "..", "app.db")}`;
    const own = cell("own", `await mlflow.setTrackingUri(${JSON.stringify(same)});\nawait mlflow.setExperiment("through-host");\nconst r = await mlflow.startRun({ runName: "own" }, async (run) => run.info.run_id);`);
    const other = cell("other", `await mlflow.setTrackingUri(${JSON.stringify(`sqlite:///${join(dir, "other.db")}`)});\nawait mlflow.searchExperiments();`);
    client.send({ type: "kernel-init", notebookPath: join(dir, "nb.ts"), cells: [IMPORTS, own, other], mode: "autorun", trackingUri: uri });
    await rec.next((e) => e.type === "kernel-ready");
    client.send({ type: "execute-cells", cells: [IMPORTS, own], requestedAt: Date.now() });
    await rec.next((e) => e.type === "cell-status" && e.id === "own" && e.status === "idle" && e.runNumber > 0);
    const exp = await store.getExperimentByName("through-host");
    assert.ok(exp, "the cell's writes reached the host's store");
    const runs = (await store.searchRuns({ experiment_ids: [exp.experiment_id] })).items;
    assert.equal(runs.length, 1);
    assert.equal(runs[0].data.tags.find((t) => t.key === "flowbook.cellId")?.value, "own", "provenance still applies: the cell kept the host's store");
    client.send({ type: "execute-cells", cells: [other], requestedAt: Date.now() });
    const refused = await rec.next((e) => isOutput("other")(e) && e.type === "cell-output" && !!e.error);
    assert.ok(refused.type === "cell-output" && refused.error?.kind === "exception", JSON.stringify(refused));
    assert.match(refused.error.message, /opened only by the process that owns it/);
    assert.equal(existsSync(join(dir, "other.db")), false, "the kernel created no database");
  } finally {
    await client.dispose();
    await store.close();
  }
});

test("Stop during a console flood ends it in place with every printed line in the log, and a restarted kernel keeps raised limits", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-flood-"));
  const notebookPath = join(dir, "nb.ts");
  const client = new KernelClient({ interruptGraceMs: 300 });
  const rec = recorder(client);
  try {
    const flood = cell("flood", 'for (let i = 0; ; i++) console.log("line", i);');
    const big = cell("big", 'md("x".repeat(3000))');
    const limits = { outputBytes: 2048, consoleLines: 100, consoleBytes: 1 << 20 };
    client.send({ type: "kernel-init", notebookPath, cells: [IMPORTS, flood, big], mode: "lazy", limits });
    await rec.next((e) => e.type === "kernel-ready");
    client.send({ type: "set-output-limits", limits: { ...limits, outputBytes: 4096 } });
    client.send({ type: "execute-cells", cells: [flood], requestedAt: Date.now() });
    // Batches arrive while the loop never yields: each bounded, counting what it skipped.
    const batches = () => rec.events.flatMap((e) => (e.event.type === "cell-console" && e.event.id === "flood" ? [e.event] : []));
    await rec.next((e) => e.type === "cell-console" && e.id === "flood" && (e.skippedLines ?? 0) > 0);
    const start = Date.now();
    client.interrupt();
    const stopped = await rec.next((e) => isOutput("flood")(e) && rec.events.find((r) => r.event === e)!.at >= start);
    assert.deepEqual(stopped.type === "cell-output" && stopped.error, { kind: "interrupted" });
    await rec.next((e) => e.type === "cell-status" && e.id === "flood" && e.status === "idle" && rec.events.find((r) => r.event === e)!.at >= start);
    for (const b of batches()) assert.ok(b.text.split("\n").length - 1 <= 100);
    const shown = batches().at(-1)!.text.trimEnd().split("\n").at(-1)!;
    const log = readFileSync(join(dir, "__flowbook__", "nb", "console", "flood.log"), "utf8").split("\n");
    const complete = log.slice(0, -1);
    assert.ok(complete.every((line, i) => line === `line ${i}`), "the log holds every line printed, in order");
    assert.ok(complete.includes(shown), `the last line shown (${shown}) is in the log`);
    // A new process is started with the raised limit: a 3000-byte output shows.
    await client.restart();
    client.send({ type: "execute-cells", cells: [big], requestedAt: Date.now() });
    const out = await rec.next((e) => isOutput("big")(e) && rec.events.find((r) => r.event === e)!.at >= start);
    assert.equal(out.type === "cell-output" && out.output?.kind, "markdown");
  } finally {
    await client.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
