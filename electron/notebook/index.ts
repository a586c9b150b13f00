/** The notebook file format (parse/serialize, pure; atomic load/save), its output-limits directive, and where its session files live. */
export {
  DEFAULT_HEADER,
  IMPORT_CELL_CODE,
  NotebookFormatError,
  markerLine,
  newCellId,
  newNotebook,
  parseNotebook,
  serializeNotebook,
  withCells,
} from "./format.ts";
export type { ExtraOptions, Notebook, NotebookCell } from "./format.ts";
export { loadNotebook, saveNotebook } from "./file.ts";
export {
  formatLimitsDirective,
  formatSizeSetting,
  limitProblem,
  limitsProblem,
  parseLimitsDirective,
  parseSize,
  withLimitsDirective,
} from "./output-limits.ts";
export type { LimitsDirective } from "./output-limits.ts";
export { SESSION_ROOT, cacheFile, consoleLogFile, resolveSessionFile, savedOutputFile, sessionDir } from "./session-files.ts";
