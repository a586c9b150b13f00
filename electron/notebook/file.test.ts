import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CellId } from "../protocol.ts";
import { NotebookFormatError, loadNotebook, saveNotebook, serializeNotebook, type Notebook } from "./index.ts";

const nb: Notebook = { header: "// h\n", cells: [{ id: "c1" as CellId, code: "const a = 1;", config: { name: "one" } }] };

test("save then load gives the notebook back and leaves no temp file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-nb-"));
  const path = join(dir, "nb.ts");
  writeFileSync(path, "old");
  await saveNotebook(path, nb);
  assert.deepEqual(await loadNotebook(path), nb);
  assert.equal(readFileSync(path, "utf8"), serializeNotebook(nb));
  assert.deepEqual(readdirSync(dir), ["nb.ts"]);
});

test("a notebook that cannot be written leaves the old file untouched", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-nb-"));
  const path = join(dir, "nb.ts");
  writeFileSync(path, "old text");
  const bad: Notebook = { header: "// %% [cell id=x]\n", cells: nb.cells };
  await assert.rejects(saveNotebook(path, bad), NotebookFormatError);
  assert.equal(readFileSync(path, "utf8"), "old text");
  assert.deepEqual(readdirSync(dir), ["nb.ts"]);
});

test("a failed rename removes the temp file and keeps what was there", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-nb-"));
  // A non-empty directory where the file should go: the rename fails after the temp file is written.
  const path = join(dir, "nb.ts");
  mkdirSync(path);
  writeFileSync(join(path, "keep"), "x");
  await assert.rejects(saveNotebook(path, nb));
  assert.deepEqual(readdirSync(dir), ["nb.ts"]);
  assert.equal(readFileSync(join(path, "keep"), "utf8"), "x");
});

test("loading a malformed file reports the path and line", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-nb-"));
  const path = join(dir, "bad.ts");
  writeFileSync(path, "// ok\n// %% [cell]\n");
  await assert.rejects(loadNotebook(path), (err: unknown) => err instanceof NotebookFormatError && err.line === 2 && err.message.startsWith(path));
});
