/** Why a cell failed, in one line: the words `flowbook run` prints and an exported page shows. */
import type { CellError } from "../protocol.ts";

/** Why a cell failed, in one line. */
export function describeError(error: CellError): string {
  switch (error.kind) {
    case "exception":
      return `${error.name}: ${error.message}`;
    case "syntax":
      return `syntax error at line ${error.line}:${error.column}: ${error.message}`;
    case "multiple-definition":
      return `'${error.name}' is defined by more than one cell (${error.cells.join(", ")})`;
    case "cycle":
      return `cells form a cycle (${error.edges.map((e) => `${e.from} → ${e.to} via ${e.names.join(", ")}`).join("; ")})`;
    case "ancestor-failed":
      return `an ancestor cell failed (${error.cell})`;
    case "interrupted":
      return error.restarted ? `interrupted: ${error.restarted}` : "interrupted";
    case "reference":
      if (error.importFrom) {
        return `${error.name} is not defined — add it to the cell that imports from "${error.importFrom}": import { ${error.name} } from "${error.importFrom}"`;
      }
      return `'${error.name}' is not defined${error.expectedCell ? ` (expected from cell ${error.expectedCell})` : ""}`;
    case "invalid":
      return error.message;
  }
}
