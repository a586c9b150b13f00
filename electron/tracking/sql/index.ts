/**
 * SQLite plumbing the run store and the model registry share on one connection: versioned
 * migrations, a prepared-statement cache, MLflow's LIKE as GLOB. It sits below both, so the store
 * (which builds the registry on its connection) and the registry never import each other's helpers.
 */
export { migrate } from "./migrate.ts";
export type { MigrationStep } from "./migrate.ts";
export { StatementCache } from "./statement-cache.ts";
export { likeToGlob } from "./like-glob.ts";
