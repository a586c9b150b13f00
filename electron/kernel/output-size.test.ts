import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CellId, CellOutput, KernelEvent, Output } from "../protocol.ts";
import { boundOutput, jsonSize, type SaveOutput } from "./output-size.ts";
import { Kernel } from "./kernel.ts";
import { md } from "./runtime/md.ts";

test("the size estimate matches the JSON's length for plain values", () => {
  const values: unknown[] = [
    "hello",
    12.5,
    -3,
    true,
    null,
    [1, 2, 3],
    { a: 1, b: [true, false], c: { d: "x" } },
    { kind: "table", columns: ["a", "b"], rows: [[1, "x"], [2, null]] },
    [],
    {},
  ];
  for (const v of values) assert.equal(jsonSize(v, Infinity), JSON.stringify(v).length, JSON.stringify(v));
  // Left out of JSON: undefined members and functions count nothing.
  assert.equal(jsonSize({ a: undefined, f: () => 1, b: 2 }, Infinity), JSON.stringify({ b: 2 }).length);
});

test("the size estimate stops counting past its cap", () => {
  const big = Array.from({ length: 1_000_000 }, (_, i) => i);
  const capped = jsonSize(big, 1000);
  assert.ok(capped > 1000 && capped < 2000, String(capped));
  assert.ok(jsonSize("x".repeat(10_000), 100) > 100);
});

/** A saver that records what it was given. */
function recorder() {
  const saved: { kind: string; suffix: string; content: string }[] = [];
  const save: SaveOutput = (kind, suffix, content) => {
    saved.push({ kind, suffix, content });
    return `outputs/c1${suffix}.${kind === "markdown" ? "md" : "json"}`;
  };
  return { saved, save };
}

test("an output within the limit passes unchanged; one over it is saved whole and reported", () => {
  const { saved, save } = recorder();
  const small: Output = { kind: "markdown", markdown: "# hi" };
  assert.equal(boundOutput(small, 1024, save), small);
  const big: Output = { kind: "markdown", markdown: "é".repeat(2000) };
  assert.deepEqual(boundOutput(big, 1024, save), { kind: "too-large", outputKind: "markdown", bytes: 4000, limit: 1024, savedAs: "outputs/c1.md" });
  assert.deepEqual(saved, [{ kind: "markdown", suffix: "", content: "é".repeat(2000) }]);
  const table: Output = { kind: "table", columns: ["i"], rows: Array.from({ length: 500 }, (_, i) => [i]) };
  const notice = boundOutput(table, 1024, save);
  assert.equal(notice.kind, "too-large");
  assert.equal(JSON.parse(saved[1]!.content).rows.length, 500);
  assert.equal(notice.kind === "too-large" && notice.bytes, Buffer.byteLength(JSON.stringify(table)));
  // Without a place to save, the notice still says how big it was.
  assert.deepEqual(boundOutput(big, 1024), { kind: "too-large", outputKind: "markdown", bytes: 4000, limit: 1024 });
});

test("a stack over the limit keeps its small items and reports each large one", () => {
  const { saved, save } = recorder();
  const stack: Output = { kind: "stack", items: [{ kind: "text", text: "ok" }, { kind: "markdown", markdown: "x".repeat(5000) }] };
  assert.deepEqual(boundOutput(stack, 1024, save), {
    kind: "stack",
    items: [{ kind: "text", text: "ok" }, { kind: "too-large", outputKind: "markdown", bytes: 5000, limit: 1024, savedAs: "outputs/c1-1.md" }],
  });
  assert.equal(saved[0]!.suffix, "-1");
});

test("the kernel saves a too-large cell output beside the notebook and shows it once the limit is raised", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-output-"));
  const events: KernelEvent[] = [];
  const notebookPath = join(dir, "nb.ts");
  const kernel = new Kernel({ notebookPath, runtimeModule: { md }, emit: (e) => events.push(e) });
  const cells = [{ id: "big" as CellId, code: 'import { md } from "flowbook";\nmd("x".repeat(5000))', config: {} }];
  const output = () => events.findLast((e): e is CellOutput => e.type === "cell-output")!.output;
  try {
    await kernel.handle({ type: "kernel-init", notebookPath, cells, mode: "autorun", limits: { outputBytes: 4096, consoleLines: 10, consoleBytes: 4096 } });
    await kernel.handle({ type: "execute-cells", cells, requestedAt: Date.now() });
    await kernel.idle();
    assert.deepEqual(output(), { kind: "too-large", outputKind: "markdown", bytes: 5000, limit: 4096, savedAs: "outputs/big.md" });
    assert.equal(readFileSync(join(dir, "__flowbook__", "nb", "outputs", "big.md"), "utf8"), "x".repeat(5000));
    await kernel.handle({ type: "set-output-limits", limits: { outputBytes: 8192 } });
    await kernel.handle({ type: "execute-cells", cells, requestedAt: Date.now() });
    await kernel.idle();
    assert.equal(output()?.kind, "markdown");
  } finally {
    await kernel.handle({ type: "shutdown" });
    rmSync(dir, { recursive: true, force: true });
  }
});
