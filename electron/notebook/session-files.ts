/**
 * Where a notebook's session files live: what its runs produced that is too big to keep in memory
 * or to show, kept on disk beside the notebook so the app can open it on demand. The folder is
 * `__flowbook__/<notebook name without .ts>/` next to the notebook file (git-ignorable):
 *
 * - `console/<cellId>.log` — the whole console of the cell's latest run that printed (rewritten per
 *   run; the app shows only a bounded tail);
 * - `outputs/<cellId>.<ext>` — an output over the notebook's output limit, saved whole instead of
 *   shown (`.md` for markdown, `.txt` for text, `.json` for every other kind: the output as JSON);
 * - `cache/<key>/<hash>.json` — a `persistentCache(key, fn)` result, kept across sessions.
 *
 * Paths handed across processes (`savedAs`) are relative to the session folder, with `/` separators.
 */
import { realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { CellId, Output } from "../protocol.ts";

/** The folder beside notebooks that holds every notebook's session files. */
export const SESSION_ROOT = "__flowbook__";

const CELL_ID = /^[A-Za-z0-9_-]+$/;

/** The session folder of the notebook at `notebookPath` (absolute when the path is). */
export function sessionDir(notebookPath: string): string {
  return join(dirname(notebookPath), SESSION_ROOT, basename(notebookPath).replace(/\.ts$/, ""));
}

/** The console log of `cellId`, relative to the session folder. Throws on an id that is not a cell id. */
export function consoleLogFile(cellId: CellId | string): string {
  return `console/${checkedId(cellId)}.log`;
}

/** Where a too-large output of `cellId` is saved, relative to the session folder (`suffix` tells a stack's items apart). */
export function savedOutputFile(cellId: CellId | string, kind: Output["kind"], suffix = ""): string {
  const ext = kind === "markdown" ? "md" : kind === "text" ? "txt" : "json";
  return `outputs/${checkedId(cellId)}${suffix}.${ext}`;
}

/** Where a `persistentCache` entry is kept, relative to the session folder: `key` is a checked name, `hash` hex. */
export function cacheFile(key: string, hash: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(key) || key.startsWith(".") || !/^[0-9a-f]+$/.test(hash)) throw new Error(`'${key}/${hash}' is not a cache entry name`);
  return `cache/${key}/${hash}.json`;
}

/**
 * The absolute path of `file` (relative to the session folder of `notebookPath`), or undefined
 * when it would leave that folder: an absolute path, `..`, a NUL, or a symbolic link pointing out.
 */
export function resolveSessionFile(notebookPath: string, file: string): string | undefined {
  if (file === "" || file.includes("\0") || isAbsolute(file) || /^[A-Za-z]:/.test(file)) return undefined;
  const dir = resolve(sessionDir(notebookPath));
  const full = resolve(dir, file);
  if (!inside(dir, full)) return undefined;
  // A link inside the folder must not lead out of it either (checked when the file exists).
  try {
    if (!inside(realpathSync(dir), realpathSync(full))) return undefined;
  } catch {
    // Missing: nothing to follow; the caller reports it as not found.
  }
  return full;
}

function inside(dir: string, full: string): boolean {
  const rel = relative(dir, full);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function checkedId(id: string): string {
  if (!CELL_ID.test(id)) throw new Error(`'${id}' is not a cell id`);
  return id;
}
