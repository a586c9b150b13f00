/**
 * The notebook file format: a plain `.ts` file a person can read and diff.
 *
 * ```ts
 * // Anything before the first marker is the header, kept verbatim.
 *
 * // %% [cell id=a1b2c3 name="load data" hidden disabled]
 * const rows = await load();
 *
 * // %% [cell id=d4e5f6]
 * table(rows);
 * ```
 *
 * - A marker is a line starting with `// %%` not followed by another `%`. Its exact form is
 *   `// %% [cell OPTIONS]`; any other line starting that way is an error with its line number.
 * - OPTIONS are space-separated: `id=…` (required, `[A-Za-z0-9_-]+`, unique), `name="…"` (a JSON
 *   string), the flags `hidden` (code hidden) and `disabled`, and unknown options (`key`,
 *   `key=bare` or `key="json"`) which are kept and written back after the known ones.
 * - A cell's code is every line up to the next marker, verbatim, minus the line break ending its
 *   last line and the blank line the writer puts between cells. A code line that itself starts with
 *   `// %%` is written with one more `%` (`// %%%…`) and read back without it, so no code can
 *   forge a marker.
 * - No outputs are stored. Parsing never evaluates code; code that is not valid TypeScript is kept.
 */
import { randomBytes } from "node:crypto";
import type { CellConfig, CellId, CellSource } from "../protocol.ts";

/** An option the format does not know, kept so a round trip does not lose it. */
export type ExtraOptions = Record<string, string | true>;

/** A cell as stored: the protocol's `CellSource` plus options this version does not understand. */
export interface NotebookCell extends CellSource {
  extra?: ExtraOptions;
}

/** A parsed notebook file. */
export interface Notebook {
  /** Text before the first marker (empty, or ends with a line break). */
  header: string;
  cells: NotebookCell[];
}

/** A malformed notebook file; `line` is 1-based. */
export class NotebookFormatError extends Error {
  override name = "NotebookFormatError";
  constructor(
    message: string,
    readonly line: number,
    readonly path?: string,
  ) {
    super(`${path ?? "notebook"}:${line}: ${message}`);
  }
}

