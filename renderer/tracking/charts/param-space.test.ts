import { test } from "node:test";
import assert from "node:assert/strict";
import { dimension, dimensionIds, parcoordsTrace } from "./param-space.ts";
import type { Run } from "../types.ts";
import { fakeRun } from "../test-runs.ts";

function run(params: Record<string, string>, metrics: Record<string, number>): Run {
  return fakeRun("r", { params, metrics });
}

test("numeric params become numbers, others categories with tick labels", () => {
  const runs = [run({ lr: "0.1", opt: "sgd" }, { acc: 0.5 }), run({ lr: "0.01", opt: "adam" }, {}), run({}, { acc: 0.9 })];
  assert.deepEqual(dimension(runs, "params:lr").values.slice(0, 2), [0.1, 0.01]);
  assert.ok(Number.isNaN(dimension(runs, "params:lr").values[2]));
  const opt = dimension(runs, "params:opt");
  assert.deepEqual(opt.categories, ["adam", "sgd"]);
  assert.deepEqual(opt.values.slice(0, 2), [1, 0]);
  assert.deepEqual(dimensionIds(runs), ["params:lr", "params:opt", "metrics:acc"]);
  const trace = parcoordsTrace([opt, dimension(runs, "metrics:acc")]) as { dimensions: { ticktext?: string[] }[] };
  assert.deepEqual(trace.dimensions[0].ticktext, ["adam", "sgd"]);
});
