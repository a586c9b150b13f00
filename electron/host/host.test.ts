import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CellId, HostCommand, HostEvent } from "../protocol.ts";
import { startTestServer } from "../tracking/rest/test-harness.ts";
import { createHost, type Host } from "./host.ts";
import { connection } from "./test-connection.ts";

describe("host", () => {
  let dir: string;
  let host: Host;
  let client: ReturnType<typeof connection>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "flowbook-host-"));
    writeFileSync(join(dir, "a.ts"), "// %% [cell id=one]\nconst one = 1;\n");
    host = await createHost({ notebookDir: dir, notebookPath: join(dir, "a.ts") });
    client = connection();
    host.connect(client.conn);
  });

  after(async () => {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("greets a connection with its status and the open notebook", async () => {
    assert.equal(client.events[0].type, "host-status");
    const opened = client.events[1];
    assert.equal(opened.type, "notebook-opened");
    assert.equal(opened.type === "notebook-opened" && opened.cells[0].id, "one");
  });

  test("forwards kernel events and reports the kernel idle once ready", async () => {
    await client.next((e) => e.type === "host-status" && e.kernel === "idle");
    client.raw({ type: "execute-cells", cells: [{ id: "one" as CellId, code: "const one = 1;\none;", config: {} }], requestedAt: Date.now() } satisfies HostCommand);
    const out = await client.next((e) => e.type === "kernel-event" && e.event.type === "cell-output" && e.event.id === "one");
    assert.equal(out.type, "kernel-event");
  });

  test("a cell's training that goes on after the cell returned keeps the kernel busy until an interrupt stops it", { timeout: 60_000 }, async () => {
    const code = `import { loadTf, mlflow } from "flowbook";
const tf = await loadTf();
const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
const fit = { epochs: 1e6, batchSize: 1 };
const training = (async () => model.fit(tf.ones([2, 1]), tf.ones([2, 1]), { ...fit, verbose: 0, callbacks: [await mlflow.tfjs.callback(model, fit)] }))();
training.catch(() => undefined);`;
    const after = (index: number, match: (e: HostEvent) => boolean) => client.next((e) => client.events.indexOf(e) >= index && match(e));
    const from = client.events.length;
    client.raw({ type: "execute-cells", cells: [{ id: "bg" as CellId, code, config: {} }], requestedAt: Date.now() } satisfies HostCommand);
    const returned = await after(from, (e) => e.type === "kernel-event" && e.event.type === "cell-status" && e.event.id === "bg" && e.event.status === "idle");
    // The cell has returned; the training it started then holds the kernel busy.
    await after(client.events.indexOf(returned), (e) => e.type === "host-status" && e.kernel === "busy");
    const stopped = client.events.length;
    client.raw({ type: "interrupt" } satisfies HostCommand);
    await after(stopped, (e) => e.type === "host-status" && e.kernel === "idle");
  });

  test("answers tracking calls from the store and pushes the change", async () => {
    const reply = await client.request({ type: "tracking-call", method: "createExperiment", args: ["exp-1"] });
    assert.equal(reply.error, undefined);
    assert.equal(typeof reply.result, "string");
    await client.next((e) => e.type === "store-changed" && e.change.type === "experiment");
    const bad = await client.request({ type: "tracking-call", method: "getExperiment", args: ["does-not-exist"] });
    assert.ok(bad.error?.message);
  });

  test("pushes a burst of logged metrics to views whole and in order, points included", async () => {
    const exp = await host.store.createExperiment("burst");
    const run = await host.store.createRun({ experiment_id: exp, run_name: "burst" });
    const runId = run.info.run_id;
    for (let b = 0; b < 3; b++) {
      const metrics = Array.from({ length: 10 }, (_, i) => ({ key: "loss", value: b * 10 + i, step: b * 10 + i, timestamp: 1 }));
      await host.store.logBatch({ run_id: runId, metrics });
    }
    const pushed = () =>
      client.events.flatMap((e) => (e.type === "store-changed" && e.change.type === "metrics" && e.change.run_id === runId ? e.change.metrics : []));
    await client.next(() => pushed().length >= 30);
    assert.deepEqual(pushed().map((m) => [m.step, m.value]), Array.from({ length: 30 }, (_, i) => [i, i]));
  });

  test("routes a connection's view calls to the server it connected to; cells and other connections keep the store", async () => {
    const remote = await startTestServer();
    const other = connection();
    const off = host.connect(other.conn);
    try {
      await remote.store.createExperiment("only-on-the-remote");
      const expNames = async (c: ReturnType<typeof connection>, store?: "view") => {
        const r = await c.request({ type: "tracking-call", method: "searchExperiments", args: [{}], ...(store ? { store } : {}) });
        return (r.result as { items: { name: string }[] }).items.map((e) => e.name);
      };
      assert.ok(!(await expNames(client, "view")).includes("only-on-the-remote"));
      const set = await client.request({ type: "set-view-source", source: { kind: "remote", url: remote.url } });
      assert.equal((set.result as { kind: string }).kind, "remote");
      assert.ok((await expNames(client, "view")).includes("only-on-the-remote"));
      assert.ok(!(await expNames(client)).includes("only-on-the-remote"));
      assert.ok(!(await expNames(other, "view")).includes("only-on-the-remote"));
      const bad = await client.request({ type: "set-view-source", source: { kind: "remote", url: "http://127.0.0.1:1" } });
      assert.match(bad.error?.message ?? "", /Cannot reach the tracking server at http:\/\/127\.0\.0\.1:1/);
      assert.ok((await expNames(client, "view")).includes("only-on-the-remote"));
      const test = await client.request({ type: "test-view-source", url: remote.url });
      assert.equal((test.result as { url: string }).url, remote.url);
      await client.request({ type: "set-view-source", source: { kind: "local" } });
      assert.ok(!(await expNames(client, "view")).includes("only-on-the-remote"));
    } finally {
      off();
      await remote.close();
    }
  });

  test("saves atomically and confines paths to the notebook directory", async () => {
    const saved = await client.request({ type: "save-notebook", cells: [{ id: "one", code: "const one = 2;", config: {} }] });
    assert.deepEqual(saved.result, { path: join(dir, "a.ts") });
    assert.match(readFileSync(join(dir, "a.ts"), "utf8"), /const one = 2;/);
    for (const path of ["../escape.ts", "/etc/passwd", "notes.txt"]) {
      const r = await client.request({ type: "save-notebook", path, cells: [] });
      assert.ok(r.error, path);
      const o = await client.request({ type: "open-notebook", path });
      assert.ok(o.error, path);
    }
  });

  test("creates, lists and opens notebooks", async () => {
    const created = await client.request({ type: "new-notebook", path: "sub/b.ts" }).catch(() => undefined);
    // A missing folder is an error reply, not a crash; a plain name works.
    assert.ok(created?.error);
    const b = await client.request({ type: "new-notebook", path: "b.ts" });
    assert.deepEqual(b.result, { path: join(dir, "b.ts") });
    const opened = await client.next((e) => e.type === "notebook-opened" && e.path === join(dir, "b.ts"));
    // A new notebook starts with the (hidden) import cell, like the examples, then an empty cell.
    const cells = opened.type === "notebook-opened" ? opened.cells : [];
    assert.deepEqual(cells[0], { id: "imports", code: 'import { md, ui, plot, table, state, mlflow } from "flowbook";', config: { name: "imports", hideCode: true } });
    assert.equal(cells[1]?.code, "");
    assert.match(readFileSync(join(dir, "b.ts"), "utf8"), /\/\/ %% \[cell id=imports name="imports" hidden\]\nimport \{ md, ui, plot, table, state, mlflow \} from "flowbook";/);
    const list = await client.request({ type: "list-notebooks" });
    assert.deepEqual((list.result as { name: string }[]).map((x) => x.name), ["a.ts", "b.ts"]);
    const again = await client.request({ type: "new-notebook", path: "b.ts" });
    assert.match(again.error?.message ?? "", /already exists/);
  });

  test("opens notebook text (a run's snapshot) as a new notebook written only on save", async () => {
    const text = "// %% [cell id=old]\nconst old = 1;\n";
    const first = await client.request({ type: "open-notebook-text", path: join(dir, "a.run-1.ts"), text });
    assert.deepEqual(first.result, { path: join(dir, "a.run-1.ts") });
    const opened = await client.next((e) => e.type === "notebook-opened" && e.path === join(dir, "a.run-1.ts"));
    assert.equal(opened.type === "notebook-opened" && opened.unsaved, true);
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith(".ts")).sort(), ["a.ts", "b.ts"]);
    // The same name again gets a free one; a folder the renderer may not write falls back to the notebook folder.
    assert.deepEqual((await client.request({ type: "open-notebook-text", path: "a.run-1.ts", text })).result, { path: join(dir, "a.run-1.ts") });
    await client.request({ type: "save-notebook", cells: [{ id: "old", code: "const old = 1;", config: {} }] });
    assert.deepEqual((await client.request({ type: "open-notebook-text", path: "a.run-1.ts", text })).result, { path: join(dir, "a.run-1-2.ts") });
    assert.deepEqual((await client.request({ type: "open-notebook-text", path: "/elsewhere/c.ts", text })).result, { path: join(dir, "c.ts") });
    const saved = await client.request({ type: "save-notebook", cells: [{ id: "old", code: "const old = 2;", config: {} }] });
    assert.deepEqual(saved.result, { path: join(dir, "c.ts") });
    assert.match(readFileSync(join(dir, "c.ts"), "utf8"), /const old = 2;/);
    const bad = await client.request({ type: "open-notebook-text", path: "d.ts", text: "// %% [cell]\n" });
    assert.match(bad.error?.message ?? "", /no id/);
  });
});

