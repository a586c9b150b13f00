/**
 * The embedded SQLite tracking store and the migration helper every component with tables uses.
 */
export { migrate } from "./migrate.ts";
export { SqliteStore } from "./sqlite-store.ts";
export type { SqliteStoreOptions } from "./sqlite-store.ts";
export { TRACKING_MIGRATIONS } from "./schema.ts";
