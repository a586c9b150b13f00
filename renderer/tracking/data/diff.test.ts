/** Comparing runs: param, metric, upstream and code line diffs, and which finished run is the ghost. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { bestFinishedRun, lineDiff, metricDiff, paramDiff, upstreamDiff } from "./diff.ts";
import type { Run, RunStatus } from "./types.ts";
import { fakeRun } from "./test-runs.ts";

function run(id: string, params: Record<string, string>, metrics: Record<string, number>, status: RunStatus = "FINISHED"): Run {
  return fakeRun(id, { params, metrics, status });
}

test("param diff flags keys whose values differ, including keys one run lacks", () => {
  const rows = paramDiff([run("a", { lr: "0.1", bs: "32" }, {}), run("b", { lr: "0.2", bs: "32", opt: "adam" }, {})]);
  assert.deepEqual(rows, [
    { key: "bs", values: ["32", "32"], differs: false },
    { key: "lr", values: ["0.1", "0.2"], differs: true },
    { key: "opt", values: [undefined, "adam"], differs: true },
  ]);
});

test("metric diff formats values compactly", () => {
  const rows = metricDiff([run("a", {}, { acc: 0.123456789 }), run("b", {}, { acc: 0.123456789 })]);
  assert.deepEqual(rows, [{ key: "acc", values: ["0.123457", "0.123457"], differs: false }]);
});

test("upstream diff compares the values cells read, a run without the tag having none", () => {
  const tagged = (id: string, upstream: string) => fakeRun(id, { tags: { "flowbook.upstream": upstream } });
  assert.deepEqual(upstreamDiff([tagged("a", '{"epochs":3,"opt":"adam"}'), tagged("b", '{"epochs":7,"opt":"adam"}'), fakeRun("c")]), [
    { key: "epochs", values: ["3", "7", undefined], differs: true },
    { key: "opt", values: ['"adam"', '"adam"', undefined], differs: true },
  ]);
});

test("line diff keeps common lines and marks removed and added ones", () => {
  assert.deepEqual(lineDiff("a\nb\nc", "a\nx\nc"), [
    { op: "same", text: "a" },
    { op: "del", text: "b" },
    { op: "add", text: "x" },
    { op: "same", text: "c" },
  ]);
  assert.deepEqual(lineDiff("", "y"), [{ op: "del", text: "" }, { op: "add", text: "y" }]);
});

test("the ghost run is the best finished run, lower-is-better for losses", () => {
  const runs = [run("a", {}, { loss: 0.5 }), run("b", {}, { loss: 0.2 }), run("c", {}, { loss: 0.1 }, "RUNNING"), run("d", {}, { acc: 1 })];
  assert.equal(bestFinishedRun(runs, "loss", "c")?.info.run_id, "b");
  assert.equal(bestFinishedRun([run("a", {}, { acc: 0.5 }), run("b", {}, { acc: 0.9 })], "acc", "x")?.info.run_id, "b");
  assert.equal(bestFinishedRun(runs, "f1", "c"), null);
});
