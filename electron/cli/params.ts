/**
 * Notebook parameters on the command line, the same for `run`, `app` and `edit`: `-P name=value`
 * (repeatable) and `--params file.json` (an object of names to strings, numbers or booleans; `-P`
 * wins over the file). Cells read them with `args()` (kernel/runtime/args.ts). `--help` after a
 * notebook path also lists the parameters that notebook reads, found in its code.
 */
import { readFileSync } from "node:fs";
import type { NotebookParams } from "../protocol.ts";
import { parseNotebook } from "../notebook/index.ts";
import { MAX_ENTITY_KEY_LENGTH } from "../tracking/limits.ts";
import { UsageError } from "./args.ts";

/** A parameter name: what MLflow takes as a param key, so every run can record it. */
const NAME = /^[A-Za-z0-9_.\-/ ]+$/;

function checkName(name: string, where: string): string {
  if (!NAME.test(name) || name.length > MAX_ENTITY_KEY_LENGTH) {
    throw new UsageError(`invalid parameter name '${name}' in ${where}: use letters, digits, _ - . / and spaces (at most ${MAX_ENTITY_KEY_LENGTH})`);
  }
  return name;
}

/** Reads `-P name=value` as `[name, value]`; the value may be empty or hold `=`. */
export function paramAssignment(text: string): [string, string] {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new UsageError(`invalid parameter '${text}'; expected -P name=value`);
  return [checkName(text.slice(0, eq), `'-P ${text}'`), text.slice(eq + 1)];
}

/** The options every command that runs a notebook declares. */
export const PARAM_OPTIONS = {
  param: { type: "string", short: "P", multiple: true, parse: paramAssignment, description: "a notebook parameter, name=value (repeatable); cells read it with args()" },
  params: { type: "string", description: "a JSON file of parameters, { \"name\": value }; -P wins over it" },
} as const;

/** The parameters given: the file's, then each `-P` (the last of a name wins). Throws `UsageError`. */
export function notebookParams(values: { param?: [string, string][]; params?: string }): NotebookParams {
  const out: Record<string, string> = {};
  if (values.params !== undefined) Object.assign(out, readParamsFile(values.params));
  for (const [name, value] of values.param ?? []) out[name] = value;
  return out;
}

function readParamsFile(path: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new UsageError(`cannot read --params ${path}: ${(err as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`--params ${path} must hold a JSON object of parameters, { "name": value }`);
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    checkName(name, path);
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
      throw new UsageError(`parameter '${name}' in ${path} must be a string, number or boolean`);
    }
    out[name] = String(value);
  }
  return out;
}

/** A parameter a notebook's code reads, with its default when the code gives one. */
export interface DeclaredParam {
  name: string;
  /** How it is read: `args.number`, `ui.slider`, … */
  via: string;
  fallback?: string;
}

// `args.number("lr", 0.01)`, `args.string('x')`, `args().name`, and `ui.x({ … name: "epochs" … })`.
const ARGS_CALL = /\bargs\.(string|number|boolean)\(\s*(["'])([^"'\n]+)\2\s*(?:,\s*([^)\n]+?))?\s*\)/g;
const ARGS_FIELD = /\bargs\(\)\s*(?:\.([A-Za-z_$][\w$]*)|\[\s*(["'])([^"'\n]+)\2\s*\])/g;
const UI_NAME = /\bui\.(\w+)\(\s*\{[^}]*?\bname:\s*(["'])([^"'\n]+)\2/g;

/** The parameters `code` reads, in order of first use (a static scan of the source; never runs it). */
export function declaredParams(code: string): DeclaredParam[] {
  const hits: { at: number; param: DeclaredParam }[] = [];
  for (const m of code.matchAll(ARGS_CALL)) hits.push({ at: m.index, param: { name: m[3]!, via: `args.${m[1]}`, ...(m[4] ? { fallback: m[4].trim() } : {}) } });
  for (const m of code.matchAll(ARGS_FIELD)) hits.push({ at: m.index, param: { name: (m[1] ?? m[3])!, via: "args()" } });
  for (const m of code.matchAll(UI_NAME)) hits.push({ at: m.index, param: { name: m[3]!, via: `ui.${m[1]}` } });
  const found = new Map<string, DeclaredParam>();
  for (const { param } of hits.sort((a, b) => a.at - b.at)) if (!found.has(param.name)) found.set(param.name, param);
  return [...found.values()];
}

/** The help section listing the parameters of the notebook at `path` (empty when it cannot be read). */
export function paramsHelp(path: string | undefined): string {
  if (!path) return "";
  let code: string;
  try {
    code = parseNotebook(readFileSync(path, "utf8")).cells.map((c) => c.code).join("\n");
  } catch {
    return "";
  }
  const params = declaredParams(code);
  if (params.length === 0) return `\n${path} reads no parameters.\n`;
  const rows = params.map((p) => `  -P ${p.name}=…`.padEnd(22) + `  ${p.via}${p.fallback !== undefined ? `, default ${p.fallback}` : ""}\n`);
  return `\nparameters ${path} reads:\n${rows.join("")}`;
}
