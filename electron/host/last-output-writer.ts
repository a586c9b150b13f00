/**
 * Keeps the open notebook's cell outputs beside it as they change (`notebook/session-outputs.ts`),
 * batched: a training cell replacing its chart many times a second costs one write per cell per
 * interval, and a flush (on switching notebooks, on close) writes what is pending at once.
 */
import { writeLastOutput } from "../notebook/index.ts";
import type { LastOutput } from "../protocol.ts";

/** How long a cell's newest output waits before it is written (later outputs in that time replace it). */
export const LAST_OUTPUT_DELAY_MS = 500;

/** Writes cells' last outputs, batched. */
export interface LastOutputWriter {
  /** Keeps `entry` as the last output of its cell of the notebook at `notebookPath`, bounded by `limitBytes`. */
  record(notebookPath: string, entry: LastOutput, limitBytes: number): void;
  /** Writes everything pending now. */
  flush(): Promise<void>;
}

/** A writer whose failures are reported through `log` (a full disk never stops a cell). */
export function createLastOutputWriter(log: (message: string) => void, delayMs = LAST_OUTPUT_DELAY_MS): LastOutputWriter {
  const pending = new Map<string, { path: string; entry: LastOutput; limit: number }>();
  let timer: NodeJS.Timeout | undefined;
  const flush = async () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = [...pending.values()];
    pending.clear();
    await Promise.all(
      batch.map(({ path, entry, limit }) =>
        writeLastOutput(path, entry, limit).catch((err: Error) => log(`could not keep the output of cell ${entry.id}: ${err.message}`)),
      ),
    );
  };
  return {
    record(path, entry, limit) {
      pending.set(`${path}\0${entry.id}`, { path, entry, limit });
      timer ??= setTimeout(() => void flush(), delayMs);
    },
    flush,
  };
}
