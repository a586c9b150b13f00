/**
 * One cell run's full console in a file (`console/<cellId>.log` in the notebook's session folder,
 * see `notebook/session-files.ts`): the app shows only a bounded tail, and this file is what "open the
 * full log" opens. Text is written in batches by the console batcher; the descriptor stays open
 * while the run prints and is closed when the run ends (reopened to append if background work the
 * run started prints later). A file that cannot be written is reported once, never thrown into a cell.
 */
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/** The log of one run; the first write of a run replaces the file of the cell's previous run. */
export class ConsoleLogFile {
  private fd: number | undefined;
  private created = false;
  private failed = false;

  constructor(
    /** The absolute path of the file. */
    readonly path: string,
    /** Hears why the file could not be written (once). */
    private readonly onError: (message: string) => void,
  ) {}

  /** Appends `text` (creating or truncating the file on the run's first write). */
  write(text: string): void {
    if (this.failed || text === "") return;
    try {
      if (this.fd === undefined) {
        if (!this.created) mkdirSync(dirname(this.path), { recursive: true });
        this.fd = openSync(this.path, this.created ? "a" : "w");
        this.created = true;
      }
      writeSync(this.fd, text);
    } catch (err) {
      this.failed = true;
      this.close();
      this.onError(`flowbook: the full console log could not be written to ${this.path}: ${(err as Error).message}\n`);
    }
  }

  /** Closes the descriptor; a later write reopens the file to append. */
  close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // Already closed or gone: nothing left to release.
    }
    this.fd = undefined;
  }
}

/** Removes a cell's log left by an earlier run (the latest run printed nothing). */
export function removeConsoleLog(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // A log that cannot be removed is only stale; the app opens it only after a run that printed.
  }
}
