/**
 * SQL plumbing the run store and the model registry share: store operations written once as
 * generators of queries (`query.ts`) with the engine differences in a dialect, and for SQLite
 * versioned migrations, a prepared-statement cache, MLflow's LIKE as GLOB. It sits below both, so the store
 * (which builds the registry on its connection) and the registry never import each other's helpers.
 */
export { checkNotNewer, migrate } from "./migrate.ts";
export type { MigrationStep } from "./migrate.ts";
export { StatementCache } from "./statement-cache.ts";
export { likeToGlob } from "./like-glob.ts";
export { all, get, run, runAsync, runSync } from "./query.ts";
export type { Query, SqlDialect, SqlPart, Work } from "./query.ts";
export { SQLITE, SqliteExecutor } from "./sqlite-dialect.ts";
