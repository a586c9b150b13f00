import { test } from "node:test";
import assert from "node:assert/strict";
import { md } from "./md.ts";
import { table } from "./table.ts";
import { plot } from "./plot.ts";
import { isOutput } from "./output.ts";

test("md works as a tagged template and as a function", () => {
  const loss = 0.25;
  assert.deepEqual(md`# Loss ${loss} for ${{ a: 1 }} at ${"x"}`, { kind: "markdown", markdown: '# Loss 0.25 for {"a":1} at x' });
  assert.deepEqual(md("plain *text*"), { kind: "markdown", markdown: "plain *text*" });
  assert.ok(isOutput(md("x")));
});

test("table takes columns from object keys in order of first appearance", () => {
  const t = table([{ a: 1, b: "x" }, { b: "y", c: new Date(0) }]);
  assert.deepEqual(t.columns, ["a", "b", "c"]);
  assert.deepEqual(t.rows, [
    [1, "x", undefined],
    [undefined, "y", "1970-01-01T00:00:00.000Z"],
  ]);
  assert.ok(isOutput(t));
});

test("table takes row arrays with given or numbered columns, and a limit", () => {
  assert.deepEqual(table([[1, 2], [3]], { columns: ["x", "y"] }), { kind: "table", columns: ["x", "y"], rows: [[1, 2], [3, undefined]] });
  assert.deepEqual(table([[1n, () => 0]]).columns, ["0", "1"]);
  assert.deepEqual(table([[1n, function f() {}]]).rows, [["1", "[function f]"]]);
  assert.equal(table(Array.from({ length: 100 }, (_, i) => ({ i })), { limit: 3 }).rows.length, 3);
});

test("table of primitives has one value column", () => {
  assert.deepEqual(table(new Set([1, 2])), { kind: "table", columns: ["value"], rows: [[1], [2]] });
});

test("plot takes a figure or traces and a layout, and copies it", () => {
  const data = [{ x: [1, 2], y: [3, 4], type: "scatter" }];
  const p = plot(data, { title: "t" });
  data[0].x.push(9);
  assert.deepEqual(p.figure, { data: [{ x: [1, 2], y: [3, 4], type: "scatter" }], layout: { title: "t" } });
  assert.equal(plot({ data: [] }).kind, "plot");
  assert.throws(() => plot({ nope: 1 } as never), /Plotly figure/);
});
