import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import type { StoreChange } from "../tracking/contract.ts";
import { createChangeCoalescer, latestPerKey } from "./change-coalescer.ts";

const metric = (run: string, step: number): StoreChange => ({
  type: "metrics",
  run_id: run,
  experiment_id: "0",
  metrics: [{ key: "loss", value: step, timestamp: step, step }],
});

const steps = (changes: StoreChange[]) => changes.flatMap((c) => (c.type === "metrics" ? c.metrics.map((m) => m.step) : []));

test("a burst of metrics becomes at most a couple of messages and loses nothing", async () => {
  const out: StoreChange[] = [];
  const c = createChangeCoalescer((x) => out.push(x), 50);
  for (let i = 0; i < 1000; i++) c.push(metric("r1", i));
  await sleep(80);
  assert.ok(out.length <= 2, `${out.length} messages`);
  assert.deepEqual(steps(out), Array.from({ length: 1000 }, (_, i) => i));
  c.dispose();
});

test("runs are throttled independently", async () => {
  const out: StoreChange[] = [];
  const c = createChangeCoalescer((x) => out.push(x), 50);
  c.push(metric("a", 1));
  c.push(metric("b", 1));
  assert.deepEqual(out.map((x) => (x.type === "metrics" ? x.run_id : "")), ["a", "b"]);
  c.dispose();
});

test("a run change flushes that run's pending metrics first", () => {
  const out: StoreChange[] = [];
  const c = createChangeCoalescer((x) => out.push(x), 1000);
  c.push(metric("a", 1));
  c.push(metric("a", 2));
  c.push({ type: "run", run_id: "a", experiment_id: "0" });
  assert.deepEqual(out.map((x) => x.type), ["metrics", "metrics", "run"]);
  assert.deepEqual(steps(out), [1, 2]);
  c.dispose();
});

test("dispose emits what is still pending", () => {
  const out: StoreChange[] = [];
  const c = createChangeCoalescer((x) => out.push(x), 1000);
  c.push(metric("a", 1));
  c.push(metric("a", 2));
  c.dispose();
  assert.deepEqual(steps(out), [1, 2]);
});

test("other changes pass straight through", () => {
  const out: StoreChange[] = [];
  const c = createChangeCoalescer((x) => out.push(x), 1000);
  c.push({ type: "experiment", experiment_id: "1" });
  c.push({ type: "registry", name: "m" });
  assert.equal(out.length, 2);
  c.dispose();
});

test("merging a burst leaves the pushed changes as they were", async () => {
  const out: StoreChange[] = [];
  const c = createChangeCoalescer((x) => out.push(x), 20);
  const pushed = [metric("a", 1), metric("a", 2), metric("a", 3)];
  for (const p of pushed) c.push(p);
  await sleep(40);
  assert.deepEqual(steps(out), [1, 2, 3]);
  assert.deepEqual(steps(pushed), [1, 2, 3]);
  c.dispose();
});

test("latestPerKey keeps the last point of each key and passes other changes as they are", () => {
  const point = (key: string, step: number) => ({ key, value: step, timestamp: step, step });
  const change: StoreChange = {
    type: "metrics",
    run_id: "r",
    experiment_id: "0",
    metrics: [point("loss", 0), point("acc", 0), point("loss", 1), point("acc", 1), point("loss", 2)],
  };
  assert.deepEqual(latestPerKey(change), { ...change, metrics: [point("loss", 2), point("acc", 1)] });
  assert.equal(change.metrics.length, 5, "the original is untouched");
  const run: StoreChange = { type: "run", run_id: "r", experiment_id: "0" };
  assert.equal(latestPerKey(run), run);
});
