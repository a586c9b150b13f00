/** Issue 12 under `flowbook run`: stop() is not a failure; errors and syntax errors point at notebook lines. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));

function runText(text: string) {
  const dir = mkdtempSync(join(tmpdir(), "fb-run12-"));
  const nb = join(dir, "notebook.ts");
  writeFileSync(nb, text);
  const r = spawnSync(process.execPath, ["bin/flowbook.js", "run", nb, "--tracking-uri", `sqlite:///${join(dir, "t.db")}`], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, MLFLOW_TRACKING_URI: "" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const IMPORTS = '// %% [cell id=imp]\nimport { md, stop } from "flowbook";\n\n';

test("stop() ends the cell quietly with its output; descendants do not run; exit 0, the cell listed as stopped", () => {
  const r = runText(`${IMPORTS}// %% [cell id=gate name="gate"]\nstop(true, md\`**no data yet**\`);\nconst data = [1];\n\n// %% [cell id=use]\nconsole.log("ran", data);\n`);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /no data yet/);
  assert.doesNotMatch(r.stdout, /ran/);
  assert.match(r.stderr, /cell 'gate' \(gate\) stopped/);
});

test("a throwing cell prints notebook.ts:LINE:COL and a stack of its own frames only", () => {
  const r = runText(`${IMPORTS}// %% [cell id=bad]\nconst n: number = 1;\nfunction boom(): never {\n  throw new Error("boom");\n}\nboom();\n`);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /notebook\.ts:7:9: cell bad failed: Error: boom/);
  assert.match(r.stderr, /at boom \(notebook\.ts:7:9\)/);
  assert.match(r.stderr, /notebook\.ts:9:\d+/);
  assert.doesNotMatch(r.stderr, /kernel\.ts|AsyncLocalStorage|node:internal/);
});

test("a syntax error in any cell fails at load, naming the cell and line, before any cell runs", () => {
  const r = runText(`${IMPORTS}// %% [cell id=first]\nconsole.log("first ran");\n\n// %% [cell id=broken]\nconst x = 1;\nconst y = ;\n`);
  assert.equal(r.code, 1);
  assert.doesNotMatch(r.stdout, /first ran/);
  assert.match(r.stderr, /notebook\.ts:9:\d+: syntax error in cell broken/);
});

test("a ReferenceError for a runtime name says which import it needs", () => {
  const r = runText('// %% [cell id=a]\nmd`hello`\n');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /md is not defined — add it to the cell that imports from "flowbook": import \{ md \} from "flowbook"/);
});
