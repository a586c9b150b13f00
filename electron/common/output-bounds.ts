/**
 * Output bounds every side shares, the renderer included (it imports this room's code, not only its
 * types): the default limits, the range a limit must stay in, and the one way a size reads in a
 * message (`output too large (50.0 MB > 8.0 MB limit)`), so the app and `flowbook run` say the same.
 */
import type { OutputLimits } from "../protocol.ts";

const KB = 1024;
const MB = 1024 * KB;

/** The built-in limits: outputs up to 8 MB; the last 10,000 console lines or 5 MB of each cell on screen. */
export const DEFAULT_OUTPUT_LIMITS: Readonly<OutputLimits> = Object.freeze({ outputBytes: 8 * MB, consoleLines: 10_000, consoleBytes: 5 * MB });

/**
 * The range each limit must be in. Outputs stop at 128 MB: past that, a window cannot draw them and
 * a single message may not cross Electron's IPC; such an output is saved as a file instead.
 */
export const LIMIT_BOUNDS: Readonly<Record<keyof OutputLimits, { min: number; max: number }>> = Object.freeze({
  outputBytes: { min: 1 * KB, max: 128 * MB },
  consoleLines: { min: 1, max: 1_000_000 },
  consoleBytes: { min: 1 * KB, max: 64 * MB },
});

/** The built-in defaults overlaid with each given part in turn (later parts win; undefined keys are skipped). */
export function mergeLimits(...parts: (Partial<OutputLimits> | undefined)[]): OutputLimits {
  const out: OutputLimits = { ...DEFAULT_OUTPUT_LIMITS };
  for (const part of parts) {
    for (const key of Object.keys(out) as (keyof OutputLimits)[]) {
      const v = part?.[key];
      if (v !== undefined) out[key] = v;
    }
  }
  return out;
}

/**
 * A byte count for people, the one format every message uses: under 1 KB in bytes (`512 B`), else
 * with one decimal in the largest binary unit that keeps it at least 1 (`1.0 KB`, `50.0 MB`,
 * `8.0 MB`, `1.5 GB`).
 */
export function formatSize(bytes: number): string {
  if (bytes < KB) return `${Math.round(bytes)} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / KB;
  let unit = 0;
  // Rounding may carry into the next unit: 1023.96 KB is "1.0 MB", not "1024.0 KB".
  while (unit < units.length - 1 && Number(value.toFixed(1)) >= 1024) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** The notice shown instead of an output over the limit: `output too large (50.0 MB > 8.0 MB limit)`. */
export function tooLargeMessage(bytes: number, limit: number): string {
  return `output too large (${formatSize(bytes)} > ${formatSize(limit)} limit)`;
}
