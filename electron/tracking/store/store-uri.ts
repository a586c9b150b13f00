/**
 * The one check of a store URI a process that owns its database may open, for every place one is
 * given: the CLI's `--tracking-uri`/`--backend-store-uri` and the app's "Tracking store" setting.
 * Pure (no driver loaded), so the CLI checks its flags without loading better-sqlite3 or pg.
 */
import { isHttpUri, sqlitePath } from "../client/store-uri.ts";
import { isPostgresUri } from "../pg/uri.ts";
import { MlflowError } from "../types.ts";

/**
 * Why `uri`, given as `name`, is not a store URI, or undefined when it is: SQLite
 * (`sqlite:///relative.db`, `sqlite:////absolute.db`), PostgreSQL
 * (`postgresql://user:password@host:port/db`, or with a SQLAlchemy driver `postgresql+psycopg2://…`;
 * the store checks the rest when it connects) and, when `http`, another tracking server.
 */
export function storeUriProblem(name: string, uri: string, opts: { http: boolean }): string | undefined {
  if (isPostgresUri(uri) || (opts.http && isHttpUri(uri))) return undefined;
  if (!uri.startsWith("sqlite:")) {
    const expected = `sqlite:///relative.db, sqlite:////absolute.db${opts.http ? ", " : " or "}postgresql://user:password@host:port/db${opts.http ? " or http(s)://host:port" : ""}`;
    return `unsupported ${name} '${uri}': expected ${expected}`;
  }
  try {
    sqlitePath(uri);
    return undefined;
  } catch (error) {
    if (error instanceof MlflowError) return error.message;
    throw error;
  }
}
