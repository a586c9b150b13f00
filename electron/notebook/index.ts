/** The notebook file format (parse/serialize, pure; atomic load/save), its header directive, where its session files live, and its cells' last outputs. */
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
export { loadNotebook, saveNotebook, writeFileAtomic } from "./file.ts";
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
export { lastOutputFile, pruneLastOutputs, readLastOutputs, writeLastOutput } from "./session-outputs.ts";
export { buildNotebookHtml } from "./export-html.ts";
export type { ExportCell, ExportInput } from "./export-html.ts";
