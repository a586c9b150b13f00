/** Issue 12: an interrupt a cell cannot swallow, `stop()`, and errors that point at the user's code. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { CellId } from "../protocol.ts";
import { TestKernel, sleep } from "./test-harness.ts";

const SWALLOW = "while (n < 2_000_000) { n++; try { await new Promise((r) => setTimeout(r, 10)); } catch {} }";

describe("an interrupt cannot be swallowed", () => {
  test("a loop catching its aborted awaits ends interrupted at once and stays parked", async () => {
    const k = new TestKernel("autorun");
    // Bounded so today's spin ends and fails the test instead of starving the test runner.
    await k.init({ a: `import { probe } from "flowbook";\nlet n = 0;\n${SWALLOW}\nprobe.push("spun " + n);`, b: "1 + 1" });
    const running = k.run(["a"]);
    await sleep(50);
    const heap = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    await k.kernel.handle({ type: "interrupt" });
    await running;
    assert.equal(k.error("a")?.kind, "interrupted");
    await sleep(100); // timers fire: the event loop turns
    assert.ok(performance.now() - t0 < 1000);
    assert.deepEqual(k.probe, [], "the loop never got past its swallowed interrupt");
    assert.ok(process.memoryUsage().heapUsed - heap < 50 * 2 ** 20, "memory stays flat");
    const idle = k.events.findIndex((e) => e.type === "cell-status" && e.id === "a" && e.status === "idle");
    const interrupted = k.events.findIndex((e) => e.type === "interrupted");
    assert.ok(idle >= 0 && interrupted > idle, "interrupted is reported after the cell ended");
    await k.run(["b"]);
    assert.equal(k.value("b"), 2, "the kernel answers its next command");
  });

  test("an await pending at the interrupt still rejects, so the cell's finally runs", async () => {
    const k = new TestKernel("autorun");
    await k.init({ a: 'import { probe } from "flowbook";\ntry { await new Promise((r) => setTimeout(r, 10_000)); } finally { probe.push("cleaned"); }' });
    const running = k.run(["a"]);
    await sleep(20);
    await k.kernel.handle({ type: "interrupt" });
    await running;
    assert.deepEqual(k.probe, ["cleaned"]);
    assert.equal(k.error("a")?.kind, "interrupted");
  });
});

describe("stop(condition, output?)", () => {
  test("a truthy condition ends the cell quietly with its output; descendants are cancelled, not failed", async () => {
    const k = new TestKernel("autorun");
    await k.init({
      a: 'import { stop } from "flowbook";\nconst ready = false;',
      b: 'stop(!ready, "not ready yet");\nconst x = 1;\nconsole.log("after stop");',
      c: "x + 1",
      d: "x + 2",
    });
    await k.runAll();
    assert.equal(k.error("b"), undefined);
    assert.deepEqual(k.output("b"), { kind: "text", text: "not ready yet" });
    assert.equal(k.consoleText("b"), "");
    for (const id of ["c", "d"]) {
      assert.equal(k.runs(id), 0);
      assert.equal(k.error(id), undefined);
      assert.equal(k.output(id), null);
      const out = k.events.findLast((e) => e.type === "cell-output" && e.id === id);
      assert.deepEqual(out?.type === "cell-output" && out.stopped, { cell: "b" });
    }
    const bOut = k.events.findLast((e) => e.type === "cell-output" && e.id === "b");
    assert.deepEqual(bOut?.type === "cell-output" && bOut.stopped, { cell: "b" });
    k.clear();
    await k.run({ a: 'import { stop } from "flowbook";\nconst ready = true;' });
    assert.equal(k.value("c"), 2);
    assert.equal(k.value("d"), 3);
  });

  test("a falsy condition changes nothing; stop() without output shows nothing", async () => {
    const k = new TestKernel("autorun");
    await k.init({ a: 'import { stop } from "flowbook";\nstop(0);\n5', b: "stop(true);\nconst y = 1;" });
    await k.runAll();
    assert.equal(k.value("a"), 5);
    assert.equal(k.output("b"), null);
    assert.equal(k.error("b"), undefined);
  });
});

describe("errors point at the user's code", () => {
  test("an exception names the cell's line and column, and its stack has no kernel frames", async () => {
    const k = new TestKernel("autorun");
    await k.init({ a: 'const a: number = 1;\nfunction boom(n: number): never {\n  throw new Error("boom " + n);\n}\nboom(a);' });
    await k.runAll();
    const err = k.error("a");
    assert.equal(err?.kind, "exception");
    if (err?.kind !== "exception") return;
    assert.equal(err.line, 3);
    assert.equal(err.column, 9, "V8 points at `new Error`");
    const frames = err.stack!.split("\n").filter((l) => /^\s+at /.test(l));
    assert.match(frames[0]!, /flowbook-cell:a:3:9\b/);
    assert.match(frames[1]!, /flowbook-cell:a:5:\d+/);
    assert.ok(!/kernel\.ts|AsyncLocalStorage|node:/.test(err.stack!), err.stack);
  });

  test("a ReferenceError for a runtime name says which import it needs", async () => {
    const k = new TestKernel("autorun");
    await k.init({ a: "ui.slider({ min: 0, max: 1 })", b: "notAThing + 1" });
    await k.runAll();
    assert.deepEqual(k.error("a"), { kind: "reference", name: "ui", importFrom: "flowbook" });
    assert.deepEqual(k.error("b"), { kind: "reference", name: "notAThing" });
  });
});

void (null as unknown as CellId);
