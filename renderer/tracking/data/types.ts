/**
 * The MLflow entities the tracking views read, as the host sends them (defined once in the store's contract),
 * plus the tag keys the views give meaning to.
 */
export type {
  KeyValue,
  RunStatus,
  ViewType,
  Experiment,
  Metric,
  MetricWithRunId,
  RunInfo,
  DatasetInput,
  Run,
  Page,
  Stage,
  ModelVersion,
  RegisteredModel,
} from "../../../electron/tracking/contract.ts";
import type { Run } from "../../../electron/tracking/contract.ts";

/** One entry of an artifact directory listing (MLflow's FileInfo). */
export interface ArtifactFile {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** Tag keys MLflow and Flowbook give meaning to. */
export const TAG = {
  parent: "mlflow.parentRunId",
  note: "mlflow.note.content",
  user: "mlflow.user",
  source: "mlflow.source.name",
  notebook: "flowbook.notebook",
  cellId: "flowbook.cellId",
  codeHash: "flowbook.codeHash",
  /** JSON object of the primitive values the cell read from other cells. */
  upstream: "flowbook.upstream",
} as const;

/** A tag's value, or undefined. */
export function tagOf(run: Run, key: string): string | undefined {
  return run.data.tags.find((t) => t.key === key)?.value;
}
