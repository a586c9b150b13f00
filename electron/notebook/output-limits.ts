/**
 * How much a cell may show (`OutputLimits`), as settings: sizes as people write them, checks of a
 * limit from outside, and the notebook header's directive line (the defaults, bounds and the one
 * way sizes read are in `common/output-bounds.ts`, which the renderer shares):
 *
 * ```ts
 * // flowbook: output-limit=16MB console-lines=20000 console-bytes=5MB run-on-open=false
 * ```
 *
 * - `run-on-open=true|false` overrides the app's setting of whether opening the notebook runs it.
 * - One such line, anywhere in the header (before the first cell marker); keys are space-separated
 *   `key=value` pairs, each optional: `output-limit` and `console-bytes` take a size (`512`, `512B`,
 *   `64KB`, `16MB`, `1GB`, `1.5MB`; units are binary, 1 KB = 1024 B, case-insensitive),
 *   `console-lines` a whole number.
 * - A known key with a bad value (not a size, out of bounds) is an error naming the line, like a
 *   malformed cell marker: the notebook does not open until it is fixed. An unknown key is ignored
 *   with a warning (a newer Flowbook may know it) and kept when the line is rewritten.
 * - Limits merge as: built-in defaults, then the app's (`--output-limit`, `FLOWBOOK_OUTPUT_LIMIT`),
 *   then the notebook's line.
 */
import { formatSize, LIMIT_BOUNDS } from "../common/output-bounds.ts";
import type { OutputLimits } from "../protocol.ts";
import { NotebookFormatError } from "./format.ts";

const KB = 1024;
const MB = 1024 * KB;
const GB = 1024 * MB;

/** Each limit's key in the header directive, in the order the line is written. */
const KEYS: readonly [keyof OutputLimits, string][] = [
  ["outputBytes", "output-limit"],
  ["consoleLines", "console-lines"],
  ["consoleBytes", "console-bytes"],
];
const DIRECTIVE = /^\/\/ ?flowbook:(.*)$/;
const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i;
const UNITS: Record<string, number> = { b: 1, kb: KB, mb: MB, gb: GB };

/**
 * A size as people write it: `512` or `512B` (bytes), `64KB`, `16MB`, `1.5GB` (binary units,
 * case-insensitive, a space before the unit allowed); undefined when it is not one.
 */
export function parseSize(text: string): number | undefined {
  const m = SIZE.exec(text.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNITS[(m[2] ?? "b").toLowerCase()]!);
}

/** A size as the directive writes it: exact, in the largest unit that divides it (`16MB`, `1536KB`, `1000B`). */
export function formatSizeSetting(bytes: number): string {
  for (const [unit, size] of [["GB", GB], ["MB", MB], ["KB", KB]] as const) if (bytes % size === 0) return `${bytes / size}${unit}`;
  return `${bytes}B`;
}

/** Why `value` cannot be the limit `key`, or undefined when it can (a whole number within `LIMIT_BOUNDS`). */
export function limitProblem(key: keyof OutputLimits, value: unknown): string | undefined {
  const { min, max } = LIMIT_BOUNDS[key];
  const show = key === "consoleLines" ? String : formatSize;
  if (typeof value !== "number" || !Number.isInteger(value)) return `${key} must be a whole number`;
  if (value < min || value > max) return `${key} must be between ${show(min)} and ${show(max)}, not ${show(value)}`;
  return undefined;
}

/**
 * Checks a partial limits object from outside (a host command, a flag): only known keys, each
 * within bounds. Returns why not, or undefined.
 */
export function limitsProblem(raw: unknown): string | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return "limits must be an object";
  for (const [key, value] of Object.entries(raw)) {
    if (!KEYS.some(([k]) => k === key)) return `unknown limit '${key}' (known: ${KEYS.map(([k]) => k).join(", ")})`;
    const problem = limitProblem(key as keyof OutputLimits, value);
    if (problem) return problem;
  }
  return undefined;
}


/** What a header's directive line says. */
export interface LimitsDirective {
  /** The limits the line sets. */
  limits: Partial<OutputLimits>;
  /** Whether opening the notebook runs it (`run-on-open=`), when the line says. */
  runOnOpen?: boolean;
  /** Unknown keys, each as a message (`nb.ts:1: unknown key 'x' … ignored`). */
  warnings: string[];
}

interface ParsedLine {
  index: number;
  limits: Partial<OutputLimits>;
  runOnOpen?: boolean;
  /** Tokens that are not limits (unknown keys, `run-on-open`), kept verbatim for a rewrite. */
  unknown: string[];
}

