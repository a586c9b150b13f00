/** The display options a metric chart takes, shared by its controls and the views that host it. */
import type { XAxis } from "./chart-math.ts";
import type { BandOptions, GroupKey } from "../data/aggregate.ts";

/** How metric charts are drawn. */
export interface ChartOptions {
  xAxis: XAxis;
  /** EMA weight 0 (off) … 0.99. */
  smoothing: number;
  logY: boolean;
  ignoreOutliers: boolean;
  /** Aggregate runs into groups by this param or tag (null: one line per run). */
  groupBy: GroupKey | null;
  band: BandOptions;
}

/** The options a fresh chart starts with. */
export function defaultChartOptions(): ChartOptions {
  return { xAxis: "step", smoothing: 0, logY: false, ignoreOutliers: false, groupBy: null, band: { line: "mean", band: "minmax" } };
}
