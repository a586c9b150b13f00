/** Reading a run's Flowbook provenance: snapshot cells, upstream values and the code hash. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cellOf, fromFlowbook, sha256Hex, snapshotCells, snapshotNotebookPath, upstreamOf } from "./provenance.ts";
import { fakeRun } from "./test-runs.ts";

/** A snapshot as the kernel writes it (electron/notebook's serializer): header, markers, a blank line between cells. */
const SNAPSHOT = [
  "// The notebook /nb/train.ts as Flowbook ran it (a run's snapshot).",
  "",
  "// %% [cell id=imp]",
  'import { mlflow, ui } from "flowbook";',
  "",
  '// %% [cell id=knobs name="learning \\"rate\\"" hidden]',
  "const lr = ui.slider({ value: 3 });",
  "",
  "",
  "// %% [cell id=train disabled]",
  "// %%% a code line that looks like a marker",
  "await mlflow.startRun();",
  "",
].join("\n");

test("cells come out of a snapshot with their ids, names and exact code", () => {
  const cells = snapshotCells(SNAPSHOT);
  assert.deepEqual(cells.map((c) => c.id), ["imp", "knobs", "train"]);
  assert.equal(cells[1].name, 'learning "rate"');
  // A trailing blank line that belongs to the code survives; the writer's separator does not.
  assert.equal(cells[1].code, "const lr = ui.slider({ value: 3 });\n");
  assert.equal(cellOf(SNAPSHOT, "train")?.code, "// %% a code line that looks like a marker\nawait mlflow.startRun();");
  assert.equal(cellOf(SNAPSHOT, "nope"), undefined);
  // Text that is no notebook yields no cells, never an exception.
  assert.deepEqual(snapshotCells("const x = 1;\n// %% [cell]\nx;"), []);
});

test("upstream values read from the tag as JSON text per name, and only Flowbook runs count", () => {
  const run = fakeRun("r", { tags: { "flowbook.cellId": "c", "flowbook.codeHash": "h", "flowbook.upstream": '{"lr":0.1,"opt":"adam","…":"omitted: big"}' } });
  assert.deepEqual([...upstreamOf(run)!], [["lr", "0.1"], ["opt", '"adam"'], ["…", "omitted: big"]]);
  assert.equal(fromFlowbook(run), true);
  assert.equal(upstreamOf(fakeRun("x", { tags: { "flowbook.upstream": "not json" } })), undefined);
  assert.equal(upstreamOf(fakeRun("x")), undefined);
  assert.equal(fromFlowbook(fakeRun("x", { tags: { "mlflow.source.name": "train.py" } })), false);
});

test("the live code hash is the kernel's SHA-256 of the cell code", async () => {
  assert.equal(await sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(snapshotNotebookPath("/nb/train.ts", "0123456789abcdef"), "/nb/train.run-01234567.ts");
});
