import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CellConsole, CellId, KernelEvent } from "../protocol.ts";
import { ConsoleBatcher, consoleTail } from "./console-capture.ts";
import { Kernel } from "./kernel.ts";

const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `line ${from + i}\n`).join("");

test("a batch's tail keeps its last lines within the line and byte bounds, counting the rest", () => {
  assert.deepEqual(consoleTail("a\nb\nc\n", 2, 100), { text: "b\nc\n", skippedLines: 1 });
  assert.deepEqual(consoleTail("a\nb\nc\n", 3, 100), { text: "a\nb\nc\n", skippedLines: 0 });
  assert.deepEqual(consoleTail("a\nb\nc", 1, 100), { text: "c", skippedLines: 2 });
  assert.deepEqual(consoleTail("\n\n", 1, 100), { text: "\n", skippedLines: 1 });
  assert.deepEqual(consoleTail("", 5, 100), { text: "", skippedLines: 0 });
  // Bytes bound: whole lines that fit, cut at a line start.
  assert.deepEqual(consoleTail("aaaa\nbbbb\ncccc\n", 10, 11), { text: "bbbb\ncccc\n", skippedLines: 1 });
  // A last line longer than the byte bound keeps its end.
  assert.deepEqual(consoleTail("x\n0123456789\n", 10, 4), { text: "789\n", skippedLines: 1 });
  const big = consoleTail(lines(0, 25_000), 10_000, 5 * 1024 * 1024);
  assert.equal(big.skippedLines, 15_000);
  assert.equal(big.text, lines(15_000, 25_000));
});

/** A kernel on a temp notebook whose console is bounded to `consoleLines` lines; events recorded. */
async function floodKernel(consoleLines: number) {
  const dir = mkdtempSync(join(tmpdir(), "fb-console-"));
  const events: KernelEvent[] = [];
  const notebookPath = join(dir, "nb.ts");
  const kernel = new Kernel({ notebookPath, runtimeModule: {}, emit: (e) => events.push(e) });
  await kernel.handle({ type: "kernel-init", notebookPath, cells: [], mode: "autorun", limits: { outputBytes: 8 << 20, consoleLines, consoleBytes: 5 << 20 } });
  const run = async (code: string) => {
    events.length = 0;
    await kernel.handle({ type: "execute-cells", cells: [{ id: "c1" as CellId, code, config: {} }], requestedAt: Date.now() });
    await kernel.idle();
    return events.filter((e): e is CellConsole => e.type === "cell-console");
  };
  const log = join(dir, "__flowbook__", "nb", "console", "c1.log");
  const close = async () => {
    await kernel.handle({ type: "shutdown" });
    rmSync(dir, { recursive: true, force: true });
  };
  return { run, log, close };
}

test("a console flood sends bounded batches whose skipped lines add up, and logs every line", async () => {
  const k = await floodKernel(1000);
  try {
    const sent = await k.run("for (let i = 0; i < 25000; i++) console.log('line', i);");
    assert.ok(sent.length > 0);
    let total = 0;
    for (const e of sent) {
      const shown = e.text.split("\n").length - 1;
      assert.ok(shown <= 1000, `a batch sent ${shown} lines`);
      total += shown + (e.skippedLines ?? 0);
    }
    assert.equal(total, 25_000);
    assert.match(sent.at(-1)!.text, /line 24999\n$/);
    assert.equal(readFileSync(k.log, "utf8"), lines(0, 25_000));
  } finally {
    await k.close();
  }
});

test("each run rewrites the cell's log; a run that prints nothing removes it", async () => {
  const k = await floodKernel(10);
  try {
    await k.run("console.log('first'); console.error('oops');");
    assert.equal(readFileSync(k.log, "utf8"), "first\noops\n");
    const sent = await k.run("console.log('second');");
    assert.deepEqual(sent.map((e) => [e.text, e.skippedLines]), [["second\n", undefined]]);
    assert.equal(readFileSync(k.log, "utf8"), "second\n");
    await k.run("1 + 1;");
    assert.equal(existsSync(k.log), false);
  } finally {
    await k.close();
  }
});

test("during a synchronous flood, writes flush by themselves without waiting for the event loop", () => {
  const events: CellConsole[] = [];
  // floodFlushMs 0: every look at the clock finds the interval passed, as a long flood would.
  const batcher = new ConsoleBatcher((e) => events.push(e as CellConsole), {
    batchMs: 10_000,
    floodFlushMs: 0,
    bounds: () => ({ lines: 5, bytes: 1 << 20 }),
  });
  for (let i = 0; i < 100; i++) batcher.write("c" as CellId, 1, "stdout", `line ${i}\n`);
  assert.ok(events.length > 1, "flushed from inside the loop");
  assert.match(events.at(-1)!.text, /line 95\n$/);
  batcher.end("c" as CellId, 1);
  const shown = events.reduce((n, e) => n + e.text.split("\n").length - 1 + (e.skippedLines ?? 0), 0);
  assert.equal(shown, 100);
  assert.match(events.at(-1)!.text, /line 99\n$/);
  batcher.close();
});

test("`flowbook run`'s unbounded console sends every line and keeps no log", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-console-"));
  const events: KernelEvent[] = [];
  const notebookPath = join(dir, "nb.ts");
  const kernel = new Kernel({ notebookPath, runtimeModule: {}, emit: (e) => events.push(e), boundedConsole: false });
  try {
    await kernel.handle({ type: "kernel-init", notebookPath, cells: [], mode: "autorun", limits: { outputBytes: 8 << 20, consoleLines: 10, consoleBytes: 1024 } });
    await kernel.handle({ type: "execute-cells", cells: [{ id: "c1" as CellId, code: "for (let i = 0; i < 3000; i++) console.log('line', i);", config: {} }], requestedAt: Date.now() });
    await kernel.idle();
    const text = events.flatMap((e) => (e.type === "cell-console" ? [e.text] : [])).join("");
    assert.equal(text, lines(0, 3000));
    assert.equal(existsSync(join(dir, "__flowbook__")), false);
  } finally {
    await kernel.handle({ type: "shutdown" });
    rmSync(dir, { recursive: true, force: true });
  }
});
