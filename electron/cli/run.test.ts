import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** Runs `flowbook run` as a user would, in a child process, with its own tracking store. */
function flowbookRun(notebook: string, extra: string[] = []) {
  const db = join(mkdtempSync(join(tmpdir(), "fb-run-")), "t.db");
  const result = spawnSync(process.execPath, ["bin/flowbook.js", "run", notebook, "--tracking-uri", `sqlite:///${db}`, ...extra], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, MLFLOW_TRACKING_URI: "" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("the intro example runs to the end and prints its outputs", () => {
  const r = flowbookRun("notebooks/intro.ts");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /# /);
  assert.match(r.stdout, /─/, "a table printed as aligned text");
});

test("the tracking example runs to the end", () => {
  const r = flowbookRun("notebooks/tracking_basics.ts");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /─/);
});

test("a failing cell makes the exit code non-zero and is named", () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-run-"));
  const nb = join(dir, "bad.ts");
  writeFileSync(
    nb,
    [
      "// %% [cell id=ok1]",
      "const a = 1;",
      "console.log('before', a);",
      "",
      '// %% [cell id=bad1 name="divide"]',
      'const b = a + 1;\nthrow new Error("no data for " + b);',
      "",
      "// %% [cell id=after]",
      "const c = b * 2;",
      "",
    ].join("\n"),
  );
  const r = flowbookRun(nb);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /before 1/);
  assert.match(r.stderr, /cell 'divide' \(bad1\) failed: Error: no data for 2/);
});

test("a malformed notebook or bad arguments fail with a message", () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-run-"));
  const nb = join(dir, "bad.ts");
  writeFileSync(nb, "// %% [cell]\n");
  const r = flowbookRun(nb);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /bad\.ts:1: cell marker has no id/);
  assert.equal(flowbookRun("x.ts", ["--bogus"]).code, 2);
});

test("an output over the limit prints the notice and is saved beside the notebook; the console prints whole", () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-run-"));
  const nb = join(dir, "big.ts");
  writeFileSync(
    nb,
    [
      "// flowbook: output-limit=2KB console-lines=5",
      "",
      "// %% [cell id=imp]",
      'import { md } from "flowbook";',
      "",
      "// %% [cell id=big]",
      "for (let i = 0; i < 20; i++) console.log('line', i);",
      'md("x".repeat(3000))',
      "",
    ].join("\n"),
  );
  const r = flowbookRun(nb);
  assert.equal(r.code, 0, r.stderr);
  const saved = join(dir, "__flowbook__", "big", "outputs", "big.md");
  assert.ok(r.stdout.includes(`output too large (2.9 KB > 2.0 KB limit); saved to ${saved}`), r.stdout);
  assert.equal(readFileSync(saved, "utf8"), "x".repeat(3000));
  assert.match(r.stdout, /line 0\n[^]*line 19\n/, "a script's console is not cut to the app's tail");
});
