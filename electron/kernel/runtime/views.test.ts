import { test } from "node:test";
import assert from "node:assert/strict";
import { isOutput, toOutput } from "./output.ts";
import { trackingUi } from "./views.ts";

test("tracking views are outputs the renderer draws, with the props the cell gave", () => {
  const table = trackingUi.runsTable({ experimentName: "sweep", columns: ["metrics.loss"], orderBy: ["metrics.loss ASC"] });
  assert.ok(isOutput(table));
  assert.deepEqual(toOutput(table), {
    kind: "tracking-view",
    view: "runs-table",
    props: { experimentName: "sweep", columns: ["metrics.loss"], orderBy: ["metrics.loss ASC"] },
  });
  assert.equal(trackingUi.metricChart({ runIds: ["a"], keys: "loss" }).view, "metric-chart");
  assert.equal(trackingUi.compare({ runIds: ["a", "b"] }).view, "compare");
});

test("a view keeps the props it was given even if the cell mutates them later", () => {
  const props = { runIds: ["a", "b"] };
  const out = trackingUi.compare(props);
  props.runIds.push("c");
  assert.deepEqual(out.props, { runIds: ["a", "b"] });
});
