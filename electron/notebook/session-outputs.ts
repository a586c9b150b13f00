/**
 * The last output of every cell, kept beside the notebook (never in the `.ts` file) so that opening
 * it shows what it showed last at once, and so an export has something to show without running it:
 * `__flowbook__/<notebook>/last/<cellId>.json`, one file per cell, each written atomically.
 *
 * Sizes stay bounded by the notebook's output limit: an output whose JSON is over it is stored as
 * the `too-large` notice the app shows for it, and a file over the limit is not read back.
 */
import { promises as fs } from "node:fs";
import { dirname, join } from "node:path";
import type { CellId, LastOutput, Output } from "../protocol.ts";
import { writeFileAtomic } from "./file.ts";
import { sessionDir } from "./session-files.ts";

const CELL_ID = /^[A-Za-z0-9_-]+$/;
/** Room for the entry's own fields around an output that is just under the limit. */
const ENVELOPE_BYTES = 64 * 1024;

/** Where cell `id`'s last output lives, relative to the notebook's session folder. */
export function lastOutputFile(id: CellId | string): string {
  if (!CELL_ID.test(id)) throw new Error(`'${id}' is not a cell id`);
  return `last/${id}.json`;
}

/**
 * Keeps `entry` as its cell's last output beside `notebookPath`; an output over `limitBytes` is
 * kept as its size notice. A cell that shows nothing has its file removed.
 */
export async function writeLastOutput(notebookPath: string, entry: LastOutput, limitBytes: number): Promise<void> {
  const file = join(sessionDir(notebookPath), lastOutputFile(entry.id));
  if (entry.output === null && entry.error === undefined) return fs.rm(file, { force: true });
  let text = JSON.stringify(entry);
  const bytes = Buffer.byteLength(text);
  if (bytes > limitBytes + ENVELOPE_BYTES && entry.output !== null) {
    const outputKind = entry.output.kind;
    text = JSON.stringify({ ...entry, output: { kind: "too-large", outputKind, bytes, limit: limitBytes } satisfies Output });
  }
  await fs.mkdir(dirname(file), { recursive: true });
  await writeFileAtomic(file, text);
}

/**
 * The last outputs of cells `ids` beside `notebookPath`, in that order. Cells without one, files
 * over the limit and files that do not read as an entry of that cell are left out (a hand-edited or
 * half-copied folder never stops a notebook from opening).
 */
export async function readLastOutputs(notebookPath: string, ids: readonly CellId[], limitBytes: number): Promise<LastOutput[]> {
  const dir = sessionDir(notebookPath);
  const read = async (id: CellId): Promise<LastOutput | undefined> => {
    if (!CELL_ID.test(id)) return undefined;
    const file = join(dir, lastOutputFile(id));
    try {
      const info = await fs.stat(file);
      if (!info.isFile() || info.size > limitBytes + ENVELOPE_BYTES) return undefined;
      const entry = JSON.parse(await fs.readFile(file, "utf8")) as Partial<LastOutput>;
      if (entry.id !== id || typeof entry.savedAt !== "number" || typeof entry.output !== "object") return undefined;
      return entry as LastOutput;
    } catch {
      return undefined;
    }
  };
  return (await Promise.all(ids.map(read))).filter((e): e is LastOutput => e !== undefined);
}

/**
 * Removes the last outputs of cells the notebook no longer has (`keep` are its cells), so the folder
 * holds at most one output per cell.
 */
export async function pruneLastOutputs(notebookPath: string, keep: readonly CellId[]): Promise<void> {
  const dir = join(sessionDir(notebookPath), "last");
  const wanted = new Set(keep.map((id) => `${id}.json`));
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.endsWith(".json") && !wanted.has(n)).map((n) => fs.rm(join(dir, n), { force: true })));
}
