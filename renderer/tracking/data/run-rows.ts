/**
 * Pure helpers of the runs source (runs-source.ts): the filters of its side queries (the missing
 * parents of loaded children, the children of an expanded run) and merging pushed metrics into a
 * loaded run, kept apart so they are tested without a reactive root.
 */
import type { Metric, Run } from "./types.ts";
import { TAG } from "./types.ts";

/** Run ids that can be quoted in a filter as they are (MLflow's and Flowbook's ids always can). */
const QUOTABLE_ID = /^[\w-]+$/;

/** `filter` narrowed by one more clause; MLflow's grammar joins clauses with AND only, so this composes. */
function andFilter(filter: string, clause: string): string {
  return filter.trim() ? `${filter.trim()} and ${clause}` : clause;
}

/** The table's filter restricted to the given runs; null when no id can be quoted. */
export function runsFilter(filter: string, runIds: readonly string[]): string | null {
  const ids = runIds.filter((id) => QUOTABLE_ID.test(id));
  return ids.length ? andFilter(filter, `attributes.run_id IN (${ids.map((id) => `'${id}'`).join(", ")})`) : null;
}

/** The table's filter restricted to the children of `parentId`; null when the id cannot be quoted. */
export function childrenFilter(filter: string, parentId: string): string | null {
  return QUOTABLE_ID.test(parentId) ? andFilter(filter, `tags.\`${TAG.parent}\` = '${parentId}'`) : null;
}

/**
 * `run` with pushed metric points merged into its latest values (a point replaces the latest of
 * its key when its step is later, or the same step at a later or equal time, as the store decides);
 * the same object when nothing changed, so unchanged rows are not re-rendered.
 */
export function mergeLatest(run: Run, points: readonly Metric[]): Run {
  let latest = run.data.metrics;
  for (const m of points) {
    const j = latest.findIndex((x) => x.key === m.key);
    const cur = latest[j];
    if (cur && (m.step < cur.step || (m.step === cur.step && m.timestamp < cur.timestamp))) continue;
    if (latest === run.data.metrics) latest = [...latest];
    const point = { key: m.key, value: m.value, step: m.step, timestamp: m.timestamp };
    if (j < 0) latest.push(point);
    else latest[j] = point;
  }
  return latest === run.data.metrics ? run : { ...run, data: { ...run.data, metrics: latest } };
}
