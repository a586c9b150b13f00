/**
 * Reading a cell's `{kind: "tracking-view", view, props}` request: the props come from user code,
 * so each is checked and turned into a typed spec, or into an error message the cell shows.
 */
import type { ColumnId } from "../data/columns.ts";
import type { XAxis } from "../charts/chart-math.ts";

/** Where a view's runs come from. */
export type RunSource = { experimentName: string } | { experimentIds: string[] } | { runIds: string[] };

/** A validated tracking-view request. */
export type ViewSpec =
  | { view: "runs-table"; source: RunSource; filter: string; orderBy: string[]; columns: ColumnId[] | undefined }
  | { view: "metric-chart"; source: RunSource; keys: string[]; xAxis: XAxis; smoothing: number }
  | { view: "compare"; runIds: string[] };

/** The view names a cell may ask for. */
export const VIEW_NAMES = ["runs-table", "metric-chart", "compare"] as const;

const strings = (v: unknown): string[] | undefined =>
  typeof v === "string" ? [v] : Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined;

function source(p: Record<string, unknown>, allowRuns: boolean): RunSource | string {
  if (allowRuns && strings(p.runIds)) return { runIds: strings(p.runIds)! };
  if (typeof p.experimentName === "string") return { experimentName: p.experimentName };
  if (strings(p.experimentIds)) return { experimentIds: strings(p.experimentIds)! };
  return allowRuns ? "give runIds or experimentName" : "give experimentName or experimentIds";
}

/** `metrics.acc` / `params.lr` / `tags.x` (MLflow style) or `metrics:acc` → a column id. */
export function toColumnId(c: string): ColumnId | null {
  const m = /^(metrics|params|tags)[.:](.+)$/.exec(c);
  return m ? `${m[1]}:${m[2]}` : null;
}

/** Validates a view request; a string result is the error to show. */
export function parseViewSpec(view: string, p: Record<string, unknown>): ViewSpec | string {
  if (view === "runs-table") {
    const src = source(p, false);
    if (typeof src === "string") return `runs-table: ${src}`;
    const cols = strings(p.columns);
    const ids = cols?.map(toColumnId);
    if (ids?.some((c) => c === null)) return `runs-table: columns must look like "metrics.acc", "params.lr" or "tags.team"`;
    return { view, source: src, filter: typeof p.filter === "string" ? p.filter : "", orderBy: strings(p.orderBy) ?? [], columns: ids as ColumnId[] | undefined };
  }
  if (view === "metric-chart") {
    const src = source(p, true);
    if (typeof src === "string") return `metric-chart: ${src}`;
    const keys = strings(p.keys);
    if (!keys?.length) return "metric-chart: give keys (a metric name or a list of them)";
    const xAxis = p.xAxis === undefined ? "step" : p.xAxis;
    if (xAxis !== "step" && xAxis !== "time" && xAxis !== "relative") return 'metric-chart: xAxis is "step", "time" or "relative"';
    const smoothing = p.smoothing === undefined ? 0 : Number(p.smoothing);
    if (!(smoothing >= 0 && smoothing < 1)) return "metric-chart: smoothing is a number from 0 up to (not including) 1";
    return { view, source: src, keys, xAxis, smoothing };
  }
  if (view === "compare") {
    const runIds = strings(p.runIds);
    if (!runIds || runIds.length < 2) return "compare: give runIds with at least two runs";
    return { view, runIds };
  }
  return `unknown tracking view "${view}" (known: ${VIEW_NAMES.join(", ")})`;
}
