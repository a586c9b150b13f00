import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { consoleLogFile, resolveSessionFile, savedOutputFile, sessionDir } from "./index.ts";

test("a notebook's session files live in __flowbook__/<name>/ beside it", () => {
  assert.equal(sessionDir("/work/notes/train.ts"), "/work/notes/__flowbook__/train");
  assert.equal(consoleLogFile("c1"), "console/c1.log");
  assert.equal(savedOutputFile("c1", "markdown"), "outputs/c1.md");
  assert.equal(savedOutputFile("c1", "text"), "outputs/c1.txt");
  assert.equal(savedOutputFile("c1", "plot"), "outputs/c1.json");
  assert.equal(savedOutputFile("c1", "table", "-2"), "outputs/c1-2.json");
  assert.throws(() => consoleLogFile("../x"), /not a cell id/);
});

test("session paths never leave the session folder", () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-session-"));
  try {
    const nb = join(dir, "nb.ts");
    const session = sessionDir(nb);
    assert.equal(resolveSessionFile(nb, "outputs/c1.md"), join(session, "outputs/c1.md"));
    for (const bad of ["", "../nb.ts", "outputs/../../nb.ts", "/etc/passwd", "C:/x", "a\0b", "."]) {
      assert.equal(resolveSessionFile(nb, bad), undefined, JSON.stringify(bad));
    }
    // A link inside the folder that points out of it is refused too.
    mkdirSync(join(session, "outputs"), { recursive: true });
    writeFileSync(join(dir, "secret.txt"), "s");
    symlinkSync(join(dir, "secret.txt"), join(session, "outputs", "link.txt"));
    assert.equal(resolveSessionFile(nb, "outputs/link.txt"), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
