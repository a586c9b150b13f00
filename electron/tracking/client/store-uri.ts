/**
 * What the tracking client itself opens from a URI: `http(s)://` servers only. A SQLite database
 * has one owner (the app's host, or `flowbook run`/`flowbook server`), which hands the client an
 * opener that knows its database (`tracking/store/` (`openStore`)); any other process, the notebook kernel
 * first of all, must not open a second writer on it, so here a `sqlite:` URI is a clear error.
 */
import { resolve } from "node:path";
import { MlflowError, type TrackingStore } from "../types.ts";
import { HttpStore } from "./http-store.ts";

/** A store a URI names, and whether closing the client that asked for it should close it. */
export interface OpenedStore {
  store: TrackingStore;
  owned: boolean;
}

/** Opens the store a tracking URI names. */
export type StoreOpener = (uri: string) => Promise<OpenedStore>;

/** Whether a tracking URI names an MLflow REST server. */
export function isHttpUri(uri: string): boolean {
  return /^https?:\/\//.test(uri);
}

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

/** The client's own opener: an HTTP store for `http(s)://`, a clear refusal for anything else. */
export async function openHttpStore(uri: string): Promise<OpenedStore> {
  if (isHttpUri(uri)) return { store: new HttpStore(uri), owned: true };
  if (uri.startsWith("sqlite:")) {
    throw new MlflowError(
      "INVALID_PARAMETER_VALUE",
      `Cannot open '${uri}' here: a SQLite store is opened only by the process that owns it. Log to the app's own store ` +
        `(its URI, or no setTrackingUri at all), or serve this file with \`flowbook server --backend-store-uri ${uri}\` and use that server's http:// URL.`,
    );
  }
  throw new MlflowError("INVALID_PARAMETER_VALUE", `Unsupported tracking URI '${uri}': expected sqlite:///path.db or http(s)://host:port`);
}
