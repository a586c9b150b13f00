/** The runs table's logic: sort keys, stored columns, run trees and groups, side queries, live merges, artifact previews. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { acceptsOrder, columnText, defaultColumns, DEFAULT_METRIC_COLUMNS, loadColumns, orderByFor, saveColumns, availableColumns } from "./columns.ts";
import { missingParents, tableItems } from "./run-tree.ts";
import { childrenFilter, mergeLatest, runsFilter } from "./run-rows.ts";
import { createTrackingApi } from "./api.ts";
import { frameBatcher } from "./live.ts";
import { parseDelimited, previewKind } from "./artifact-kind.ts";
import type { Run } from "./types.ts";
import { fakeRun } from "./test-runs.ts";

function run(id: string, tags: Record<string, string> = {}, params: Record<string, string> = {}, metrics: Record<string, number> = {}): Run {
  return fakeRun(id, { tags, params, metrics });
}

test("sorting a column maps to MLflow order_by; duration uses Flowbook's extension key", () => {
  assert.equal(orderByFor("attr:start_time", false), "attributes.start_time DESC");
  assert.equal(orderByFor("metrics:val loss", true), "metrics.`val loss` ASC");
  assert.equal(orderByFor("attr:duration", true), "attributes.duration ASC");
});

/** The app's TrackingApi over a server that knows only the `known` order_by keys; counts its calls. */
function serverKnowing(known: string[]) {
  const server = { calls: 0, online: true };
  const api = createTrackingApi({
    send: async (call) => {
      server.calls++;
      if (!server.online) throw new Error("not connected to the host");
      if (call.method !== "searchRuns") throw new Error(`unexpected call ${call.method}`);
      const key = (call.args[0].order_by ?? [])[0].replace(/^attributes\./, "");
      if (!known.includes(key)) throw new Error(`Invalid attribute key '${key}' specified. Valid keys are ['start_time']`);
      return { items: [] };
    },
    serve: async () => ({ url: null }),
    subscribe: () => () => {},
  });
  return { api, server };
}

test("an order_by extension is sortable only where the store accepts it, asked once per store", async () => {
  const flowbook = serverKnowing(["duration"]);
  const mlflow = serverKnowing(["start_time"]);
  assert.equal(await acceptsOrder(flowbook.api, ["1"], "attributes.duration"), true);
  assert.equal(await acceptsOrder(mlflow.api, ["1"], "attributes.duration"), false);
  assert.equal(await acceptsOrder(mlflow.api, ["2"], "attributes.duration"), false);
  assert.equal(mlflow.server.calls, 1);
  // A lost connection is no refusal of the key: the store is asked again next time.
  const reconnecting = serverKnowing(["duration"]);
  reconnecting.server.online = false;
  assert.equal(await acceptsOrder(reconnecting.api, ["1"], "attributes.duration"), false);
  reconnecting.server.online = true;
  assert.equal(await acceptsOrder(reconnecting.api, ["1"], "attributes.duration"), true);
});

test("column choice is remembered per experiment and bad stored data is ignored", () => {
  const mem = new Map<string, string>();
  const storage = { getItem: (k: string) => mem.get(k) ?? null, setItem: (k: string, v: string) => void mem.set(k, v) };
  saveColumns(storage, "1", ["metrics:acc", "params:lr"]);
  assert.deepEqual(loadColumns(storage, "1"), ["metrics:acc", "params:lr"]);
  assert.equal(loadColumns(storage, "2"), undefined);
  mem.set("flowbook.tracking.columns.3", "{nope");
  assert.equal(loadColumns(storage, "3"), undefined);
  saveColumns(storage, "4", []);
  assert.deepEqual(loadColumns(storage, "4"), [], "an emptied choice stays empty");
});

test("an experiment's table starts with its metric columns, epoch-level first", () => {
  assert.deepEqual(defaultColumns({ metrics: ["batch/loss", "loss", "val_acc"] }), ["metrics:loss", "metrics:val_acc", "metrics:batch/loss"]);
  assert.equal(defaultColumns({ metrics: Array.from({ length: 9 }, (_, i) => `m${i}`) }).length, DEFAULT_METRIC_COLUMNS);
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

test("a tree takes the place of its earliest loaded member; a late parent does not move rows", () => {
  const child = run("c", { "mlflow.parentRunId": "p" });
  // Page order: x, c; the parent p was fetched afterwards (it is not in the paged order).
  const items = tableItems([run("x"), child, run("y"), run("p")], { expanded: new Set(["p"]) });
  assert.deepEqual(items.map((i) => (i.kind === "run" ? [i.run.info.run_id, i.depth] : i.value)), [["x", 0], ["p", 0], ["c", 1], ["y", 0]]);
  assert.deepEqual(missingParents([run("x"), child, run("g", { "mlflow.parentRunId": "p" })]), ["p"]);
  assert.deepEqual(missingParents([run("p"), child]), []);
});

test("parent cycles from bad tags are cut, not looped", () => {
  const runs = [run("a", { "mlflow.parentRunId": "b" }), run("b", { "mlflow.parentRunId": "a" })];
  const items = tableItems(runs, { expanded: new Set(["a", "b"]) });
  assert.deepEqual(items.map((i) => (i.kind === "run" ? [i.run.info.run_id, i.depth] : i.value)), [["b", 0], ["a", 1]]);
});

test("side queries narrow the table's filter to given runs or to a parent's children", () => {
  assert.equal(runsFilter("", ["a1", "b2"]), "attributes.run_id IN ('a1', 'b2')");
  assert.equal(runsFilter(" metrics.acc > 0.5 ", ["a1", "it's"]), "metrics.acc > 0.5 and attributes.run_id IN ('a1')");
  assert.equal(runsFilter("", ["it's"]), null);
  assert.equal(childrenFilter("params.lr = '0.1'", "p1"), "params.lr = '0.1' and tags.`mlflow.parentRunId` = 'p1'");
  assert.equal(childrenFilter("", "x'y"), null);
});

test("pushed metrics replace a run's latest values only when newer, and unchanged runs stay the same object", () => {
  const r = run("a", {}, {}, { acc: 0.5 });
  assert.equal(mergeLatest(r, [{ key: "acc", value: 0.1, step: -1, timestamp: 9 }]), r);
  const next = mergeLatest(r, [{ key: "acc", value: 0.7, step: 1, timestamp: 1 }, { key: "loss", value: 2, step: 0, timestamp: 1 }]);
  assert.deepEqual(next.data.metrics.map((m) => [m.key, m.value]), [["acc", 0.7], ["loss", 2]]);
  assert.equal(r.data.metrics[0].value, 0.5);
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
