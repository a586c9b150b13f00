/** Opens the store a tracking URI names: embedded SQLite for `sqlite:///…`, HTTP for `http(s)://…`. */
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { SqliteStore } from "../store/index.ts";
import { MlflowError, type TrackingStore } from "../types.ts";
import { HttpStore } from "./http-store.ts";

/**
 * The file a `sqlite:` URI names: `sqlite:///rel.db` is relative to the working directory,
 * `sqlite:////abs.db` absolute (SQLAlchemy's convention, which MLflow follows).
 */
export function sqlitePath(uri: string): string {
  const m = /^sqlite:\/\/\/(.+)$/.exec(uri);
  if (!m || m[1] === ":memory:") {
    throw new MlflowError("INVALID_PARAMETER_VALUE", `Invalid SQLite URI '${uri}': expected sqlite:///relative.db or sqlite:////absolute.db`);
  }
  return resolve(m[1]);
}

/**
 * Opens a store for a tracking URI. Embedded stores keep artifacts in `mlartifacts/` beside the
 * database (the same layout `flowbook server` uses for proxied artifacts), unless a root is given.
 */
export async function openStore(trackingUri: string, opts: { defaultArtifactRoot?: string } = {}): Promise<TrackingStore> {
  if (/^https?:\/\//.test(trackingUri)) return new HttpStore(trackingUri);
  if (trackingUri.startsWith("sqlite:")) {
    const path = sqlitePath(trackingUri);
    const defaultArtifactRoot = opts.defaultArtifactRoot ?? pathToFileURL(resolve(dirname(path), "mlartifacts")).href;
    return SqliteStore.open({ path, defaultArtifactRoot });
  }
  throw new MlflowError("INVALID_PARAMETER_VALUE", `Unsupported tracking URI '${trackingUri}': expected sqlite:///path.db or http(s)://host:port`);
}
