/**
 * Which files the host may read and write for the renderer. A renderer command names a path, and in
 * browser mode anything that can reach the socket could send one, so paths are confined to the
 * notebook directory plus files the user opened explicitly (the command line, a native dialog).
 */
import { promises as fs } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";

/** Largest number of notebooks `list` returns; a huge tree must not stall the host. */
const MAX_LISTED = 1000;
const SKIPPED_DIRS = new Set(["node_modules", "dist", "build", "mlartifacts", "mlruns"]);

/** A notebook file the user can open, with its path relative to the notebook directory for display. */
export interface NotebookEntry {
  path: string;
  name: string;
}

/** The notebook directory and the files explicitly allowed outside it. */
export class NotebookPaths {
  private readonly explicit = new Set<string>();

  constructor(readonly dir: string) {}

  /** Allows one file outside the notebook directory (the user chose it on the command line or in a dialog). */
  allow(path: string): string {
    const full = resolve(this.dir, path);
    this.explicit.add(full);
    return full;
  }

  /**
   * The absolute path for a renderer-supplied `path` (relative ones are taken from the notebook
   * directory), or an error message when it is not a `.ts` file the host may touch.
   */
  resolve(path: string): { path: string } | { error: string } {
    const full = resolve(this.dir, path);
    if (!full.endsWith(".ts") || full.endsWith(".d.ts")) return { error: `'${path}' is not a notebook (.ts) file` };
    if (this.explicit.has(full) || this.inside(full)) return { path: full };
    return { error: `'${path}' is outside the notebook directory ${this.dir}` };
  }

  /** Notebook files under the directory (a few levels deep) and the explicitly opened ones, sorted. */
  async list(): Promise<NotebookEntry[]> {
    const found = new Set<string>();
    const walk = async (dir: string, depth: number): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch {
        return; // an unreadable folder is skipped, not an error for the whole list
      }
      for (const e of entries) {
        if (found.size >= MAX_LISTED || e.name.startsWith(".")) continue;
        const full = join(dir, e.name);
        if (e.isDirectory() && depth > 0 && !SKIPPED_DIRS.has(e.name)) await walk(full, depth - 1);
        else if (e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) found.add(full);
      }
    };
    await walk(this.dir, 2);
    for (const p of this.explicit) found.add(p);
    return [...found].sort().map((path) => ({ path, name: this.inside(path) ? relative(this.dir, path) : path }));
  }

  private inside(full: string): boolean {
    const rel = relative(this.dir, full);
    return rel !== "" && !rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel);
  }
}
