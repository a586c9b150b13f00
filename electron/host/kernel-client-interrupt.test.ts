/**
 * Issue 12: Stop cannot be swallowed by a cell, in the real kernel process. A Stop that only the
 * kill-and-restart fallback could end shows as a restart; how fast Stop is belongs to
 * `npm run bench -- kernel` (the interrupt rows, ≤ 1 s), not to these tests.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CellId, CellSource, KernelEvent } from "../protocol.ts";
import { KernelClient } from "./kernel-client.ts";
import { recorder } from "./test-kernel-events.ts";

const cell = (id: string, code: string, name?: string): CellSource => ({ id: id as CellId, code, config: name ? { name } : {} });


test("Stop ends a loop that swallows its interrupted awaits in place: interrupted, no restart, the kernel answers again", async () => {
  const client = new KernelClient({ interruptGraceMs: 2000 });
  const rec = recorder(client);
  try {
    const loop = cell("loop", "while (true) { try { await new Promise((r) => setTimeout(r, 10)); } catch {} }");
    const after = cell("after", "40 + 2");
    client.send({ type: "kernel-init", notebookPath: "/tmp/swallow.ts", cells: [loop, after], mode: "autorun" });
    await rec.next((e) => e.type === "kernel-ready");
    client.send({ type: "execute-cells", cells: [loop], requestedAt: Date.now() });
    await rec.next((e) => e.type === "cell-status" && e.id === "loop" && e.status === "running");
    await new Promise((r) => setTimeout(r, 100));
    const start = Date.now();
    client.interrupt();
    const out = await rec.next((e) => e.type === "cell-output" && e.id === "loop" && e.error !== undefined, 10_000);
    assert.deepEqual(out.type === "cell-output" && out.error, { kind: "interrupted" });
    await rec.next((e) => e.type === "interrupted", 10_000);
    client.send({ type: "execute-cells", cells: [after], requestedAt: Date.now() });
    const answer = await rec.next((e) => e.type === "cell-output" && e.id === "after", 10_000);
    assert.deepEqual(answer.type === "cell-output" && answer.output, { kind: "json", value: 42 });
    assert.ok(!rec.events.some((e) => e.event.type === "cell-status" && e.event.status === "stale" && e.at >= start), "no restart");
  } finally {
    await client.dispose();
  }
});

/** Runs `cells`, executes `run` and waits until `running` runs (or `run`'s last cell is idle, for a timer). */
async function started(client: KernelClient, rec: ReturnType<typeof recorder>, cells: CellSource[], run: CellSource[], until: { id: string; status: string }) {
  client.send({ type: "kernel-init", notebookPath: "/tmp/interrupt.ts", cells, mode: "autorun" });
  await rec.next((e) => e.type === "kernel-ready");
  client.send({ type: "execute-cells", cells: run, requestedAt: Date.now() });
  await rec.next((e) => e.type === "cell-status" && e.id === until.id && e.status === until.status);
}

const MODEL = cell("model", "const weights = Array.from({ length: 1_000_000 }, (_, i) => i);\nweights.length;");
const READER = cell("reader", "weights[999_999] + 1");

