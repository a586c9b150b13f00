/**
 * The one rule for which store a folder's notebooks use when no URI is given: the app (`flowbook
 * start` opens `notebooks/`, `flowbook edit` a notebook's folder) and the commands started beside
 * it (`flowbook server`, `models serve`, `run`) must read and write the same database.
 */
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

/** The notebook folder `flowbook start` opens from a folder; the store of a folder holding one lives there. */
export const NOTEBOOK_FOLDER = "notebooks";

/**
 * The folder holding the store for `dir`: its `notebooks/` subfolder when it has one (so a command
 * started in a project folder uses the store the app writes in `notebooks/`), else `dir` itself.
 */
export function storeFolder(dir: string): string {
  const nested = resolve(dir, NOTEBOOK_FOLDER);
  return existsSync(nested) && statSync(nested).isDirectory() ? nested : resolve(dir);
}

/** The default tracking URI for `dir`: `sqlite:///<storeFolder(dir)>/flowbook.db`. */
export function defaultStoreUri(dir: string): string {
  return `sqlite:///${join(storeFolder(dir), "flowbook.db")}`;
}
