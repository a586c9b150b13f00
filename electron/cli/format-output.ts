/**
 * Cell outputs as plain text, for `flowbook run` and other terminals: markdown and text as they
 * are, tables as aligned columns, plots and widgets as one-line summaries, an output over the limit
 * as the app's notice and where it was saved.
 */
import { join } from "node:path";
import type { Output, WidgetSpec } from "../protocol.ts";
import { tooLargeMessage } from "../common/output-bounds.ts";

const MAX_ROWS = 50;
const MAX_CELL = 40;

function cellText(value: unknown): string {
  const text = typeof value === "string" ? value : value === undefined ? "" : typeof value === "number" ? formatNumber(value) : JSON.stringify(value) ?? String(value);
  const oneLine = text.replace(/\s*\n\s*/g, " ");
  return oneLine.length > MAX_CELL ? oneLine.slice(0, MAX_CELL - 1) + "…" : oneLine;
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
}

/** A table as aligned columns; numbers align right. Long tables are cut, saying how many rows were left out. */
export function formatTable(columns: string[], rows: unknown[][]): string {
  const shown = rows.slice(0, MAX_ROWS);
  const texts = shown.map((r) => columns.map((_, i) => cellText(r[i])));
  const numeric = columns.map((_, i) => shown.length > 0 && shown.every((r) => typeof r[i] === "number" || r[i] == null));
  const widths = columns.map((c, i) => Math.max(c.length, ...texts.map((t) => t[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  const out = [line(columns), widths.map((w) => "─".repeat(w)).join("  "), ...texts.map(line)];
  if (rows.length > shown.length) out.push(`… ${rows.length - shown.length} more rows`);
  return out.join("\n");
}

function widgetText(w: WidgetSpec): string {
  const value = w.kind === "table-select" ? `rows ${JSON.stringify(w.value)}` : JSON.stringify(w.value);
  return `[${w.kind}${w.label ? ` ${w.label}` : ""}: ${value}]`;
}

/** Where `formatOutput` finds files outputs refer to. */
export interface FormatOptions {
  /** The notebook's session folder: a too-large output's `savedAs` is relative to it. */
  sessionDir?: string;
}

/** An output as text. */
export function formatOutput(output: Output, opts: FormatOptions = {}): string {
  switch (output.kind) {
    case "text":
      return output.text;
    case "markdown":
      return output.markdown;
    case "json":
      return JSON.stringify(output.value, null, 2) ?? String(output.value);
    case "table":
      return formatTable(output.columns, output.rows);
    case "plot": {
      const title = output.figure.layout?.title;
      const name = typeof title === "string" ? title : (title as { text?: string } | undefined)?.text;
      return `[plot${name ? ` '${name}'` : ""}: ${output.figure.data.length} trace(s)]`;
    }
    case "widget":
      return widgetText(output.widget);
    case "progress":
      return `[${output.label ? output.label + " " : ""}${output.value}/${output.total}]`;
    case "stack":
      return output.items.map((item) => formatOutput(item, opts)).join("\n");
    case "tracking-view":
      return `[tracking view: ${output.view}]`;
    case "too-large": {
      // `output too large (50.0 MB > 8.0 MB limit); saved to …/__flowbook__/nb/outputs/c1.md`
      const where = output.savedAs ? `saved to ${opts.sessionDir ? join(opts.sessionDir, output.savedAs) : output.savedAs}` : "not saved";
      return `${tooLargeMessage(output.bytes, output.limit)}; ${where}`;
    }
  }
}
