/** The notebook file format: parse/serialize (pure) and atomic load/save. */
export {
  DEFAULT_HEADER,
  NotebookFormatError,
  markerLine,
  newCellId,
  parseNotebook,
  serializeNotebook,
  withCells,
} from "./format.ts";
export type { ExtraOptions, Notebook, NotebookCell } from "./format.ts";
export { loadNotebook, saveNotebook } from "./file.ts";
