/**
 * The tracking client: MLflow's fluent API and `MlflowClient` in camelCase, over any MLflow REST
 * server (`http(s)://…`) or a store the caller passes (the host's SQLite store, the notebook
 * kernel's proxy to the host). It never loads the database: `tracking/store/` (`openStore`) does, for the
 * host and the CLI.
 */
export { createMlflow } from "./fluent.ts";
export { parseModelUri, parseRunsUri, resolveModelVersion } from "../model-uris.ts";
export type { Mlflow, MetricOptions, SearchRunsOptions, StartRunOptions } from "./fluent.ts";
export { MlflowClient } from "./mlflow-client.ts";
export type { RegistrySearchOptions } from "./mlflow-client.ts";
export { HttpStore } from "./http-store.ts";
export { isHttpUri, openHttpStore, sqlitePath } from "./store-uri.ts";
export type { OpenedStore, StoreOpener } from "./store-uri.ts";
export { runsToRows } from "./search-rows.ts";
export type { RunRow } from "./search-rows.ts";
export { MAX_PARAMS_TAGS_PER_BATCH, MAX_PARAM_VAL_LENGTH, MAX_TAG_VAL_LENGTH } from "../limits.ts";
export { storeTransport, writeArtifact } from "./artifacts.ts";
