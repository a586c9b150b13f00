import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultStoreUri } from "./default-store.ts";

test("a project folder's default store is the one the app writes in its notebooks/ folder", () => {
  const project = mkdtempSync(join(tmpdir(), "flowbook-store-"));
  try {
    // No notebook folder: the store sits in the folder itself.
    assert.equal(defaultStoreUri(project), `sqlite:///${join(project, "flowbook.db")}`);
    mkdirSync(join(project, "notebooks"));
    const appStore = `sqlite:///${join(project, "notebooks", "flowbook.db")}`;
    // `flowbook start` in the project opens notebooks/: the app's host gets that folder.
    assert.equal(defaultStoreUri(join(project, "notebooks")), appStore);
    // Commands started in the project (server, models serve) and `run notebooks/x.ts` read the same store.
    assert.equal(defaultStoreUri(project), appStore);
    writeFileSync(join(project, "notebooks", "x.ts"), "");
    assert.equal(defaultStoreUri(join(project, "notebooks")), appStore);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});
