/** Issue 12: Stop cannot be swallowed by a cell, in the real kernel process. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CellId, CellSource, KernelEvent } from "../protocol.ts";
import { KernelClient } from "./kernel-client.ts";
import { recorder } from "./test-kernel-events.ts";

const cell = (id: string, code: string, name?: string): CellSource => ({ id: id as CellId, code, config: name ? { name } : {} });


test("Stop ends a loop that swallows its interrupted awaits in place: interrupted, no restart, answers within 1 s", async () => {
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
    const out = await rec.next((e) => e.type === "cell-output" && e.id === "loop" && e.error !== undefined, 1000);
    assert.deepEqual(out.type === "cell-output" && out.error, { kind: "interrupted" });
    await rec.next((e) => e.type === "interrupted", 1000);
    client.send({ type: "execute-cells", cells: [after], requestedAt: Date.now() });
    const answer = await rec.next((e) => e.type === "cell-output" && e.id === "after", 1000);
    assert.deepEqual(answer.type === "cell-output" && answer.output, { kind: "json", value: 42 });
    assert.ok(Date.now() - start < 1000, `Stop took ${Date.now() - start} ms`);
    assert.ok(!rec.events.some((e) => e.event.type === "cell-status" && e.event.status === "stale" && e.at >= start), "no restart");
  } finally {
    await client.dispose();
  }
});

test("a cell still spinning after the interrupt stays busy until the fallback restarts the kernel, saying why", async () => {
  const client = new KernelClient({ interruptGraceMs: 300 });
  const rec = recorder(client);
  try {
    // An abortable sleep in a function (no await of it is guarded): from the abort on, the loop spins on promises.
    const code = [
      'import { invalidation } from "flowbook";',
      "async function poll(signal: AbortSignal) {",
      "  const sleep = (ms: number) => new Promise((r, j) => {",
      "    if (signal.aborted) return j(signal.reason);",
      "    const t = setTimeout(r, ms);",
      '    signal.addEventListener("abort", () => (clearTimeout(t), j(signal.reason)), { once: true });',
      "  });",
      "  while (true) { try { await sleep(10); } catch {} }",
      "}",
      "await poll(invalidation());",
    ].join("\n");
    const spin = cell("spin", code, "poller");
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
