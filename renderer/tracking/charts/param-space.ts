/**
 * Params and metrics of several runs as plot dimensions: numeric values stay numbers, anything
 * else becomes a category index with tick labels (so parallel coordinates can show optimizers,
 * activation names, …). Feeds the parallel-coordinates (geometry in charts/parcoords.ts) and scatter charts.
 */
import type { Run } from "../data/types.ts";
import type { Dimension } from "../../charts/parcoords.ts";

function valueOf(run: Run, id: string): string | number | undefined {
  const kind = id.slice(0, id.indexOf(":"));
  const key = id.slice(id.indexOf(":") + 1);
  if (kind === "metrics") return run.data.metrics.find((m) => m.key === key)?.value;
  return run.data.params.find((p) => p.key === key)?.value;
}

/** The dimension for `metrics:<key>` or `params:<key>` over `runs`. */
export function dimension(runs: readonly Run[], id: string): Dimension {
  const raw = runs.map((r) => valueOf(r, id));
  const label = id.replace(/^metrics:/, "").replace(/^params:/, "");
  const numeric = raw.every((v) => v === undefined || typeof v === "number" || (v.trim() !== "" && Number.isFinite(Number(v))));
  if (numeric) return { id, label, values: raw.map((v) => (v === undefined ? NaN : Number(v))) };
  const categories = [...new Set(raw.filter((v): v is string => typeof v === "string"))].sort();
  return { id, label, values: raw.map((v) => (v === undefined ? NaN : categories.indexOf(String(v)))), categories };
}

/** Every param and metric id any of the runs has, params first. */
export function dimensionIds(runs: readonly Run[]): string[] {
  const params = new Set<string>();
  const metrics = new Set<string>();
  for (const r of runs) {
    for (const p of r.data.params) params.add(`params:${p.key}`);
    for (const m of r.data.metrics) metrics.add(`metrics:${m.key}`);
  }
  return [...[...params].sort(), ...[...metrics].sort()];
}
