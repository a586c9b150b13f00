import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseNotebook } from "../../notebook/index.ts";
import type { CellId, WidgetId } from "../../protocol.ts";
import type { Run } from "../../tracking/types.ts";
import { createRemoteStore } from "./mlflow.ts";
import { MlflowError } from "../../tracking/types.ts";
import type { TrackingRequest } from "../../protocol.ts";
import { cell, runtimeKernel } from "./test-kernel.ts";

const IMPORTS = cell("imp", 'import { mlflow } from "flowbook";');


const tagsOf = (run: Run) => Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
const waitFor = async (check: () => Promise<boolean>, timeoutMs = 5000) => {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
};

test("runs started in a cell carry provenance tags", async () => {
  const code = 'const run = await mlflow.startRun({ runName: "r1" });\nawait mlflow.logParam("lr", 0.1);\nawait mlflow.endRun();';
  const cells = [IMPORTS, cell("train", code)];
  const t = await runtimeKernel(cells);
  try {
    await t.kernel.handle({ type: "execute-cells", cells, requestedAt: Date.now() });
    await t.until((e) => e.type === "completed-run");
    const [run] = await t.runs();
    const tags = tagsOf(run);
    assert.equal(tags["flowbook.notebook"], t.notebookPath);
    assert.equal(tags["flowbook.cellId"], "train");
    assert.equal(tags["flowbook.codeHash"], createHash("sha256").update(code).digest("hex"));
    assert.equal(tags["mlflow.source.name"], t.notebookPath);
    assert.equal(tags["mlflow.source.type"], "NOTEBOOK");
    assert.equal(run.info.status, "FINISHED");
  } finally {
    await t.close();
  }
});

/** The notebook snapshot a run carries, parsed. */
const snapshotOf = (run: Run) => parseNotebook(readFileSync(join(fileURLToPath(run.info.artifact_uri), "flowbook", "notebook.ts"), "utf8"));

test("a run records the notebook as the kernel ran it and the primitive values the cell read", async () => {
  const imports = cell("imp", 'import { mlflow, ui } from "flowbook";');
  const inputs = cell("inputs", 'const lr = 0.1;\nconst optimizer = "adam";\nconst shuffle = true;\nconst shape = [2, 3];');
  const epochs = cell("epochs", "const epochs = ui.slider({ min: 1, max: 10, value: 3 });\nepochs;");
  const train = (tail: string) => cell("train", `await mlflow.startRun({ runName: "r" + epochs.value });\nawait mlflow.logParams({ lr, optimizer, shuffle, dims: shape.length });\nawait mlflow.endRun(); // ${tail}`);
  const cells = [imports, inputs, { ...epochs, config: { name: "knobs" } }, train("first")];
  const t = await runtimeKernel(cells);
  try {
    await t.kernel.handle({ type: "execute-cells", cells, requestedAt: Date.now() });
    await t.until((e) => e.type === "completed-run");
    const [first] = await t.runs();
    // Objects (shape, the flowbook module) are not recorded; the slider is, by its value.
    assert.deepEqual(JSON.parse(tagsOf(first)["flowbook.upstream"]), { epochs: 3, lr: 0.1, optimizer: "adam", shuffle: true });
    const snap = snapshotOf(first);
    assert.deepEqual(snap.cells.map((c) => c.id), ["imp", "inputs", "epochs", "train"]);
    assert.equal(snap.cells[2].config.name, "knobs");
    assert.equal(snap.cells[3].code, train("first").code);

    // Move a cell, edit another and move the slider: the new run has the new order, code and value;
    // the old run keeps its own.
    await t.kernel.handle({ type: "set-cell-order", ids: ["epochs", "imp", "inputs", "train"] as CellId[] });
    await t.kernel.handle({ type: "execute-cells", cells: [train("second")], requestedAt: Date.now() });
    await t.kernel.handle({ type: "set-ui-value", id: "epochs-0" as WidgetId, value: 7 });
    await t.kernel.idle();
    await waitFor(async () => (await t.runs()).some((r) => r.info.run_name === "r7"));
    const latest = (await t.runs()).find((r) => r.info.run_name === "r7")!;
    assert.equal(JSON.parse(tagsOf(latest)["flowbook.upstream"]).epochs, 7);
    assert.deepEqual(snapshotOf(latest).cells.map((c) => c.id), ["epochs", "imp", "inputs", "train"]);
    assert.equal(snapshotOf(latest).cells[3].code, train("second").code);
    assert.equal(tagsOf(latest)["flowbook.codeHash"], createHash("sha256").update(train("second").code).digest("hex"));
    assert.equal(snapshotOf(first).cells[3].code, train("first").code);
  } finally {
    await t.close();
  }
});

test("a snapshot that cannot be written leaves a warning under the cell, not a failed cell", async () => {
  const cells = [IMPORTS, cell("train", 'await mlflow.setExperiment("unwritable");\nconst r = await mlflow.startRun();\nawait mlflow.endRun();\n"done";')];
  const t = await runtimeKernel(cells);
  try {
    // An artifact root below a regular file: every write there fails.
    await t.store.createExperiment("unwritable", pathToFileURL(join(t.notebookPath, "no-dir")).href);
    writeFileSync(t.notebookPath, "");
    await t.kernel.handle({ type: "execute-cells", cells, requestedAt: Date.now() });
    await t.until((e) => e.type === "cell-output" && e.id === "train" && e.output?.kind === "text" && e.output.text === "done");
    const warning = await t.until((e) => e.type === "cell-console" && e.id === "train");
    assert.match(warning.type === "cell-console" ? warning.text : "", /has no notebook snapshot \(flowbook\/notebook\.ts\)/);
    assert.equal(warning.type === "cell-console" && warning.stream, "stderr");
  } finally {
    await t.close();
  }
});

