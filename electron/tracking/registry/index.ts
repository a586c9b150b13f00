/**
 * The MLflow model registry on SQLite. The tracking store constructs `SqliteRegistry` on its
 * connection; `models:/` URIs are resolved by `../model-uris.ts` over any store.
 */
export { SqliteRegistry } from "./sqlite-registry.ts";
export { REGISTRY_MIGRATIONS } from "./schema.ts";
export { STAGES, canonicalStage } from "./validation.ts";