const MARKER_START = /^\/\/ %%(?!%)/;
const ESCAPED = /^\/\/ %%%/;
const MARKER = /^\/\/ %% \[cell(?<opts>(?: .*)?)\]\s*$/;
const OPTION = / +(?<key>[A-Za-z_][\w-]*)(?:=(?:(?<str>"(?:[^"\\]|\\.)*")|(?<bare>[^\s"\]]+)))?(?= |$)/y;
const ID = /^[A-Za-z0-9_-]+$/;
const BARE = /^[^\s"\]]+$/;

/** Default header of a new notebook file. */
export const DEFAULT_HEADER =
  "// A Flowbook notebook: plain TypeScript, one cell per `// %% [cell …]` marker.\n" +
  "// Open it with `flowbook edit`, or run it as a script with `flowbook run`.\n\n";

/** The import cell a new notebook starts with, as the example notebooks do (code hidden). */
export const IMPORT_CELL_CODE = 'import { md, ui, plot, table, state, mlflow } from "flowbook";';

/** A new notebook: the default header, the hidden import cell and one empty cell to type in. */
export function newNotebook(): Notebook {
  return {
    header: DEFAULT_HEADER,
    cells: [
      { id: "imports" as CellId, code: IMPORT_CELL_CODE, config: { name: "imports", hideCode: true } },
      { id: newCellId(new Set(["imports"])), code: "", config: {} },
    ],
  };
}

/** Parses notebook text into cells. Never runs code; a malformed marker throws `NotebookFormatError`. */
export function parseNotebook(text: string, path?: string): Notebook {
  const lines = text.split("\n");
  const markers: { line: number; cell: NotebookCell }[] = [];
  const seen = new Set<string>();
  lines.forEach((raw, i) => {
    if (!MARKER_START.test(raw)) return;
    const cell = parseMarker(raw.replace(/\r$/, ""), i + 1, path);
    if (seen.has(cell.id)) throw new NotebookFormatError(`duplicate cell id '${cell.id}'`, i + 1, path);
    seen.add(cell.id);
    markers.push({ line: i, cell });
  });
  if (markers.length === 0) return { header: text, cells: [] };
  const header = lines.slice(0, markers[0].line).map((l) => l + "\n").join("");
  const cells = markers.map(({ line, cell }, k) => {
    const end = k + 1 < markers.length ? markers[k + 1].line : lines.length;
    let body = lines.slice(line + 1, end).join("\n");
    // Drop the break ending the last code line (before the writer's blank line or at end of file).
    if (body.endsWith("\n")) body = body.slice(0, -1);
    cell.code = body
      .split("\n")
      .map((l) => (ESCAPED.test(l) ? "// %%" + l.slice(6) : l))
      .join("\n");
    return cell;
  });
  return { header, cells };
}

function parseMarker(line: string, lineNo: number, path?: string): NotebookCell {
  const match = MARKER.exec(line);
  if (!match) throw new NotebookFormatError(`malformed cell marker; expected '// %% [cell id=… …]', got '${line}'`, lineNo, path);
  const opts = match.groups!.opts.trimEnd();
  const config: CellConfig = {};
  const extra: ExtraOptions = {};
  const given = new Set<string>();
  let id: string | undefined;
  OPTION.lastIndex = 0;
  while (OPTION.lastIndex < opts.length) {
    const start = OPTION.lastIndex;
    const m = OPTION.exec(opts);
    if (!m) {
      throw new NotebookFormatError(`cannot read cell option at '${opts.slice(start).trim()}'`, lineNo, path);
    }
    const { key, str, bare } = m.groups!;
    if (given.has(key)) throw new NotebookFormatError(`option '${key}' given twice`, lineNo, path);
    given.add(key);
    let value: string | true = true;
    if (str !== undefined) {
      try {
        value = JSON.parse(str) as string;
      } catch {
        throw new NotebookFormatError(`bad string for option '${key}': ${str}`, lineNo, path);
      }
    } else if (bare !== undefined) value = bare;
    if (key === "id") {
      if (typeof value !== "string" || !ID.test(value)) throw new NotebookFormatError(`bad cell id '${value}'`, lineNo, path);
      id = value;
    } else if (key === "name") {
      if (typeof value !== "string") throw new NotebookFormatError("option 'name' needs a value", lineNo, path);
      config.name = value;
    } else if (key === "hidden" || key === "disabled") {
      if (value !== true) throw new NotebookFormatError(`option '${key}' is a flag and takes no value`, lineNo, path);
      if (key === "hidden") config.hideCode = true;
      else config.disabled = true;
    } else extra[key] = value;
  }
  if (id === undefined) throw new NotebookFormatError("cell marker has no id", lineNo, path);
  const cell: NotebookCell = { id: id as CellId, code: "", config };
  if (Object.keys(extra).length > 0) cell.extra = extra;
  return cell;
}

function optionText(key: string, value: string | true): string {
  if (value === true) return key;
  return `${key}=${BARE.test(value) ? value : JSON.stringify(value)}`;
}

/** The marker line of a cell (without a line break). */
export function markerLine(cell: NotebookCell): string {
  if (!ID.test(cell.id)) throw new NotebookFormatError(`bad cell id '${cell.id}'`, 0);
  const parts = [`id=${cell.id}`];
  if (cell.config.name !== undefined) parts.push(`name=${JSON.stringify(cell.config.name)}`);
  if (cell.config.hideCode) parts.push("hidden");
  if (cell.config.disabled) parts.push("disabled");
  for (const [key, value] of Object.entries(cell.extra ?? {})) {
    if (["id", "name", "hidden", "disabled"].includes(key)) continue;
    parts.push(optionText(key, value));
  }
  return `// %% [cell ${parts.join(" ")}]`;
}

/**
 * Writes a notebook as text. `parseNotebook(serializeNotebook(nb))` gives `nb` back, and a file
 * this wrote comes back byte for byte. A header containing a marker line is refused (it would
 * become a cell); a non-empty header gets a final line break if it lacks one.
 */
export function serializeNotebook(nb: Notebook): string {
  let header = nb.header;
  if (nb.cells.length === 0) return header;
  header.split("\n").forEach((l, i) => {
    if (MARKER_START.test(l)) throw new NotebookFormatError("header contains a cell marker line", i + 1);
  });
  if (header !== "" && !header.endsWith("\n")) header += "\n";
  const ids = new Set<string>();
  const body = nb.cells.map((cell) => {
    if (ids.has(cell.id)) throw new NotebookFormatError(`duplicate cell id '${cell.id}'`, 0);
    ids.add(cell.id);
    const code = cell.code
      .split("\n")
      .map((l) => (l.startsWith("// %%") ? "// %%%" + l.slice(5) : l))
      .join("\n");
    return `${markerLine(cell)}\n${code}\n`;
  });
  return header + body.join("\n");
}

/**
 * The notebook with its cells replaced by `cells` (e.g. the editor's), keeping the header and each
 * surviving cell's unknown options, so saving from the protocol's `CellSource[]` loses nothing.
 */
export function withCells(nb: Notebook, cells: readonly CellSource[]): Notebook {
  const extras = new Map(nb.cells.map((c) => [c.id, c.extra] as const));
  return {
    header: nb.header,
    cells: cells.map((c) => {
      const extra = extras.get(c.id);
      return extra ? { id: c.id, code: c.code, config: { ...c.config }, extra } : { id: c.id, code: c.code, config: { ...c.config } };
    }),
  };
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** A short random cell id (8 lowercase letters/digits), distinct from any in `taken`. */
export function newCellId(taken?: ReadonlySet<string>): CellId {
  for (;;) {
    const bytes = randomBytes(8);
    let id = "";
    for (const b of bytes) id += ALPHABET[b % ALPHABET.length];
    if (!taken?.has(id)) return id as CellId;
  }
}
