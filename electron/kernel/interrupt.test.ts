/**
 * Stop for a loop that never yields (issue 12 item 2), on the kernel's side: a thread counts the Stop
 * in the shared counts, as the kernel process's pipe listener does; the cell's loop sees it. The
 * pipe itself is tested through the real kernel process (host/kernel-client-interrupt.test.ts).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import { interruptCounts } from "./interrupt.ts";
import { TestKernel } from "./test-harness.ts";

/** Counts one Stop from another thread after `ms`, while this thread is busy. */
function stopFromThread(ms: number): Worker {
  const source = `const { workerData } = require("node:worker_threads"); setTimeout(() => Atomics.add(workerData, 0, 1), ${ms});`;
  return new Worker(source, { eval: true, workerData: interruptCounts.counts });
}

test("a loop that sees a Stop ends its cell interrupted in place; the rest of the pass too; values survive", async () => {
  const k = new TestKernel("autorun");
  await k.init({ model: "const weights = [1, 2, 3];", loop: "let n = 0;\nfor (;;) { n++; }", after: "const later = 1;", reader: "weights.length" });
  await k.run(["model"]);
  const worker = stopFromThread(100);
  await k.run(["loop", "after"]);
  await worker.terminate();
  assert.deepEqual(k.error("loop"), { kind: "interrupted" });
  assert.deepEqual(k.error("after"), { kind: "interrupted" }, "the queued cell does not run once Stop is pending");
  assert.ok(interruptCounts.pending);
  // The command the kernel could not read while the loop ran answers the Stop.
  await k.kernel.handle({ type: "interrupt" });
  await k.kernel.idle();
  assert.ok(!interruptCounts.pending);
  await k.run(["reader"]);
  assert.equal(k.value("reader"), 3);
});

test("a Stop ends a loop nested in a function and a try/catch", async () => {
  const k = new TestKernel("autorun");
  await k.init({ a: 'function spin() { while (true) { try { for (const x of [1, 2]) JSON.parse("{" + x); } catch {} } }\nspin();' });
  const worker = stopFromThread(100);
  await k.run(["a"]);
  await worker.terminate();
  assert.deepEqual(k.error("a"), { kind: "interrupted" });
  await k.kernel.handle({ type: "interrupt" });
  await k.kernel.idle();
  assert.ok(!interruptCounts.pending);
});

test("the check inserted into a loop body does not move an error's column", async () => {
  const k = new TestKernel("autorun");
  // The check goes in front of the body, on the line of the throw.
  const code = 'for (const x of [1]) throw new Error("at " + x);';
  await k.init({ loop: code });
  await k.runAll();
  const err = k.error("loop");
  assert.ok(err?.kind === "exception");
  const column = code.indexOf("new Error") + 1; // V8 points at `new`
  assert.equal(err.line, 1);
  assert.equal(err.column, column);
  assert.match(err.stack ?? "", new RegExp(`flowbook-cell:loop:1:${column}\\b`));
});
