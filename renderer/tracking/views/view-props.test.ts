/** Checking a cell's tracking-view request: its props become a typed spec or the error the cell shows. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseViewSpec, toColumnId } from "./view-props.ts";

test("a runs-table request accepts an experiment name and MLflow-style columns", () => {
  assert.deepEqual(parseViewSpec("runs-table", { experimentName: "mnist", columns: ["metrics.acc", "params:lr"], orderBy: "metrics.acc DESC" }), {
    view: "runs-table",
    source: { experimentName: "mnist" },
    filter: "",
    orderBy: ["metrics.acc DESC"],
    columns: ["metrics:acc", "params:lr"],
  });
  assert.match(String(parseViewSpec("runs-table", { experimentName: "x", columns: ["acc"] })), /columns must look like/);
  assert.match(String(parseViewSpec("runs-table", {})), /experimentName/);
});

test("metric-chart and compare requests are checked, unknown views named", () => {
  assert.deepEqual(parseViewSpec("metric-chart", { runIds: ["a"], keys: "loss", smoothing: 0.5 }), {
    view: "metric-chart", source: { runIds: ["a"] }, keys: ["loss"], xAxis: "step", smoothing: 0.5,
  });
  assert.match(String(parseViewSpec("metric-chart", { runIds: ["a"], keys: [] })), /give keys/);
  assert.match(String(parseViewSpec("metric-chart", { runIds: ["a"], keys: "l", xAxis: "epoch" })), /xAxis/);
  assert.match(String(parseViewSpec("compare", { runIds: ["a"] })), /at least two/);
  assert.match(String(parseViewSpec("nope", {})), /unknown tracking view "nope"/);
  assert.equal(toColumnId("tags.a.b"), "tags:a.b");
});
