/**
 * The notebook's state reads true (issue 13, item 5), at the kernel: one "run stale" leaves nothing
 * stale in lazy mode; work a cell left running (a training it did not await) that Stop ends says so
 * — its progress bar is marked stopped and its `catch` still prints in the cell's console — and an
 * unhandled rejection a cell started reaches that cell's console.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CellId, KernelEvent } from "../protocol.ts";
import { Kernel } from "./kernel.ts";
import { currentCell } from "./runtime/context.ts";
import { progress } from "./runtime/progress.ts";
import { TestKernel } from "./test-harness.ts";

test("lazy mode: one run-stale runs the stale cells and the descendants they would make stale", async () => {
  const k = new TestKernel("lazy");
  await k.init({ a: 'import { ui } from "flowbook";\nconst s = ui.slider({ min: 0, max: 10, value: 3 });\ns', b: "const b = s.value * 2;", c: "const c = b + 1;\nc" });
  await k.runAll();
  assert.equal(k.value("c"), 7);
  // A slider move marks its reader and the reader's descendants stale (marimo's lazy rule, T5).
  await k.setUi("a-0", 5);
  assert.equal(k.status("b"), "stale");
  assert.equal(k.status("c"), "stale");
  await k.send({ type: "run-stale-cells" });
  assert.equal(k.value("c"), 11);
  for (const id of ["a", "b", "c"]) assert.equal(k.status(id), "idle", id);
});

const cells = (code: string) => [
  { id: "imp" as CellId, code: 'import { progress, hold, invalidation } from "flowbook";', config: {} },
  { id: "bg" as CellId, code, config: {} },
];

/** A kernel whose cells can hold background work, as the training callback does. */
async function kernelRunning(code: string): Promise<{ kernel: Kernel; events: KernelEvent[] }> {
  const events: KernelEvent[] = [];
  const runtimeModule = { progress, hold: () => currentCell().holdBackground(), invalidation: () => currentCell().signal };
  const kernel = new Kernel({ notebookPath: "/tmp/readable.ts", runtimeModule, emit: (e) => events.push(e), sessionDir: null, consoleBatchMs: 1 });
  await kernel.handle({ type: "kernel-init", notebookPath: "/tmp/readable.ts", cells: cells(code), mode: "autorun" });
  await kernel.handle({ type: "execute-cells", cells: cells(code), requestedAt: Date.now() });
  await kernel.idle();
  return { kernel, events };
}

const consoleOf = (events: KernelEvent[], id: string) =>
  events.flatMap((e) => (e.type === "cell-console" && e.id === id ? [e.text] : [])).join("");

test("Stop ends background training: its bar says stopped and its catch prints in the cell's console", async () => {
  const { kernel, events } = await kernelRunning(
    [
      "const release = hold();",
      'const bar = progress(10, { label: "training" });',
      "bar.advance(3);",
      'const training = new Promise((_, reject) => invalidation().addEventListener("abort", () => reject(new Error("training stopped"))));',
      'training.catch((e) => console.error("caught:", e.message)).finally(release);',
    ].join("\n"),
  );
  try {
    await kernel.handle({ type: "interrupt" });
    await kernel.idle();
    await new Promise((r) => setTimeout(r, 50));
    const bars = events.flatMap((e) => (e.type === "cell-output" && e.id === "bg" && e.output?.kind === "progress" ? [e.output] : []));
    assert.deepEqual(bars.at(-1), { kind: "progress", label: "training", value: 3, total: 10, stopped: true });
    assert.match(consoleOf(events, "bg"), /caught: training stopped/);
  } finally {
    await kernel.handle({ type: "shutdown" });
  }
});

test("a bar that completes is never marked stopped when its cell re-runs", async () => {
  const { kernel, events } = await kernelRunning('const bar = progress(2, { label: "done" });\nbar.set(2);\nbar.done();');
  try {
    await kernel.handle({ type: "execute-cells", cells: cells('const bar = progress(2, { label: "done" });\nbar.set(2);\nbar.done();'), requestedAt: Date.now() });
    await kernel.idle();
    const stopped = events.filter((e) => e.type === "cell-output" && e.output?.kind === "progress" && e.output.stopped);
    assert.deepEqual(stopped, []);
  } finally {
    await kernel.handle({ type: "shutdown" });
  }
});
