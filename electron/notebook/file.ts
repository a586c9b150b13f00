/**
 * Loading and saving notebook files. Saving is atomic: the new text goes to a temp file in the same
 * directory, is fsynced, renamed over the old file, and the directory is fsynced, so a crash or a
 * failed write leaves either the old file or the new one, never a torn mix or a stray temp file.
 */
import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseNotebook, serializeNotebook, type Notebook } from "./format.ts";

/** Reads and parses a notebook file (never runs it). */
export async function loadNotebook(path: string): Promise<Notebook> {
  return parseNotebook(await fs.readFile(path, "utf8"), path);
}

/** Writes `nb` to `path` atomically (temp file, fsync, rename, fsync of the directory). */
export async function saveNotebook(path: string, nb: Notebook): Promise<void> {
  // Serialize first: a notebook that cannot be written must not touch the disk at all.
  await writeFileAtomic(path, serializeNotebook(nb));
}

/**
 * Writes `text` to `path` atomically, keeping an existing file's mode (the notebook and its session
 * files) unless `mode` is given (a file holding a password is 0600).
 */
export async function writeFileAtomic(path: string, text: string, opts: { mode?: number } = {}): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(4).toString("hex")}.tmp`);
  const mode = opts.mode ?? await fs.stat(path).then(
    (s) => s.mode & 0o777,
    () => 0o644,
  );
  try {
    const handle = await fs.open(temp, "wx", mode);
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, path);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
  await syncDir(dir);
}

/** Makes the rename durable. Some platforms (Windows) cannot open a directory; the rename still happened. */
async function syncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, "r");
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EISDIR" && code !== "EPERM" && code !== "EINVAL") throw err;
  } finally {
    await handle?.close();
  }
}
