/**
 * `table`: tabular output from an array of objects (columns are the keys, in order of first
 * appearance) or an array of rows (arrays) with optional column names. Cells are made plain data
 * (dates as ISO text, bigints and functions as text) so the output crosses the process boundary.
 */
import type { Output } from "../../protocol.ts";
import { asOutput } from "./output.ts";

/** A table output a cell can return or display. */
export type Table = Extract<Output, { kind: "table" }>;

/** Options of `table`. */
export interface TableOptions {
  /** Column names (for row arrays) or the columns to show, in order (for objects). */
  columns?: string[];
  /** Show at most this many rows (default 10,000; a notebook output is not a database). */
  limit?: number;
}

function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint" || typeof value === "symbol") return value.toString();
  if (typeof value === "function") return `[function ${value.name || "anonymous"}]`;
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** A table of `rows`: objects (columns from keys) or arrays (columns from `opts.columns` or 0..n). */
export function table(rows: Iterable<unknown>, opts: TableOptions = {}): Table {
  const limit = opts.limit ?? 10_000;
  const items: unknown[] = [];
  for (const row of rows) {
    if (items.length >= limit) break;
    items.push(row);
  }
  if (items.every((r) => Array.isArray(r))) {
    const width = Math.max(0, ...items.map((r) => (r as unknown[]).length));
    const columns = opts.columns ?? Array.from({ length: width }, (_, i) => String(i));
    return asOutput({ kind: "table", columns, rows: items.map((r) => columns.map((_, i) => plain((r as unknown[])[i]))) });
  }
  let columns = opts.columns;
  if (!columns) {
    const keys = new Set<string>();
    for (const r of items) if (r && typeof r === "object") for (const k of Object.keys(r)) keys.add(k);
    columns = keys.size > 0 ? [...keys] : ["value"];
  }
  const cols = columns;
  const data = items.map((r) =>
    r && typeof r === "object" && !Array.isArray(r) ? cols.map((c) => plain((r as Record<string, unknown>)[c])) : [plain(r)],
  );
  return asOutput({ kind: "table", columns: cols, rows: data });
}
