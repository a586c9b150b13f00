/**
 * The rows the shared operations read, as both engines' tables return them (BIGINT as numbers on
 * PostgreSQL). Names follow MLflow's SQL store (run_uuid, latest_metrics, is_nan).
 */

/** A `runs` row. */
export interface RunRow {
  run_uuid: string;
  name: string;
  experiment_id: number;
  user_id: string;
  status: string;
  start_time: number;
  end_time: number | null;
  artifact_uri: string;
  lifecycle_stage: string;
  deleted_time: number | null;
}

/** An `experiments` row. */
export interface ExperimentRow {
  experiment_id: number;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time: number;
  last_update_time: number;
}

/** A `metrics` / `latest_metrics` row (NaN is stored as 0 with `is_nan = 1`). */
export interface MetricRow {
  key: string;
  step: number;
  timestamp: number;
  value: number;
  is_nan: number;
}
