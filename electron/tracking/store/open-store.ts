/**
 * Opens the store a tracking URI names for a process that owns its database (the host and the CLI):
 * embedded SQLite for `sqlite:///…`, PostgreSQL for `postgresql://…` (MLflow's form, a
 * `+driver` suffix allowed), HTTP for `http(s)://…`. The tracking client never imports this, so the
 * kernel process cannot load better-sqlite3 or pg; pg is loaded only when a URI asks for it.
 */
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { openHttpStore, sqlitePath, type OpenedStore } from "../client/store-uri.ts";
import { isPostgresUri, pgConnectionString } from "../pg/uri.ts";
import { SqliteStore } from "./sqlite-store.ts";
import type { TrackingStore } from "../types.ts";

/**
 * Opens a store for a tracking URI. Embedded stores keep artifacts in `mlartifacts/` beside the
 * database (the same layout `flowbook server` uses for proxied artifacts), unless a root is given;
 * a PostgreSQL store has no file to sit beside, so its default is `mlartifacts/` in the working
 * directory, as MLflow's server defaults.
 */
export async function openStore(trackingUri: string, opts: { defaultArtifactRoot?: string } = {}): Promise<TrackingStore> {
  return (await openOwnedStore(trackingUri, opts)).store;
}

/** `openStore` as a client's opener (`createMlflow(uri, openOwnedStore)`): the client closes what it opened. */
export async function openOwnedStore(trackingUri: string, opts: { defaultArtifactRoot?: string } = {}): Promise<OpenedStore> {
  if (isPostgresUri(trackingUri)) {
    const { PgStore } = await import("../pg/index.ts");
    const defaultArtifactRoot = opts.defaultArtifactRoot ?? pathToFileURL(resolve("mlartifacts")).href;
    return { store: await PgStore.open({ connectionString: pgConnectionString(trackingUri), defaultArtifactRoot }), owned: true };
  }
  if (!trackingUri.startsWith("sqlite:")) return openHttpStore(trackingUri);
  const path = sqlitePath(trackingUri);
  const defaultArtifactRoot = opts.defaultArtifactRoot ?? pathToFileURL(resolve(dirname(path), "mlartifacts")).href;
  return { store: await SqliteStore.open({ path, defaultArtifactRoot }), owned: true };
}