test("a run left active when the cell is interrupted ends KILLED", async () => {
  const cells = [IMPORTS, cell("hang", "await mlflow.startRun();\nwhile (true) await new Promise((r) => setTimeout(r, 5));")];
  const t = await runtimeKernel(cells);
  try {
    // The run never ends by itself, so neither does this command: do not await it.
    void t.kernel.handle({ type: "execute-cells", cells, requestedAt: Date.now() });
    await waitFor(async () => (await t.runs()).length === 1);
    await t.kernel.handle({ type: "interrupt" });
    await waitFor(async () => (await t.runs())[0].info.status === "KILLED");
    assert.ok((await t.runs())[0].info.end_time);
  } finally {
    await t.close();
  }
});

test("a run left active when the cell throws ends FAILED with the error tagged", async () => {
  const cells = [IMPORTS, cell("boom", 'await mlflow.startRun();\nthrow new Error("diverged");')];
  const t = await runtimeKernel(cells);
  try {
    await t.kernel.handle({ type: "execute-cells", cells, requestedAt: Date.now() });
    await t.until((e) => e.type === "completed-run");
    await waitFor(async () => (await t.runs())[0]?.info.status === "FAILED");
    assert.equal(tagsOf((await t.runs())[0])["flowbook.error"], "diverged");
    // The fluent stack is clear again: the next run in a cell starts without "already active".
    const again = cell("again", "const r2 = await mlflow.startRun();\nawait mlflow.endRun();");
    await t.kernel.handle({ type: "execute-cells", cells: [again], requestedAt: Date.now() });
    await waitFor(async () => (await t.runs()).length === 2);
  } finally {
    await t.close();
  }
});

test("a cell reading runs re-runs when a matching tracking change arrives", async () => {
  const reader = cell("reader", 'const found = (await mlflow.searchRuns({ experimentIds: ["0"] })).length;\nfound;');
  const cells = [IMPORTS, reader];
  const t = await runtimeKernel(cells);
  const off = t.forwardChanges();
  try {
    void t.kernel.handle({ type: "execute-cells", cells, requestedAt: Date.now() });
    await t.until((e) => e.type === "cell-output" && e.id === "reader" && e.output?.kind === "json" && e.output.value === 0);
    await t.store.createRun({ experiment_id: "0", start_time: Date.now(), tags: [] });
    await t.until((e) => e.type === "cell-output" && e.id === "reader" && e.output?.kind === "json" && e.output.value === 1);
    // A change elsewhere (another experiment) does not re-run it.
    const before = t.events.filter((e) => e.type === "cell-status" && e.id === "reader" && e.status === "running").length;
    const other = await t.store.createExperiment("elsewhere");
    await t.store.createRun({ experiment_id: other, start_time: Date.now(), tags: [] });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(t.events.filter((e) => e.type === "cell-status" && e.id === "reader" && e.status === "running").length, before);
  } finally {
    off();
    await t.close();
  }
});

test("a reading cell interrupted before it read the store again still re-runs on the next change", async () => {
  const reader = cell("reader", 'await new Promise((r) => setTimeout(r, 300));\nconst found = (await mlflow.searchRuns({ experimentIds: ["0"] })).length;\nfound;');
  const cells = [IMPORTS, reader];
  const t = await runtimeKernel(cells);
  const off = t.forwardChanges();
  const shows = (n: number) => (e: (typeof t.events)[number]) => e.type === "cell-output" && e.id === "reader" && e.output?.kind === "json" && e.output.value === n;
  const starts = () => t.events.filter((e) => e.type === "cell-status" && e.id === "reader" && e.status === "running").length;
  try {
    void t.kernel.handle({ type: "execute-cells", cells, requestedAt: Date.now() });
    await t.until(shows(0));
    const before = starts();
    await t.store.createRun({ experiment_id: "0", start_time: Date.now(), tags: [] });
    await t.until(() => starts() > before);
    await t.kernel.handle({ type: "interrupt" }); // during the sleep, before the re-run reads
    await t.until((e) => e.type === "cell-output" && e.id === "reader" && e.error?.kind === "interrupted");
    await t.store.createRun({ experiment_id: "0", start_time: Date.now(), tags: [] });
    await t.until(shows(2));
  } finally {
    off();
    await t.close();
  }
});

test("the remote store forwards any method by name and maps replies, errors and late replies", async () => {
  const sent: TrackingRequest[] = [];
  const remote = createRemoteStore((req) => sent.push(req));
  const got = remote.store.getRun("abc");
  const missing = remote.store.getExperiment("9");
  assert.deepEqual(
    sent.map((r) => [r.method, r.args]),
    [["getRun", ["abc"]], ["getExperiment", ["9"]]],
  );
  remote.receive({ type: "tracking-reply", requestId: sent[0].requestId, result: { ok: 1 } });
  remote.receive({ type: "tracking-reply", requestId: sent[1].requestId, error: { message: "no such", code: "RESOURCE_DOES_NOT_EXIST" } });
  assert.deepEqual(await got, { ok: 1 });
  await assert.rejects(missing, (e: unknown) => e instanceof MlflowError && e.code === "RESOURCE_DOES_NOT_EXIST");
  // Late and unknown replies are dropped; a pending call rejects when the host goes away.
  remote.receive({ type: "tracking-reply", requestId: sent[0].requestId, result: 2 });
  const pending = remote.store.searchRuns({ experiment_ids: ["0"] });
  remote.closeAll("gone");
  await assert.rejects(pending, /gone/);
  // Not a thenable: awaiting the store itself does not send a request.
  assert.equal(await Promise.resolve(remote.store).then((s) => typeof s), "object");
  assert.equal(sent.length, 3);
});
