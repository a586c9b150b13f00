/**
 * The MLflow model registry on SQLite and `models:/` / `runs:/` URI handling. The tracking store
 * constructs `SqliteRegistry` on its connection; clients resolve model URIs through any registry.
 */
export { SqliteRegistry } from "./sqlite-registry.ts";
export { REGISTRY_MIGRATIONS } from "./schema.ts";
export { parseModelUri, parseRunsUri, resolveModelVersion } from "./uris.ts";
export type { ModelUri, ModelVersionSource, RunsUri } from "./uris.ts";
export { STAGES, canonicalStage } from "./validation.ts";
