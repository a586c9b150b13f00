// Runs every test file with Node's test runner (Node 20 needs explicit paths, not globs).
// Unit tests sit beside their modules as *.test.ts; browser tests live in e2e/ as *.e2e.ts.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const roots = ["electron", "renderer", "test", "bench", "e2e"];

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.(test|e2e)\.tsx?$/.test(name)) out.push(relative(root, path));
  }
  return out;
}

const only = process.argv.slice(2);
const files = roots
  .flatMap((r) => {
    try {
      return walk(join(root, r), []);
    } catch {
      return [];
    }
  })
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

// One file at a time: the e2e files share one renderer build and the kernel tests spawn processes
// whose interrupt timing a second busy test file would skew.
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", "--test-reporter=spec", ...files], {
  cwd: root,
  stdio: "inherit",
});
process.exit(result.status ?? 1);
