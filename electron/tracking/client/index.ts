/**
 * The tracking client: MLflow's fluent API and `MlflowClient` in camelCase, over the embedded
 * SQLite store (`sqlite:///…`) or any MLflow REST server (`http(s)://…`), or a store the caller
 * passes (the notebook kernel's proxy to the host).
 */
export { createMlflow } from "./fluent.ts";
export { parseModelUri, parseRunsUri, resolveModelVersion } from "../registry/index.ts";
export type { Mlflow, MetricOptions, SearchRunsOptions, StartRunOptions } from "./fluent.ts";
export { MlflowClient } from "./mlflow-client.ts";
export type { RegistrySearchOptions } from "./mlflow-client.ts";
export { HttpStore } from "./http-store.ts";
export { openStore, sqlitePath } from "./open-store.ts";
export { runsToRows } from "./search-rows.ts";
export type { RunRow } from "./search-rows.ts";
export { MAX_METRICS_PER_BATCH } from "./metric-buffer.ts";
export { writeArtifact } from "./artifacts.ts";
