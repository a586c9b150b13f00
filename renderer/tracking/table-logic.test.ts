import { test } from "node:test";
import assert from "node:assert/strict";
import { columnText, loadColumns, orderByFor, saveColumns, availableColumns } from "./columns.ts";
import { tableItems } from "./run-tree.ts";
import { frameBatcher } from "./live.ts";
import { parseDelimited, previewKind } from "./artifact-kind.ts";
import { mergeTail, stepRange, toSeries } from "./chart-math.ts";
import type { Run } from "./types.ts";
import { fakeRun } from "./test-runs.ts";

function run(id: string, tags: Record<string, string> = {}, params: Record<string, string> = {}, metrics: Record<string, number> = {}): Run {
  return fakeRun(id, { tags, params, metrics });
}

test("sorting a column maps to MLflow order_by; derived duration is not sortable", () => {
  assert.equal(orderByFor("attr:start_time", false), "attributes.start_time DESC");
  assert.equal(orderByFor("metrics:val loss", true), "metrics.`val loss` ASC");
  assert.equal(orderByFor("attr:duration", true), null);
});

test("column choice is remembered per experiment and bad stored data is ignored", () => {
  const mem = new Map<string, string>();
  const storage = { getItem: (k: string) => mem.get(k) ?? null, setItem: (k: string, v: string) => void mem.set(k, v) };
  saveColumns(storage, "1", ["metrics:acc", "params:lr"]);
  assert.deepEqual(loadColumns(storage, "1"), ["metrics:acc", "params:lr"]);
  assert.deepEqual(loadColumns(storage, "2"), []);
  mem.set("flowbook.tracking.columns.3", "{nope");
  assert.deepEqual(loadColumns(storage, "3"), []);
});

test("column values and the chooser's key lists come from the runs", () => {
  const r = run("a", { team: "x", "mlflow.user": "u" }, { lr: "0.1" }, { acc: 0.5 });
  assert.equal(columnText(r, "metrics:acc"), "0.5");
  assert.equal(columnText(r, "params:lr"), "0.1");
  assert.equal(columnText(r, "tags:nope"), "");
  assert.deepEqual(availableColumns([r]), { metrics: ["acc"], params: ["lr"], tags: ["team"] });
});

test("nested runs sit under their parent only when it is expanded", () => {
  const runs = [run("p"), run("c1", { "mlflow.parentRunId": "p" }), run("orphan", { "mlflow.parentRunId": "gone" })];
  const closed = tableItems(runs, { expanded: new Set() });
  assert.deepEqual(closed.map((i) => (i.kind === "run" ? [i.run.info.run_id, i.depth, i.childCount] : i.value)), [["p", 0, 1], ["orphan", 0, 0]]);
  const open = tableItems(runs, { expanded: new Set(["p"]) });
  assert.deepEqual(open.map((i) => (i.kind === "run" ? i.run.info.run_id : "")), ["p", "c1", "orphan"]);
});

test("grouped table rows carry min/mean/max per metric column", () => {
  const runs = [run("a", {}, { lr: "1" }, { acc: 1 }), run("b", {}, { lr: "1" }, { acc: 3 }), run("c", {}, { lr: "2" }, { acc: 5 })];
  const items = tableItems(runs, { expanded: new Set(), groupBy: { kind: "param", key: "lr" }, collapsed: new Set(["2"]), metricKeys: ["acc"] });
  assert.equal(items.length, 4);
  assert.deepEqual(items[0], { kind: "group", value: "1", count: 2, aggregates: { acc: { min: 1, mean: 2, max: 3, count: 2 } } });
  assert.equal(items[3].kind, "group");
});

test("store changes within one frame are flushed together", () => {
  const frames: (() => void)[] = [];
  const batches: number[][] = [];
  const b = frameBatcher<number>((items) => batches.push(items), (cb) => frames.push(cb));
  b.push(1);
  b.push(2);
  assert.equal(frames.length, 1);
  frames.shift()!();
  b.push(3);
  b.dispose();
  frames.shift()!();
  assert.deepEqual(batches, [[1, 2]]);
});

test("artifact previews are chosen by name and CSV parses quoted fields", () => {
  assert.equal(previewKind("model/MLmodel"), "text");
  assert.equal(previewKind("plots/a.PNG"), "image");
  assert.equal(previewKind("x.tsv"), "table");
  assert.equal(previewKind("report.html"), "html");
  assert.equal(previewKind("weights.bin"), "none");
  assert.deepEqual(parseDelimited('a,b\n"x, y","say ""hi"""\r\n1,2', ","), [["a", "b"], ["x, y", 'say "hi"'], ["1", "2"]]);
});

test("series honour the x-axis and a live tail survives a resampled reply", () => {
  const pts = [{ key: "m", value: 2, step: 1, timestamp: 3000 }, { key: "m", value: 1, step: 0, timestamp: 1000 }];
  assert.deepEqual(toSeries(pts, "step", 0), { x: [0, 1], y: [1, 2] });
  assert.deepEqual(toSeries(pts, "relative", 0).x, [0, 2]);
  const merged = mergeTail(pts, [{ key: "m", value: 9, step: 1, timestamp: 3000 }, { key: "m", value: 7, step: 5, timestamp: 9000 }]);
  assert.deepEqual(merged.map((p) => p.step), [1, 0, 5]);
  assert.deepEqual(stepRange([2.4, 9.2]), { start_step: 2, end_step: 10 });
});
