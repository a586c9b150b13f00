/**
 * The notebook's parameters (`flowbook run|app|edit nb.ts -P lr=0.01 --params p.json`), as cells
 * read them: `args()` is every parameter as a string, `args.number("lr", 0.01)` and friends convert
 * one, and a widget created with a `name` starts at the parameter of that name
 * ({@link paramInitial}, which `ui.ts` calls). A run a cell starts records the parameters as MLflow
 * params when it ends, except keys the cell logged itself ({@link logNotebookParams}).
 *
 * The parameters are the process's: a kernel process runs one notebook, and `createRuntime`
 * installs them when the kernel starts.
 */
import { MAX_PARAMS_TAGS_PER_BATCH, MAX_PARAM_VAL_LENGTH } from "../../tracking/client/index.ts";
import type { TrackingStore } from "../../tracking/types.ts";
import type { NotebookParams } from "../../protocol.ts";

let current: NotebookParams = Object.freeze({});

/** Makes `params` the notebook's parameters (the runtime does, at kernel start). */
export function setNotebookParams(params: NotebookParams | undefined): void {
  current = Object.freeze({ ...params });
}

/** The notebook's parameters now (what runs record). */
export function notebookParams(): NotebookParams {
  return current;
}

const TRUE = new Set(["true", "1", "yes", "on"]);
const FALSE = new Set(["false", "0", "no", "off"]);

/** `text` as a number, or undefined when it is not one. */
function toNumber(text: string): number | undefined {
  const n = text.trim() === "" ? NaN : Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** `text` as a boolean (true/false, 1/0, yes/no, on/off), or undefined when it is none of those. */
function toBoolean(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  return TRUE.has(t) ? true : FALSE.has(t) ? false : undefined;
}

function badValue(name: string, text: string, what: string): Error {
  return new Error(`parameter '${name}' is '${text}', which is not ${what}`);
}

/** What cells import as `args`: the parameters, and typed readers of one. */
export interface Args {
  /** Every parameter as given, by name (strings). */
  (): NotebookParams;
  /** The parameter `name`, or `fallback` when it was not given. */
  string(name: string, fallback?: string): string | undefined;
  /** The parameter `name` as a number, or `fallback` when it was not given; throws when it is not a number. */
  number(name: string, fallback: number): number;
  number(name: string): number | undefined;
  /** The parameter `name` as a boolean (true/false, 1/0, yes/no, on/off), or `fallback`; throws on other text. */
  boolean(name: string, fallback: boolean): boolean;
  boolean(name: string): boolean | undefined;
}

/** The `args` cells import from "flowbook". */
export const args: Args = Object.assign(() => current, {
  string: (name: string, fallback?: string) => (Object.hasOwn(current, name) ? current[name] : fallback),
  number: (name: string, fallback?: number) => {
    if (!Object.hasOwn(current, name)) return fallback;
    const n = toNumber(current[name]!);
    if (n === undefined) throw badValue(name, current[name]!, "a number");
    return n;
  },
  boolean: (name: string, fallback?: boolean) => {
    if (!Object.hasOwn(current, name)) return fallback;
    const b = toBoolean(current[name]!);
    if (b === undefined) throw badValue(name, current[name]!, "true or false");
    return b;
  },
}) as Args;

/**
 * A widget's initial value: the parameter `name` read as the type of `fallback` (the widget's own
 * default: a number, a boolean, a string, or a list given as JSON or comma-separated), else
 * `fallback`. Throws, naming the parameter, when its text is not of that type; the widget's own
 * check (clamping, allowed options) comes after.
 */
export function paramInitial<T>(name: string | undefined, fallback: T): T {
  if (name === undefined || !Object.hasOwn(current, name)) return fallback;
  const text = current[name]!;
  if (typeof fallback === "number") {
    const n = toNumber(text);
    if (n === undefined) throw badValue(name, text, "a number");
    return n as T;
  }
  if (typeof fallback === "boolean") {
    const b = toBoolean(text);
    if (b === undefined) throw badValue(name, text, "true or false");
    return b as T;
  }
  if (Array.isArray(fallback)) {
    if (text.trim().startsWith("[")) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (Array.isArray(parsed)) return parsed as T;
      } catch {
        // Not JSON: read it as a comma-separated list below.
      }
    }
    return text.split(",").map((s) => s.trim()).filter((s) => s !== "").map((s) => (typeof fallback[0] === "string" ? s : (toNumber(s) ?? s))) as T;
  }
  return text as T;
}

/**
 * Records the notebook's parameters on the run `runId` as MLflow params, except the keys it already
 * has (a cell's own `logParam` wins). Values are cut to MLflow's length limit, in batches it takes.
 */
export async function logNotebookParams(store: TrackingStore, runId: string, params: NotebookParams = current): Promise<void> {
  const keys = Object.keys(params);
  if (keys.length === 0) return;
  const run = await store.getRun(runId);
  const logged = new Set((run.data.params ?? []).map((p) => p.key));
  const missing = keys.filter((k) => !logged.has(k)).map((key) => ({ key, value: params[key]!.slice(0, MAX_PARAM_VAL_LENGTH) }));
  for (let i = 0; i < missing.length; i += MAX_PARAMS_TAGS_PER_BATCH) {
    await store.logBatch({ run_id: runId, params: missing.slice(i, i + MAX_PARAMS_TAGS_PER_BATCH) });
  }
}
