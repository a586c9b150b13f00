/** `flowbook` as a user runs it: every command prints its help for --help and refuses a bad flag the same way. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/flowbook.js", import.meta.url));

function flowbook(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("without a command, or with an unknown one, the commands are listed", () => {
  assert.equal(flowbook("--help").code, 0);
  assert.match(flowbook("--help").stdout, /^usage: flowbook <command>/);
  const r = flowbook("frobnicate");
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^flowbook: unknown command 'frobnicate'\n\nusage: flowbook <command>/);
});

test("each command prints its usage for --help and names a bad flag above it, exit 2", () => {
  for (const name of [["run"], ["server"], ["models", "serve"], ["edit"], ["start"]]) {
    const spelled = `flowbook ${name.join(" ")}`;
    const help = flowbook(...name, "--help");
    assert.equal(help.code, 0, spelled);
    assert.match(help.stdout, new RegExp(`^usage: ${spelled}`));
    const bad = flowbook(...name, "--bogus");
    assert.equal(bad.code, 2, spelled);
    assert.match(bad.stderr, new RegExp(`^${spelled}: unknown option '--bogus'\n\nusage: ${spelled}`));
  }
});
