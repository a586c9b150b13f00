/** Turns runs into the flat rows `mlflow.search_runs` returns as a pandas DataFrame. */
import type { Run } from "../types.ts";

/** One row: fixed run columns plus `metrics.<k>`, `params.<k>`, `tags.<k>`; a column a run lacks is absent. */
export type RunRow = Record<string, string | number | null>;

/**
 * Flattens runs like MLflow's DataFrame output: `run_id`, `experiment_id`, `status`, `artifact_uri`,
 * `start_time`, `end_time` (ms since the epoch; null while running), then one column per key.
 */
export function runsToRows(runs: Run[]): RunRow[] {
  return runs.map((run) => {
    const row: RunRow = {
      run_id: run.info.run_id,
      experiment_id: run.info.experiment_id,
      status: run.info.status,
      artifact_uri: run.info.artifact_uri,
      start_time: run.info.start_time,
      end_time: run.info.end_time ?? null,
    };
    for (const m of run.data.metrics) row[`metrics.${m.key}`] = m.value;
    for (const p of run.data.params) row[`params.${p.key}`] = p.value;
    for (const t of run.data.tags) row[`tags.${t.key}`] = t.value;
    return row;
  });
}
