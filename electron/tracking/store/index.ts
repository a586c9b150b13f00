/**
 * The embedded SQLite tracking store (runs, experiments, metrics and the model registry, on one
 * connection); and the opener of `sqlite:`/`postgresql:`/`http(s):` URIs for the processes that own a database.
 */
export { SqliteStore } from "./sqlite-store.ts";
export type { SqliteStoreOptions } from "./sqlite-store.ts";
export { TRACKING_MIGRATIONS } from "./schema.ts";
export { openOwnedStore, openStore } from "./open-store.ts";
export { defaultStoreUri, NOTEBOOK_FOLDER, storeFolder } from "./default-store.ts";
