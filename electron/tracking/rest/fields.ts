/**
 * Declarative request fields: each route names its fields with a small spec (`"string!"` is a
 * required string, `"int"` an optional int64, `"tags"` a list of `{key, value}`, …) and one parser
 * turns a JSON body or a query string into typed arguments, raising the INVALID_PARAMETER_VALUE
 * errors MLflow's handlers raise (`Missing value for required parameter 'x'. …`).
 */
import { MlflowError, RUN_STATUSES, type DatasetInput, type KeyValue, type Metric, type RunStatus, type ViewType } from "../types.ts";
import { parseDouble, parseInt64 } from "./json.ts";
import { pyStr, pyTypeName, type PyValue } from "./py-json.ts";

type BaseSpec = "string" | "int" | "bool" | "double" | "strings" | "list" | "tags" | "metrics" | "datasets" | "view" | "status";
/** A field's type; a trailing `!` makes it required (present and not empty, as MLflow's `_assert_required`). */
export type FieldSpec = BaseSpec | `${BaseSpec}!`;
/** A route's fields by wire name. */
export type FieldSpecs = Record<string, FieldSpec>;

type Base<S> = S extends `${infer B}!` ? B : S;
type ValueOf<B> = B extends "string"
  ? string
  : B extends "int" | "double"
    ? number
    : B extends "bool"
      ? boolean
      : B extends "strings"
        ? string[]
        : B extends "list"
          ? unknown[]
        : B extends "tags"
          ? KeyValue[]
          : B extends "metrics"
            ? Metric[]
            : B extends "datasets"
              ? DatasetInput[]
              : B extends "view"
                ? ViewType
                : B extends "status"
                  ? RunStatus
                  : never;
/** The typed arguments a spec yields: required fields are always present. */
export type Args<F extends FieldSpecs> = {
  [K in keyof F]: F[K] extends `${string}!` ? ValueOf<Base<F[K]>> : ValueOf<Base<F[K]>> | undefined;
};

const HINT = " See the API docs for more information about request parameters.";

/** The INVALID_PARAMETER_VALUE error MLflow raises for a missing required field. */
export function missing(name: string): MlflowError {
  return new MlflowError("INVALID_PARAMETER_VALUE", `Missing value for required parameter '${name}'.${HINT}`);
}

/**
 * The INVALID_PARAMETER_VALUE error MLflow raises for a value of the wrong type: the value as
 * Python's `str()` shows it and its Python type name. Pass the value as the request wrote it (see
 * `py-json.ts`) when it is at hand, so that `9.0` is not shown as `9`.
 */
export function invalid(name: string, value: unknown): MlflowError {
  return new MlflowError(
    "INVALID_PARAMETER_VALUE",
    `Invalid value ${pyStr(value)} for parameter '${name}' supplied. Hint: Value was of type '${pyTypeName(value)}'.${HINT}`,
  );
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

function asString(name: string, value: unknown): string {
  if (typeof value !== "string") throw invalid(name, value);
  return value;
}

function asList(name: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) throw invalid(name, value);
  return value;
}

function asObject(name: string, value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid(name, value);
  return value as Record<string, unknown>;
}

function requiredString(obj: Record<string, unknown>, field: string, where: string): string {
  if (isEmpty(obj[field])) throw missing(`${where}.${field}`);
  return asString(`${where}.${field}`, obj[field]);
}

function parseTag(value: unknown, where: string): KeyValue {
  const obj = asObject(where, value);
  const key = requiredString(obj, "key", where);
  const v = obj.value ?? "";
  // MLflow's proto parser coerces scalar values of string fields only from strings; numbers are a type error.
  return { key, value: asString(`${where}.value`, v) };
}

function parseMetric(value: unknown, where: string): Metric {
  const obj = asObject(where, value);
  const key = requiredString(obj, "key", where);
  for (const f of ["value", "timestamp"]) if (isEmpty(obj[f])) throw missing(`${where}.${f}`);
  const v = typeof obj.value === "boolean" ? undefined : parseDouble(obj.value);
  if (v === undefined) throw invalid(`${where}.value`, obj.value);
  const timestamp = parseInt64(obj.timestamp);
  if (timestamp === undefined) throw invalid(`${where}.timestamp`, obj.timestamp);
  const step = isEmpty(obj.step) ? 0 : parseInt64(obj.step);
  if (step === undefined) throw invalid(`${where}.step`, obj.step);
  return { key, value: v, timestamp, step };
}

/**
 * The common shape of a wire metric — a non-empty string key, a number value, integral timestamp
 * and step (step may be absent) — read without the general path's per-field checks and error
 * labels; anything else returns undefined and goes through `parseMetric` for MLflow's errors.
 */
function plainMetric(value: unknown): Metric | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { key, value: v, timestamp, step } = value as Record<string, unknown>;
  if (typeof key !== "string" || key === "" || typeof v !== "number" || !Number.isSafeInteger(timestamp)) return undefined;
  if (step === undefined || step === null) return { key, value: v, timestamp: timestamp as number, step: 0 };
  return Number.isSafeInteger(step) ? { key, value: v, timestamp: timestamp as number, step: step as number } : undefined;
}

