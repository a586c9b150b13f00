import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_TRACE_POINTS, downsampleTrace, sampleIndexes } from "./downsample.ts";
import { plot } from "./plot.ts";

const N = 100_000;
const xs = Array.from({ length: N }, (_, i) => i);

test("a long line keeps its first and last points, each bucket's extremes, in order", () => {
  // A flat line with one spike up and one down: both must survive.
  const y = xs.map((i) => (i === 31_337 ? 100 : i === 77_777 ? -100 : 0));
  const out = downsampleTrace({ x: xs, y, type: "scatter", mode: "lines", name: "s" });
  const sx = out.x as number[];
  const sy = out.y as number[];
  assert.ok(sx.length <= MAX_TRACE_POINTS && sx.length > MAX_TRACE_POINTS / 2, String(sx.length));
  assert.equal(sx[0], 0);
  assert.equal(sx.at(-1), N - 1);
  assert.ok(sx.every((v, i) => i === 0 || v > sx[i - 1]!), "x stays in order, no duplicates");
  assert.ok(sx.includes(31_337) && sx.includes(77_777));
  assert.equal(Math.max(...sy), 100);
  assert.equal(Math.min(...sy), -100);
  assert.equal(out.name, "s");
  assert.equal(out.mode, "lines");
});

test("per-point arrays follow the kept points; gaps stay gaps", () => {
  const y: (number | null)[] = xs.map((i) => Math.sin(i / 100));
  y[50_000] = null;
  const text = xs.map((i) => `p${i}`);
  const out = downsampleTrace({ y, text, marker: { color: xs, size: 3 }, customdata: xs });
  const sx = out.x as number[];
  assert.deepEqual(out.text, sx.map((i) => `p${i}`));
  assert.deepEqual((out.marker as { color: number[] }).color, sx);
  assert.equal((out.marker as { size: number }).size, 3);
  assert.deepEqual(out.customdata, sx);
  assert.ok((out.y as unknown[]).includes(null), "the null that breaks the line is kept");
});

test("a y-only trace gets the x its points had, from x0 and dx", () => {
  const out = downsampleTrace({ y: xs.map((i) => i % 7), x0: 10, dx: 0.5 });
  const sx = out.x as number[];
  assert.equal(sx[0], 10);
  assert.equal(sx.at(-1), 10 + (N - 1) * 0.5);
  assert.equal(out.x0, undefined);
  const typed = downsampleTrace({ y: Float64Array.from(xs) });
  assert.ok(Array.isArray(typed.y) && (typed.y as number[]).length <= MAX_TRACE_POINTS);
});

test("traces that cannot be sampled are left whole", () => {
  const y = xs.map((i) => i);
  const cases: Record<string, unknown>[] = [
    { type: "heatmap", z: [y], y },
    { type: "pie", values: y },
    { type: "bar", x: xs, y },
    { x: xs.map(() => Math.random()), y }, // a point cloud: x out of order
    { x: xs.map((i) => `d${i}`), y }, // x not numbers
    { y: y.map(String) },
    { x: xs.slice(1), y }, // lengths differ
    { y: y.slice(0, MAX_TRACE_POINTS) }, // short enough
  ];
  for (const trace of cases) assert.equal(downsampleTrace(trace), trace, JSON.stringify(Object.keys(trace)));
});

test("sample indexes are every point below the limit, else the ends and each bucket's lowest and highest", () => {
  assert.deepEqual(sampleIndexes([3, 1, 2], 10), [0, 1, 2]);
  // One bucket over the inner points 5, 1, 9, 2: its lowest (1) and highest (9).
  assert.deepEqual(sampleIndexes([0, 5, 1, 9, 2, 0], 4), [0, 2, 3, 5]);
});

test("plot samples long lines unless the cell asks for all points", () => {
  const trace = { x: xs, y: xs.map((i) => Math.sin(i)) };
  assert.ok((plot([trace]).figure.data[0]!.x as number[]).length <= MAX_TRACE_POINTS);
  assert.equal((plot([trace], { allPoints: true }).figure.data[0]!.x as number[]).length, N);
  assert.equal((plot({ data: [trace] }, { allPoints: true }).figure.data[0]!.x as number[]).length, N);
  const withLayout = plot([trace], { title: "t" }, { allPoints: true });
  assert.equal((withLayout.figure.data[0]!.x as number[]).length, N);
  assert.deepEqual(withLayout.figure.layout, { title: "t" });
  const mixed = plot([trace], { title: "t", allPoints: true });
  assert.deepEqual(mixed.figure.layout, { title: "t" });
});
