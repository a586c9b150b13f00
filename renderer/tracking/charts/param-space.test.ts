import { test } from "node:test";
import assert from "node:assert/strict";
import { dimension, dimensionIds } from "./param-space.ts";
import { brushed, MISSING_COLOR, niceTicks, parcoordsLayout, parcoordsSize, viridis } from "../../charts/parcoords.ts";
import type { Run } from "../data/types.ts";
import { fakeRun } from "../data/test-runs.ts";

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
});

const runs = [
  run({ lr: "0.1", opt: "sgd" }, { loss: 0.5 }),
  run({ lr: "0.3", opt: "adam" }, { loss: 0.2 }),
  run({ lr: "0.2" }, { loss: 0.9 }),
];
const size = parcoordsSize(3);
const layoutOf = (color: string, lower: boolean) =>
  parcoordsLayout(["params:lr", "params:opt", "metrics:loss"].map((id) => dimension(runs, id)), dimension(runs, color), lower, size);

test("parallel coordinates put one axis per dimension and one line per run, scaled min to max", () => {
  const l = layoutOf("metrics:loss", true);
  assert.deepEqual(l.axes.map((a) => a.x), [size.left, (size.left + size.width - size.right) / 2, size.width - size.right]);
  assert.equal(l.lines.length, 3);
  // lr: 0.1 is the bottom, 0.3 the top; categories sit evenly, in order (adam low, sgd high).
  assert.deepEqual(l.lines.map((line) => line.ys[0]), [size.bottom, size.top, (size.top + size.bottom) / 2]);
  assert.deepEqual(l.lines.map((line) => line.ys[1]).slice(0, 2), [size.top, size.bottom]);
  assert.deepEqual(l.axes[1].ticks.map((t) => t.text), ["adam", "sgd"]);
  assert.deepEqual(l.axes[0].ticks.map((t) => t.text), ["0.1", "0.15", "0.2", "0.25", "0.3"]);
  // The third run has no optimizer: its line breaks there, leaving a dot on each side.
  assert.match(l.lines[2].d, /^M\S+ \S+ l0 0 M\S+ \S+ l0 0$/);
  assert.match(l.lines[0].d, /^M\S+ \S+ L\S+ \S+ L\S+ \S+$/);
});

test("lines are coloured by the chosen dimension and the best run is marked by its direction", () => {
  const loss = layoutOf("metrics:loss", true);
  assert.deepEqual(loss.lines.map((l) => l.best), [false, true, false]);
  assert.equal(loss.lines[1].color, viridis(0));
  assert.equal(loss.lines[2].color, viridis(1));
  assert.deepEqual(loss.colorRange, ["0.2", "0.9"]);
  assert.deepEqual(layoutOf("metrics:loss", false).lines.map((l) => l.best), [false, false, true]);
  // A categorical colour has no best; a run without the value is grey.
  const byOpt = layoutOf("params:opt", false);
  assert.deepEqual(byOpt.lines.map((l) => l.best), [false, false, false]);
  assert.equal(byOpt.lines[2].color, MISSING_COLOR);
  assert.deepEqual(byOpt.colorRange, ["adam", "sgd"]);
});

test("brushes keep the lines crossing every brushed range", () => {
  const l = layoutOf("metrics:loss", true);
  assert.deepEqual(brushed(l, {}), [true, true, true]);
  const upperHalf = [size.top, (size.top + size.bottom) / 2] as const;
  assert.deepEqual(brushed(l, { "params:lr": upperHalf }), [false, true, true]);
  // A run lacking a brushed axis's value fails that brush.
  assert.deepEqual(brushed(l, { "params:lr": upperHalf, "params:opt": [size.top, size.bottom] }), [false, true, false]);
});

test("ticks are round numbers inside the range", () => {
  assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(3, 3), [3]);
  assert.deepEqual(niceTicks(0.013, 0.087, 4), [0.02, 0.04, 0.06, 0.08]);
  assert.deepEqual(niceTicks(NaN, 1), []);
});
