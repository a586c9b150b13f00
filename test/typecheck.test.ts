/**
 * `npm run typecheck` inside `npm test`, so CI holds every environment to its types: a renderer call
 * with a wrong tracking method or argument type, or a message a handler does not switch on, fails here.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");

for (const project of ["electron", "renderer", "e2e"]) {
  test(`${project}/ type-checks on its own`, () => {
    const result = spawnSync(process.execPath, [tsc, "-p", join(root, project, "tsconfig.json"), "--noEmit"], { cwd: root, encoding: "utf8" });
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  });
}
