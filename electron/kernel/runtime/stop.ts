/**
 * `stop(condition, output?)`, marimo's `mo.stop`: when `condition` is truthy the cell ends here,
 * quietly, showing `output` (or nothing); its descendants are cancelled, not failed.
 */

/**
 * What `stop()` throws; the kernel ends the cell as stopped when it reaches the cell's top. TypeScript
 * has no uncatchable exceptions (marimo's is a BaseException): a `catch` around `stop()` must rethrow it.
 */
export class StopSignal extends Error {
  override name = "StopSignal";
  constructor(readonly output: unknown) {
    super("the cell called stop()");
  }
}

/** Ends the current cell when `condition` is truthy, showing `output` (or nothing); its descendants do not run. */
export function stop(condition: unknown, output?: unknown): void {
  if (condition) throw new StopSignal(output);
}
