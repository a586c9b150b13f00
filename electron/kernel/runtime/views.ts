/**
 * `mlflow.ui.*`: live tracking views a cell can show — the app draws them from the store and keeps
 * them current from its change pushes, so the cell itself never re-runs to refresh them.
 */
import type { Output } from "../../protocol.ts";
import { asOutput } from "./output.ts";

/** A tracking view output. */
export type TrackingViewOutput = Extract<Output, { kind: "tracking-view" }>;

/** Where a view's runs come from: an experiment by name or ids. */
export type ExperimentRef = { experimentName: string } | { experimentIds: string[] };

function view(name: string, props: object): TrackingViewOutput {
  // Cloned so later mutation by the cell cannot change what was shown.
  return asOutput({ kind: "tracking-view", view: name, props: structuredClone(props) as Record<string, unknown> });
}

/** The tracking views cells can embed. */
export const trackingUi = {
  /** A live runs table; `columns` like `"metrics.loss"`, `"params.lr"`, `"tags.team"`. */
  runsTable(props: ExperimentRef & { filter?: string; orderBy?: string[]; columns?: string[] }): TrackingViewOutput {
    return view("runs-table", props);
  },
  /** Live line charts of metric `keys` for the given runs, or for every run of an experiment. */
  metricChart(
    props: ({ runIds: string[] } | ExperimentRef) & { keys: string | string[]; xAxis?: "step" | "time" | "relative"; smoothing?: number },
  ): TrackingViewOutput {
    return view("metric-chart", props);
  },
  /** Params/metrics differences and curves of two or more runs. */
  compare(props: { runIds: string[] }): TrackingViewOutput {
    return view("compare", props);
  },
};