for (const [name, code] of [
  ["a loop in the cell", "while (true) {}"],
  ["a loop after an await", "await new Promise((r) => setTimeout(r, 10));\nlet n = 0;\nfor (;;) n++;"],
  ["a loop in a function the cell calls, swallowing errors", "function spin() { while (true) { try { JSON.parse('{'); } catch {} } }\nspin();"],
  ["a loop after the cell swallowed the interrupt of its await", "try { await new Promise((r) => setTimeout(r, 10_000)); } catch {}\nwhile (true) {}"],
] as const) {
  test(`Stop ends ${name} in place: interrupted under it, other cells keep their values, nothing stale, no restart`, async () => {
    const client = new KernelClient({ interruptGraceMs: 2000 });
    const rec = recorder(client);
    try {
      const loop = cell("loop", code);
      await started(client, rec, [MODEL, READER, loop], [MODEL, loop], { id: "loop", status: "running" });
      await new Promise((r) => setTimeout(r, 100));
      const start = Date.now();
      client.interrupt();
      const out = await rec.next((e) => e.type === "cell-output" && e.id === "loop" && e.error !== undefined, 10_000);
      assert.deepEqual(out.type === "cell-output" && out.error, { kind: "interrupted" });
      await rec.next((e) => e.type === "interrupted", 10_000);
      const ms = Date.now() - start;
      assert.ok(ms < 1000, `Stop took ${ms} ms`);
      const since = rec.events.filter((e) => e.at >= start).map((e) => e.event);
      assert.ok(!since.some((e) => e.type === "cell-status" && e.status === "stale"), "nothing went stale");
      assert.ok(!since.some((e) => e.type === "cell-output" && e.id !== "loop"), "the other cells' outputs stay");
      client.send({ type: "execute-cells", cells: [READER], requestedAt: Date.now() });
      const answer = await rec.next((e) => e.type === "cell-output" && e.id === "reader" && rec.events.find((r) => r.event === e)!.at > start, 10_000);
      assert.deepEqual(answer.type === "cell-output" && answer.output, { kind: "json", value: 1_000_000 }, "the model's values survived");
      assert.equal(rec.events.filter((e) => e.event.type === "kernel-ready").length, 1, "no restart");
    } finally {
      await client.dispose();
    }
  });
}

test("Stop ends a loop a cell's timer started after the cell ended, and the kernel answers again", async () => {
  const client = new KernelClient({ interruptGraceMs: 2000 });
  const rec = recorder(client);
  try {
    const late = cell("late", "setTimeout(() => { while (true) {} }, 50);\nconst armed = 1;");
    await started(client, rec, [MODEL, READER, late], [MODEL, late], { id: "late", status: "idle" });
    await new Promise((r) => setTimeout(r, 200)); // the timer's loop is spinning now
    const start = Date.now();
    client.interrupt();
    await rec.next((e) => e.type === "interrupted", 10_000);
    client.send({ type: "execute-cells", cells: [READER], requestedAt: Date.now() });
    const answer = await rec.next((e) => e.type === "cell-output" && e.id === "reader" && rec.events.find((r) => r.event === e)!.at > start, 10_000);
    assert.deepEqual(answer.type === "cell-output" && answer.output, { kind: "json", value: 1_000_000 });
    assert.equal(rec.events.filter((e) => e.event.type === "kernel-ready").length, 1, "no restart");
  } finally {
    await client.dispose();
  }
});

test("a cell blocked where no loop of its own runs stays busy until the fallback restarts the kernel, saying why", async () => {
  const client = new KernelClient({ interruptGraceMs: 300 });
  const rec = recorder(client);
  try {
    // Atomics.wait blocks inside V8 with no cell code running: only killing the process ends it.
    const spin = cell("spin", "Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);", "poller");
    const other = cell("other", "const z = 1;");
    client.send({ type: "kernel-init", notebookPath: "/tmp/spin.ts", cells: [spin, other], mode: "autorun" });
    await rec.next((e) => e.type === "kernel-ready");
    client.send({ type: "execute-cells", cells: [spin], requestedAt: Date.now() });
    await rec.next((e) => e.type === "cell-status" && e.id === "spin" && e.status === "running");
    const start = Date.now();
    client.interrupt();
    const stale = await rec.next((e) => e.type === "cell-status" && e.id === "other" && e.status === "stale" && e.reason !== undefined, 2000);
    const reason = "the kernel was restarted to stop cell 'poller' (spin), which did not stop when interrupted; every cell must re-run";
    assert.equal(stale.type === "cell-status" && stale.reason, reason);
    const since = rec.events.filter((e) => e.at >= start).map((e) => e.event);
    assert.ok(!since.some((e) => e.type === "cell-status" && e.id === "spin" && e.status === "idle"), "never shown idle while spinning");
    const out = since.find((e) => e.type === "cell-output" && e.id === "spin");
    assert.deepEqual(out?.type === "cell-output" && out.error, { kind: "interrupted", restarted: reason });
  } finally {
    await client.dispose();
  }
});
