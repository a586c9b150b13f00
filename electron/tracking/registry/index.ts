/**
 * The MLflow model registry, once for both engines (`Registry`, query generators); the tracking
 * store runs it on its own connection. `models:/` URIs are resolved by `../model-uris.ts` over any store.
 */
export { Registry, checkNewVersion } from "./registry.ts";
export { REGISTRY_MIGRATIONS } from "./schema.ts";
export { STAGES, canonicalStage } from "./validation.ts";
