/**
 * Which rows of a fixed-row-height list are on screen. The runs table renders only these, so
 * 10,000 runs cost as much DOM as a screenful.
 */

/** The slice of rows to render and the spacer heights around it. */
export interface VirtualWindow {
  /** First rendered row index (inclusive). */
  start: number;
  /** Last rendered row index (exclusive). */
  end: number;
  /** Height of the empty space above the first rendered row. */
  padTop: number;
  /** Height of the empty space below the last rendered row. */
  padBottom: number;
}

/**
 * Computes the visible window with `overscan` extra rows each side so fast scrolling does not
 * show blank rows before the next frame renders.
 */
export function virtualWindow(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  rowCount: number,
  overscan = 8,
): VirtualWindow {
  if (rowCount <= 0 || rowHeight <= 0) return { start: 0, end: 0, padTop: 0, padBottom: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.min(Math.max(0, first - overscan), rowCount);
  const end = Math.min(rowCount, first + visible + overscan);
  return { start, end, padTop: start * rowHeight, padBottom: (rowCount - end) * rowHeight };
}
