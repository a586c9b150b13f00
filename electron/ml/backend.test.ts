import { test } from "node:test";
import assert from "node:assert/strict";
import { chooseBackend, loadTf } from "./backend.ts";

test("the native backend is passed over with its reason when tfjs-node is not installed", async () => {
  const rt = await chooseBackend(["tensorflow", "cpu"]);
  if (rt.backend === "tensorflow") return; // a machine with tfjs-node installed keeps it
  assert.equal(rt.backend, "cpu");
  assert.equal(rt.skipped[0]!.name, "tensorflow");
  assert.match(rt.skipped[0]!.error, /tfjs-node|Cannot find/);
});

test("loadTf prefers wasm over cpu and computes correctly on it", async () => {
  const handlers = () => ["uncaughtException", "unhandledRejection"].map((e) => process.listenerCount(e));
  const before = handlers();
  const rt = await loadTf();
  // The wasm module's rethrowing process handlers would crash a kernel on any stray rejection.
  assert.deepEqual(handlers(), before, "loading TF.js leaves the process's error handlers alone");
  assert.ok(["tensorflow", "wasm"].includes(rt.backend), `got ${rt.backend}`);
  const out = rt.tf.tidy(() => rt.tf.matMul(rt.tf.tensor2d([[1, 2]]), rt.tf.tensor2d([[3], [4]])).dataSync());
  assert.deepEqual(Array.from(out), [11]);
  assert.equal(await loadTf(), rt, "the runtime is loaded once per process");
});

test("an unknown backend name fails with every attempt listed", async () => {
  await assert.rejects(chooseBackend(["webgpu" as never]), /no TensorFlow.js backend could start: webgpu/);
});