const RUN_ON_OPEN = "run-on-open";

function parseLines(header: string, path: string | undefined, warnings: string[]): ParsedLine | undefined {
  let found: ParsedLine | undefined;
  header.split("\n").forEach((raw, index) => {
    const m = DIRECTIVE.exec(raw.replace(/\r$/, ""));
    if (!m) return;
    const lineNo = index + 1;
    if (found) throw new NotebookFormatError("a second '// flowbook:' line; put every setting on one line", lineNo, path);
    const line: ParsedLine = { index, limits: {}, unknown: [] };
    for (const token of m[1]!.trim().split(/\s+/).filter(Boolean)) {
      const eq = token.indexOf("=");
      if (eq <= 0) throw new NotebookFormatError(`cannot read '${token}' in the '// flowbook:' line; expected key=value`, lineNo, path);
      const name = token.slice(0, eq);
      const text = token.slice(eq + 1);
      if (name === RUN_ON_OPEN) {
        if (text !== "true" && text !== "false") throw new NotebookFormatError(`'${token}': expected ${RUN_ON_OPEN}=true or ${RUN_ON_OPEN}=false`, lineNo, path);
        if (line.runOnOpen !== undefined) throw new NotebookFormatError(`'${name}' given twice`, lineNo, path);
        line.runOnOpen = text === "true";
        line.unknown.push(token);
        continue;
      }
      const key = KEYS.find(([, n]) => n === name)?.[0];
      if (!key) {
        warnings.push(`${path ?? "notebook"}:${lineNo}: unknown key '${name}' in the '// flowbook:' line (known: ${[...KEYS.map(([, n]) => n), RUN_ON_OPEN].join(", ")}); ignored`);
        line.unknown.push(token);
        continue;
      }
      if (key in line.limits) throw new NotebookFormatError(`'${name}' given twice`, lineNo, path);
      const value = key === "consoleLines" ? (/^\d+$/.test(text) ? Number(text) : undefined) : parseSize(text);
      if (value === undefined) {
        const want = key === "consoleLines" ? "a whole number" : "a size like 16MB";
        throw new NotebookFormatError(`'${name}=${text}': expected ${want}`, lineNo, path);
      }
      const problem = limitProblem(key, value);
      if (problem) throw new NotebookFormatError(`'${name}=${text}': ${problem.replace(/^\w+ /, `${name} `)}`, lineNo, path);
      line.limits[key] = value;
    }
    found = line;
  });
  return found;
}

/**
 * Reads the `// flowbook:` line of a notebook header. Throws `NotebookFormatError` (with the line
 * number, and `path` when given) on a bad value; unknown keys come back as warnings.
 */
export function parseLimitsDirective(header: string, path?: string): LimitsDirective {
  const warnings: string[] = [];
  const line = parseLines(header, path, warnings);
  return { limits: line?.limits ?? {}, ...(line?.runOnOpen !== undefined ? { runOnOpen: line.runOnOpen } : {}), warnings };
}

/** The directive line for `limits`, keys in a fixed order, then `unknown` tokens as given. */
export function formatLimitsDirective(limits: Partial<OutputLimits>, unknown: readonly string[] = []): string {
  const parts = KEYS.flatMap(([key, name]) => {
    const v = limits[key];
    if (v === undefined) return [];
    return [`${name}=${key === "consoleLines" ? v : formatSizeSetting(v)}`];
  });
  return `// flowbook: ${[...parts, ...unknown].join(" ")}`;
}

/**
 * The header with its `// flowbook:` line setting `limits` over what it set before (unknown keys
 * kept); a header without one gets it as its first line. Throws like `parseLimitsDirective` on a
 * header whose line is already bad, and on limits out of bounds.
 */
export function withLimitsDirective(header: string, limits: Partial<OutputLimits>): string {
  const problem = limitsProblem(limits);
  if (problem) throw new Error(problem);
  const line = parseLines(header, undefined, []);
  const lines = header.split("\n");
  if (!line) return `${formatLimitsDirective(limits)}\n${header}`;
  const merged: Partial<OutputLimits> = { ...line.limits };
  for (const [key] of KEYS) if (limits[key] !== undefined) merged[key] = limits[key];
  lines[line.index] = formatLimitsDirective(merged, line.unknown) + (lines[line.index]!.endsWith("\r") ? "\r" : "");
  return lines.join("\n");
}