describe("host output limits", () => {
  let dir: string;
  let host: Host;
  let client: ReturnType<typeof connection>;
  const big = { id: "big" as CellId, code: 'import { md } from "flowbook";\nmd("x".repeat(3000))', config: {} };
  const outputOf = (from: number) =>
    client.next((e) => client.events.indexOf(e) >= from && e.type === "kernel-event" && e.event.type === "cell-output" && e.event.id === "big");

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "flowbook-host-limits-"));
    writeFileSync(join(dir, "nb.ts"), `// flowbook: output-limit=2KB\n\n// %% [cell id=big]\n${big.code}\n`);
    host = await createHost({ notebookDir: dir, notebookPath: join(dir, "nb.ts"), outputLimits: { outputBytes: 1024 * 1024 }, log: () => undefined });
    client = connection();
    host.connect(client.conn);
    await client.next((e) => e.type === "host-status" && e.kernel === "idle");
  });

  after(async () => {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the notebook's header limit wins over the app's; raising it rewrites the header, saved with the notebook", async () => {
    let from = client.events.length;
    client.raw({ type: "execute-cells", cells: [big], requestedAt: Date.now() } satisfies HostCommand);
    let out = await outputOf(from);
    assert.deepEqual(out.type === "kernel-event" && out.event.type === "cell-output" && out.event.output, {
      kind: "too-large",
      outputKind: "markdown",
      bytes: 3000,
      limit: 2048,
      savedAs: "outputs/big.md",
    });
    assert.equal(host.sessionFile("outputs/big.md"), join(dir, "__flowbook__", "nb", "outputs", "big.md"));
    assert.equal(readFileSync(host.sessionFile("outputs/big.md")!, "utf8"), "x".repeat(3000));
    assert.equal(host.sessionFile("../nb.ts"), undefined);

    client.raw({ type: "set-output-limits", limits: { outputBytes: 4096 } } satisfies HostCommand);
    from = client.events.length;
    client.raw({ type: "execute-cells", cells: [big], requestedAt: Date.now() } satisfies HostCommand);
    out = await outputOf(from);
    assert.equal(out.type === "kernel-event" && out.event.type === "cell-output" && out.event.output?.kind, "markdown");

    await client.request({ type: "save-notebook", cells: [big] });
    assert.match(readFileSync(join(dir, "nb.ts"), "utf8"), /^\/\/ flowbook: output-limit=4KB\n\n\/\/ %% \[cell id=big\]/);
  });

  test("an output a window cannot take reaches it as an error, not as nothing", async () => {
    const events: HostEvent[] = [];
    const off = host.connect({
      send(e) {
        if (e.type === "kernel-event" && e.event.type === "cell-output" && e.event.output) throw new RangeError("Invalid string length");
        events.push(e);
      },
      onCommand: () => () => undefined,
    });
    try {
      const from = client.events.length;
      client.raw({ type: "execute-cells", cells: [big], requestedAt: Date.now() } satisfies HostCommand);
      await outputOf(from);
      const failed = events.findLast((e) => e.type === "kernel-event" && e.event.type === "cell-output");
      assert.ok(failed?.type === "kernel-event" && failed.event.type === "cell-output");
      assert.equal(failed.event.output, null);
      assert.match(failed.event.error?.kind === "invalid" ? failed.event.error.message : "", /could not be sent to this window: Invalid string length/);
    } finally {
      off();
    }
  });

  test("a notebook whose header line has a bad value is refused, naming the line", async () => {
    writeFileSync(join(dir, "bad.ts"), "// title\n// flowbook: output-limit=huge\n// %% [cell id=a]\n1;\n");
    const r = await client.request({ type: "open-notebook", path: "bad.ts" });
    assert.match(r.error?.message ?? "", /bad\.ts:2: 'output-limit=huge': expected a size like 16MB/);
  });
});
