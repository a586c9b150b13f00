import { test } from "node:test";
import assert from "node:assert/strict";
import type { Metric } from "../data/types.ts";
import { fakeRun } from "../data/test-runs.ts";
import { defaultChartOptions, type ChartOptions } from "./options.ts";
import { buildChart, chartLayout, extendCursor, fitsView, liveView, viewRanges, withView } from "./traces.ts";

const points = (...values: number[]): Metric[] => values.map((value, step) => ({ key: "loss", value, step, timestamp: step }));
const opts = (patch: Partial<ChartOptions> = {}): ChartOptions => ({ ...defaultChartOptions(), ...patch });
const live = fakeRun("live", { status: "RUNNING" });

function lineChart(values: number[], o = opts()) {
  const built = buildChart([live], null, () => points(...values), o);
  return { built, cursor: built.cursors.get("live")! };
}

test("a live append grows the cursor's own series, never the traces Plotly was given", () => {
  const { built, cursor } = lineChart([4, 3, 2]);
  const grown = extendCursor(cursor, [...points(0, 0, 0, 1.5), { key: "loss", value: 1, step: 4, timestamp: 4 }], opts());
  // Steps already drawn are dropped; the new ones come out in step order.
  assert.deepEqual(grown, { x: [3, 4], y: [1.5, 1] });
  assert.deepEqual(cursor.x, [0, 1, 2, 3, 4]);
  assert.deepEqual(cursor.y, [4, 3, 2, 1.5, 1]);
  assert.deepEqual(built.traces[0].x, [0, 1, 2]);
});

test("the live view leaves room right of the newest step and around the values", () => {
  const { cursor } = lineChart([4, 3, 2, 1, 0]);
  const view = liveView([cursor], opts())!;
  assert.deepEqual(view.x, [0, 6]);
  assert.deepEqual(view.y, [-0.4, 4.4]);
  assert.ok(fitsView(view, [5, 6], [4.2, -0.3], false));
  assert.equal(fitsView(view, [7], [1], false), false, "past the room on the right");
  assert.equal(fitsView(view, [5], [5], false), false, "above the values");
});

test("the view grows geometrically, so a steady logger moves the axes O(log n) times", () => {
  const { cursor } = lineChart([1, 1]);
  let view = liveView([cursor], opts())!;
  let moves = 0;
  for (let step = 2; step <= 10_000; step++) {
    const { x, y } = extendCursor(cursor, [{ key: "loss", value: 1, step, timestamp: step }], opts());
    if (!fitsView(view, x, y, false)) {
      view = liveView([cursor], opts())!;
      moves++;
    }
  }
  assert.ok(moves > 0 && moves <= 25, `${moves} moves`);
});

test("a log axis ranges over log10 of the positive values and ignores ones it cannot show", () => {
  const { cursor } = lineChart([100, 10, 1, 0], opts({ logY: true }));
  const view = liveView([cursor], opts({ logY: true }))!;
  assert.deepEqual(view.y, [-0.2, 2.2]);
  assert.ok(fitsView(view, [1], [0.7, 0, -1], true));
  assert.equal(fitsView(view, [1], [0.1], true), false);
});

test("with outliers clipped the layout keeps its own y range and only x is live", () => {
  const o = opts({ ignoreOutliers: true });
  const { built, cursor } = lineChart([1, 2, 3, 100], o);
  const view = liveView([cursor], o)!;
  assert.equal(view.y, null);
  assert.ok(fitsView(view, [4], [1e9], false));
  const layout = withView(chartLayout("loss", o, built.yValues, built.mode), view) as Record<string, { range?: number[]; autorange?: boolean }>;
  assert.deepEqual([layout.xaxis.range, layout.xaxis.autorange], [view.x, false]);
  assert.deepEqual(layout.yaxis.range, chartLayout("loss", o, built.yValues, built.mode).yaxis && (chartLayout("loss", o, built.yValues, built.mode).yaxis as { range: number[] }).range);
  assert.equal(layout.yaxis.autorange, undefined);
  assert.deepEqual(viewRanges(view), { xaxis: { range: view.x } });
});

test("without a view the layout asks for autorange, and no data means no view", () => {
  const layout = withView(chartLayout("loss", opts(), [1, 2], "line"), null) as Record<string, { range?: unknown; autorange?: boolean }>;
  assert.deepEqual([layout.xaxis.range, layout.xaxis.autorange, layout.yaxis.range, layout.yaxis.autorange], [undefined, true, undefined, true]);
  const empty = buildChart([live], null, () => [], opts());
  assert.equal(liveView(empty.cursors.values(), opts()), null);
});
