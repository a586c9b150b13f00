import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CellId, LastOutput, Output } from "../protocol.ts";
import { lastOutputFile, pruneLastOutputs, readLastOutputs, sessionDir, writeLastOutput } from "./index.ts";

const MB = 1024 * 1024;
const id = (s: string) => s as CellId;

function notebook(): string {
  const dir = mkdtempSync(join(tmpdir(), "fb-last-"));
  const path = join(dir, "train.ts");
  writeFileSync(path, "// notebook\n");
  return path;
}

test("a cell's last output is kept beside the notebook, never in it, and read back in the asked order", async () => {
  const path = notebook();
  const plot: Output = { kind: "plot", figure: { data: [{ x: [1, 2], y: [3, 4] }] } };
  await writeLastOutput(path, { id: id("b"), output: plot, savedAt: 2 }, 8 * MB);
  await writeLastOutput(path, { id: id("a"), output: { kind: "text", text: "hi" }, savedAt: 1 }, 8 * MB);
  await writeLastOutput(path, { id: id("e"), output: null, error: { kind: "exception", name: "Error", message: "boom" }, savedAt: 3 }, 8 * MB);
  assert.equal(readFileSync(path, "utf8"), "// notebook\n");
  assert.deepEqual(readdirSync(join(sessionDir(path), "last")).sort(), ["a.json", "b.json", "e.json"]);
  const got = await readLastOutputs(path, [id("a"), id("missing"), id("b"), id("e")], 8 * MB);
  assert.deepEqual(got.map((e) => e.id), ["a", "b", "e"]);
  assert.deepEqual(got[1]!.output, plot);
  assert.equal(got[2]!.error?.kind, "exception");
});

test("a cell that now shows nothing loses its file; a rewrite replaces it whole with no temp file left", async () => {
  const path = notebook();
  await writeLastOutput(path, { id: id("a"), output: { kind: "text", text: "one" }, savedAt: 1 }, 8 * MB);
  await writeLastOutput(path, { id: id("a"), output: { kind: "text", text: "two" }, savedAt: 2 }, 8 * MB);
  assert.deepEqual(readdirSync(join(sessionDir(path), "last")), ["a.json"]);
  assert.equal((await readLastOutputs(path, [id("a")], 8 * MB))[0]!.output?.kind === "text" && "two", "two");
  await writeLastOutput(path, { id: id("a"), output: null, savedAt: 3 }, 8 * MB);
  assert.equal(existsSync(join(sessionDir(path), lastOutputFile("a"))), false);
});

test("outputs over the limit are kept as their size notice, and oversized or foreign files are not read", async () => {
  const path = notebook();
  const limit = 1024 * 1024;
  const big = "x".repeat(2 * limit);
  await writeLastOutput(path, { id: id("big"), output: { kind: "text", text: big }, savedAt: 1 }, limit);
  const [notice] = await readLastOutputs(path, [id("big")], limit);
  assert.equal(notice!.output?.kind, "too-large");
  assert.ok(notice!.output?.kind === "too-large" && notice!.output.bytes > 2 * limit && notice!.output.limit === limit);
  const dir = join(sessionDir(path), "last");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "huge.json"), JSON.stringify({ id: "huge", output: { kind: "text", text: big }, savedAt: 1 }));
  writeFileSync(join(dir, "other.json"), JSON.stringify({ id: "not-other", output: null, savedAt: 1 } satisfies Omit<LastOutput, "id"> & { id: string }));
  writeFileSync(join(dir, "torn.json"), "{\"id\":\"torn\",");
  assert.deepEqual(await readLastOutputs(path, [id("huge"), id("other"), id("torn")], limit), []);
  await assert.rejects(writeLastOutput(path, { id: id("../x"), output: { kind: "text", text: "" }, savedAt: 1 }, limit), /not a cell id/);
});

test("pruning keeps only the outputs of the notebook's cells", async () => {
  const path = notebook();
  for (const c of ["a", "b", "gone"]) await writeLastOutput(path, { id: id(c), output: { kind: "text", text: c }, savedAt: 1 }, 8 * MB);
  await pruneLastOutputs(path, [id("a"), id("b")]);
  assert.deepEqual(readdirSync(join(sessionDir(path), "last")).sort(), ["a.json", "b.json"]);
  await pruneLastOutputs(notebook(), [id("a")]); // no folder yet: nothing to do
});
