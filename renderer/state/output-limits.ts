/**
 * The renderer's side of output bounds: what "raise the limit" raises it to, and the host's
 * same-origin URLs for a cell's full log and a saved output. The defaults and how sizes read are
 * shared with the host (`electron/common/output-bounds.ts`).
 */
import { LIMIT_BOUNDS } from "../../electron/common/output-bounds.ts";
import type { CellId } from "../../electron/protocol.ts";

const MB = 1024 * 1024;

/**
 * The limit that would show an output of `bytes`: the next power of two megabytes above it, or
 * undefined when that is over the host's bound (`LIMIT_BOUNDS`; then the output is only opened as a file).
 */
export function raisedLimit(bytes: number): number | undefined {
  let limit = MB;
  while (limit <= bytes) limit *= 2;
  return limit <= LIMIT_BOUNDS.outputBytes.max ? limit : undefined;
}

/** The host's route for a cell's complete console of its last run (a same-origin path). */
export function consoleLogUrl(cell: CellId): string {
  return `/flowbook/console-log?cell=${encodeURIComponent(cell)}`;
}

/** The host's route for an output it saved as a file (`savedAs` of a too-large output); `download` asks to save it. */
export function sessionFileUrl(savedAs: string, download = false): string {
  return `/flowbook/session-file?path=${encodeURIComponent(savedAs)}${download ? "&download=1" : ""}`;
}
