/**
 * The tracking store on PostgreSQL (`PgStore`): the same operations as the SQLite store, driven over
 * a node-postgres Pool, with changes from every process on the database through LISTEN/NOTIFY.
 */
export { PgStore } from "./pg-store.ts";
export type { PgStoreOptions } from "./pg-store.ts";
export { isPostgresUri, pgConnectionString } from "./uri.ts";