function parseDatasetInput(value: unknown, where: string): DatasetInput {
  const obj = asObject(where, value);
  const tags = asList(`${where}.tags`, obj.tags ?? []).map((t, i) => parseTag(t, `${where}.tags[${i}]`));
  if (isEmpty(obj.dataset)) throw missing(`${where}.dataset`);
  const ds = asObject(`${where}.dataset`, obj.dataset);
  const at = `${where}.dataset`;
  const dataset: DatasetInput["dataset"] = {
    name: requiredString(ds, "name", at),
    digest: requiredString(ds, "digest", at),
    source_type: requiredString(ds, "source_type", at),
    source: requiredString(ds, "source", at),
  };
  if (!isEmpty(ds.schema)) dataset.schema = asString(`${at}.schema`, ds.schema);
  if (!isEmpty(ds.profile)) dataset.profile = asString(`${at}.profile`, ds.profile);
  return { tags, dataset };
}

const METRIC_FIELDS = ["key", "value", "timestamp"];

/**
 * MLflow's log-batch rule for lists of entries: every item is an object with each of `fields`
 * present and not empty, else the whole list is the invalid value (`Invalid value [{'key': 'mae',
 * 'value': 2.5}] for parameter 'metrics' supplied`).
 */
function requireFields(name: string, list: unknown[], fields: string[]): unknown[] {
  for (const item of list) {
    if (typeof item !== "object" || item === null || Array.isArray(item)) throw invalid(name, list);
    for (const f of fields) if (isEmpty((item as Record<string, unknown>)[f])) throw invalid(name, list);
  }
  return list;
}

const VIEW_TYPES: ViewType[] = ["ACTIVE_ONLY", "DELETED_ONLY", "ALL"];

// Protobuf JSON accepts an enum by name or by number (1-based in MLflow's protos).
function parseEnum<T extends string>(names: readonly T[], name: string, value: unknown): T {
  if (typeof value === "string" && (names as readonly string[]).includes(value)) return value as T;
  const n = parseInt64(value);
  if (n !== undefined && n >= 1 && n <= names.length) return names[n - 1];
  throw invalid(name, value);
}

function parseValue(base: BaseSpec, name: string, value: unknown): unknown {
  switch (base) {
    case "string":
      return asString(name, value);
    case "int": {
      const n = parseInt64(value);
      if (n === undefined) throw invalid(name, value);
      return n;
    }
    case "double": {
      const n = typeof value === "boolean" ? undefined : parseDouble(value);
      if (n === undefined) throw invalid(name, value);
      return n;
    }
    case "bool":
      if (typeof value === "boolean") return value;
      if (value === "true" || value === "True") return true;
      if (value === "false" || value === "False") return false;
      throw invalid(name, value);
    case "strings": {
      const list = asList(name, value);
      if (!list.every((s) => typeof s === "string")) throw invalid(name, value);
      return list;
    }
    case "list":
      return asList(name, value);
    case "tags":
      return requireFields(name, asList(name, value), ["key"]).map((t, i) => parseTag(t, `${name}[${i}]`));
    case "metrics": {
      const list = asList(name, value);
      const out: Metric[] = new Array(list.length);
      for (let i = 0; i < list.length; i++) out[i] = plainMetric(list[i]) ?? parseMetric(requireFields(name, list, METRIC_FIELDS)[i], `${name}[${i}]`);
      return out;
    }
    case "datasets":
      return asList(name, value).map((d, i) => parseDatasetInput(d, `${name}[${i}]`));
    case "view":
      return parseEnum(VIEW_TYPES, name, value);
    case "status":
      return parseEnum(RUN_STATUSES, name, value);
  }
}

/**
 * Reads a route's fields from a decoded body or query. Query values arrive as strings (repeated keys
 * as arrays), so a single query value of a list field becomes a one-element list. `run_id` falls back
 * to the deprecated `run_uuid`, as MLflow's handlers do. `written` gives a top-level field as the
 * body wrote it, for error messages that quote it (`9.0`, not `9`).
 */
export function parseArgs<F extends FieldSpecs>(
  specs: F,
  source: Record<string, unknown>,
  fromQuery: boolean,
  written?: (name: string) => PyValue | undefined,
): Args<F> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const required = spec.endsWith("!");
    const base = (required ? spec.slice(0, -1) : spec) as BaseSpec;
    let value = source[name];
    if (name === "run_id" && isEmpty(value)) value = source.run_uuid;
    if (fromQuery && Array.isArray(value) && base !== "strings") value = value[value.length - 1];
    if (fromQuery && base === "strings" && typeof value === "string") value = [value];
    if (isEmpty(value)) {
      if (required) throw missing(name);
      continue;
    }
    try {
      out[name] = parseValue(base, name, value);
    } catch (error) {
      // Re-quote a whole-field type error with the value as written.
      const shown = written?.(name);
      if (shown === undefined || !(error instanceof MlflowError) || !error.message.startsWith(`Invalid value ${pyStr(value)} for parameter '${name}'`)) throw error;
      throw invalid(name, shown);
    }
  }
  return out as Args<F>;
}

/** Decodes a query string into fields: repeated keys (also `key[]`, `key[0]`) become arrays. */
export function queryFields(search: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [rawKey, value] of search) {
    const key = rawKey.replace(/\[\d*\]$/, "");
    const prev = out[key];
    if (prev === undefined) out[key] = rawKey === key ? value : [value];
    else if (Array.isArray(prev)) prev.push(value);
    else out[key] = [prev, value];
  }
  return out;
}
