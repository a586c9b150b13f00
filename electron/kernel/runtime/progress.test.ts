import { test } from "node:test";
import assert from "node:assert/strict";
import type { CellId, KernelEvent, Output } from "../../protocol.ts";
import { Kernel } from "../kernel.ts";
import { progress } from "./progress.ts";

/** Runs one cell (with `progress` imported) and returns the progress outputs it showed. */
async function showProgress(code: string): Promise<Output[]> {
  const events: KernelEvent[] = [];
  const kernel = new Kernel({ notebookPath: "/tmp/progress.ts", runtimeModule: { progress }, emit: (e) => events.push(e) });
  const cells = [
    { id: "imp" as CellId, code: 'import { progress } from "flowbook";', config: {} },
    { id: "bar" as CellId, code, config: {} },
  ];
  await kernel.handle({ type: "kernel-init", notebookPath: "/tmp/progress.ts", cells, mode: "autorun" });
  await kernel.handle({ type: "execute-cells", cells, requestedAt: Date.now() });
  await kernel.idle();
  await kernel.handle({ type: "shutdown" });
  const errors = events.filter((e) => e.type === "cell-output" && e.error);
  assert.deepEqual(errors, []);
  return events.flatMap((e) => (e.type === "cell-output" && e.id === "bar" && e.output?.kind === "progress" ? [e.output] : []));
}

test("iterating shows a bar that ends on the last step, throttled", async () => {
  const shown = await showProgress('let sum = 0;\nfor (const i of progress(Array.from({ length: 1000 }, (_, k) => k), { label: "sum" })) sum += i;');
  assert.ok(shown.length <= 3, `${shown.length} updates for a tight loop`);
  assert.deepEqual(shown.at(-1), { kind: "progress", label: "sum", value: 1000, total: 1000 });
});

test("async iterables and hand-driven bars update too", async () => {
  const shown = await showProgress(
    "async function* gen() { for (let k = 0; k < 3; k++) { await new Promise((r) => setTimeout(r, 60)); yield k; } }\n" +
      'for await (const k of progress(gen(), { total: 3 })) void k;\nconst b = progress(10, { label: "manual" });\nb.advance(4);\nb.set(10);\nb.done();',
  );
  assert.ok(shown.some((o) => o.kind === "progress" && o.label === "" && o.value === 3 && o.total === 3));
  assert.deepEqual(shown.at(-1), { kind: "progress", label: "manual", value: 10, total: 10 });
});
