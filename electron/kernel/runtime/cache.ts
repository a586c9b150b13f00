/**
 * Caches for expensive pure computations (marimo's `mo.cache` and `mo.persistent_cache`):
 *
 * - `cache(fn)` memoises `fn` by its arguments for the kernel's session;
 * - `persistentCache(key, fn)` also keeps each result on disk beside the notebook, in
 *   `__flowbook__/<notebook>/cache/<key>/<hash>.json`, so a restarted app or `flowbook run` reads it.
 *
 * An entry is keyed by the defining cell's code (as the kernel runs it), the values that cell reads
 * from other cells, `fn`'s source, and the arguments: a changed cell, a changed upstream value or
 * other arguments never read an old entry. Keys are built from data (numbers, strings, arrays, plain
 * objects, dates, typed arrays, a widget's value); a session entry takes any other object by
 * identity, while a disk entry takes a function by its source and cannot take other objects, so
 * reading one fails the cell with the name of the value to pass as an argument instead.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { CellId } from "../../protocol.ts";
import { cacheFile, sessionDir } from "../../notebook/index.ts";
import { tryCurrentCell, type CellContext } from "./context.ts";
import { isWidget } from "./ui.ts";

/** Entries a session keeps at most; the oldest go first. */
export const SESSION_ENTRIES = 10_000;

/** Where cached functions come from: the notebook, and a cell's code as the kernel runs it. */
export interface CacheSource {
  notebookPath: string;
  codeOf(cellId: CellId): string | undefined;
}

/** What cells import: `cache(fn)` and `persistentCache(key, fn)`. */
export interface Caches {
  /** `fn` memoised by its arguments for this session (a rejected promise is not kept). */
  cache<F extends (...args: never[]) => unknown>(fn: F): F;
  /** `fn` memoised by its arguments, on disk beside the notebook under `key` (letters, digits, `_ . -`). */
  persistentCache<F extends (...args: never[]) => unknown>(key: string, fn: F): F;
}

type Mode = "session" | "disk";

/** A value a key cannot be built from on disk; the message names where it was found. */
class Unkeyable extends Error {}

const objectIds = new WeakMap<object, number>();
let nextObjectId = 0;

/**
 * The canonical text of `value` for a key: equal data gives equal text whatever its key order.
 * Objects that are not data are keyed by identity in a session and refused on disk.
 */
function keyText(value: unknown, mode: Mode, where: string, seen = new Set<object>()): string {
  if (value === undefined) return "u";
  if (value === null) return "n";
  switch (typeof value) {
    case "number":
      return `d${Object.is(value, -0) ? "-0" : String(value)}`;
    case "string":
      return `s${JSON.stringify(value)}`;
    case "boolean":
      return value ? "T" : "F";
    case "bigint":
      return `b${value}`;
    case "symbol":
      return byIdentity(value, mode, where, "a symbol");
    case "function":
      // On disk a function is its source (what it captures is not seen); in a session, itself.
      return mode === "disk" ? `f${Function.prototype.toString.call(value)}` : byIdentity(value, mode, where, "a function");
  }
  const obj = value as object;
  if (isWidget(obj)) return `w${keyText(obj.value, mode, where, seen)}`;
  if (obj instanceof Date) return `t${obj.getTime()}`;
  if (ArrayBuffer.isView(obj)) {
    return `v${obj.constructor.name}:${createHash("sha256").update(new Uint8Array(obj.buffer, obj.byteOffset, obj.byteLength)).digest("hex")}`;
  }
  if (seen.has(obj)) return byIdentity(obj, mode, where, "a circular structure");
  const proto = Object.getPrototypeOf(obj) as unknown;
  if (!Array.isArray(obj) && proto !== Object.prototype && proto !== null) return byIdentity(obj, mode, where, `a ${obj.constructor?.name ?? "class"} object`);
  seen.add(obj);
  const text = Array.isArray(obj)
    ? `[${obj.map((v, i) => keyText(v, mode, `${where}[${i}]`, seen)).join(",")}]`
    : `{${Object.keys(obj)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${keyText((obj as Record<string, unknown>)[k], mode, `${where}.${k}`, seen)}`)
        .join(",")}}`;
  seen.delete(obj);
  return text;
}

function byIdentity(value: object | symbol, mode: Mode, where: string, what: string): string {
  if (mode === "disk") throw new Unkeyable(`${where} is ${what}, which cannot be part of a key kept on disk`);
  if (typeof value === "symbol") return `y${String(value)}`;
  let id = objectIds.get(value);
  if (id === undefined) objectIds.set(value, (id = ++nextObjectId));
  return `#${id}`;
}

/**
 * The key text of the values the defining cell read from other cells, except the "flowbook" module's
 * own members. All of them: `fn` may reach one through another function of the cell. In a session
 * an object counts by identity (an upstream cell that runs again makes new ones), which spares
 * reading a large data set at every run; a widget counts by its value.
 */
function inputsText(inputs: Readonly<Record<string, unknown>>, runtime: ReadonlySet<unknown>, mode: Mode): string {
  return Object.keys(inputs)
    .filter((name) => !runtime.has(inputs[name]))
    .sort()
    .map((name) => {
      const value = inputs[name];
      const where = `'${name}' (read from another cell)`;
      const shallow = mode === "session" && typeof value === "object" && value !== null && !isWidget(value);
      return `${name}=${shallow ? byIdentity(value, mode, where, "an object") : keyText(value, mode, where)}`;
    })
    .join(";");
}

// Values JSON cannot carry, tagged so they come back as they were.
const TAG = "__flowbook_cache__";
function encode(value: unknown, where: string): unknown {
  if (value === undefined) return { [TAG]: "undefined" };
  if (typeof value === "number" && !Number.isFinite(value)) return { [TAG]: "number", value: String(value) };
  if (typeof value === "bigint") return { [TAG]: "bigint", value: String(value) };
  if (typeof value !== "object" || value === null) {
    if (typeof value === "function" || typeof value === "symbol") throw new Unkeyable(`${where} is a ${typeof value}, which cannot be kept on disk`);
    return value;
  }
  if (value instanceof Date) return { [TAG]: "date", value: value.getTime() };
  if (value instanceof Map) return { [TAG]: "map", value: [...value].map(([k, v], i) => [encode(k, `${where} key ${i}`), encode(v, `${where}.get(…)`)]) };
  if (value instanceof Set) return { [TAG]: "set", value: [...value].map((v, i) => encode(v, `${where} item ${i}`)) };
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return { [TAG]: value.constructor.name, value: Array.from(value as unknown as ArrayLike<number | bigint>, String) };
  if (Array.isArray(value)) return value.map((v, i) => encode(v, `${where}[${i}]`));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) throw new Unkeyable(`${where} is a ${value.constructor?.name ?? "class"} object, which cannot be kept on disk`);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v, `${where}.${k}`)]));
}

const TYPED: Record<string, (items: string[]) => unknown> = {
  Int8Array: (a) => Int8Array.from(a, Number),
  Uint8Array: (a) => Uint8Array.from(a, Number),
  Uint8ClampedArray: (a) => Uint8ClampedArray.from(a, Number),
  Int16Array: (a) => Int16Array.from(a, Number),
  Uint16Array: (a) => Uint16Array.from(a, Number),
  Int32Array: (a) => Int32Array.from(a, Number),
  Uint32Array: (a) => Uint32Array.from(a, Number),
  Float32Array: (a) => Float32Array.from(a, Number),
  Float64Array: (a) => Float64Array.from(a, Number),
  BigInt64Array: (a) => BigInt64Array.from(a, BigInt),
  BigUint64Array: (a) => BigUint64Array.from(a, BigInt),
};

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  const tag = record[TAG];
  if (typeof tag !== "string") return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, decode(v)]));
  const inner = record.value;
  switch (tag) {
    case "undefined":
      return undefined;
    case "number":
      return Number(inner);
    case "bigint":
      return BigInt(inner as string);
    case "date":
      return new Date(inner as number);
    case "map":
      return new Map((inner as [unknown, unknown][]).map(([k, v]) => [decode(k), decode(v)]));
    case "set":
      return new Set((inner as unknown[]).map(decode));
    default:
      return TYPED[tag]!(inner as string[]);
  }
}

const KEY_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** One entry file: whether `fn` returned a promise (a hit then resolves to the value) and the value. */
interface Stored {
  async: boolean;
  value: unknown;
}

/** Builds `cache` and `persistentCache` for one kernel; `runtime` holds the "flowbook" module's members. */
export function createCaches(source: CacheSource, runtime: () => ReadonlySet<unknown>): Caches {
  const entries = new Map<string, unknown>();
  /** How many cached functions of each source a cell run has made, so two alike in a loop do not share. */
  const made = new WeakMap<CellContext, Map<string, number>>();

  const remember = (key: string, value: unknown) => {
    entries.set(key, value);
    if (entries.size > SESSION_ENTRIES) entries.delete(entries.keys().next().value!);
    // A failed computation is not kept: the next call tries again.
    if (value instanceof Promise) value.catch(() => entries.get(key) === value && entries.delete(key));
  };

  /** The part of every key fixed where `fn` is made: its cell's code and the inputs it can reach. */
  const scopeOf = (fn: (...args: never[]) => unknown, mode: Mode, label: string): string => {
    const src = Function.prototype.toString.call(fn);
    const ctx = tryCurrentCell();
    if (!ctx) return `${label}\0${src}`;
    const counts = made.get(ctx) ?? new Map<string, number>();
    made.set(ctx, counts);
    const nth = (counts.get(src) ?? 0) + 1;
    counts.set(src, nth);
    const code = source.codeOf(ctx.cellId) ?? "";
    return [label, ctx.cellId, code, nth, src, inputsText(ctx.inputs, runtime(), mode)].join("\0");
  };

  const hash = (text: string) => createHash("sha256").update(text).digest("hex");
  const argsText = (args: readonly unknown[], mode: Mode) => keyText([...args], mode, "an argument");

  return {
    cache(fn) {
      if (typeof fn !== "function") throw new TypeError("cache(fn) needs a function");
      const scope = scopeOf(fn, "session", "cache");
      return ((...args: never[]) => {
        const key = hash(`${scope}\0${argsText(args, "session")}`);
        if (entries.has(key)) return entries.get(key);
        const value = fn(...args);
        remember(key, value);
        return value;
      }) as typeof fn;
    },
    persistentCache(name, fn) {
      if (typeof name !== "string" || !KEY_NAME.test(name)) throw new TypeError(`persistentCache: the key must be 1–100 letters, digits, '_', '.' or '-', not ${JSON.stringify(name)}`);
      if (typeof fn !== "function") throw new TypeError("persistentCache(key, fn) needs a function");
      let scope: string;
      try {
        scope = scopeOf(fn, "disk", `persistent:${name}`);
      } catch (err) {
        throw err instanceof Unkeyable ? new TypeError(`persistentCache('${name}'): ${err.message}; pass what it needs as an argument`) : err;
      }
      const dir = sessionDir(source.notebookPath);
      return ((...args: never[]) => {
        let key: string;
        try {
          key = hash(`${scope}\0${argsText(args, "disk")}`);
        } catch (err) {
          throw err instanceof Unkeyable ? new TypeError(`persistentCache('${name}'): ${err.message}`) : err;
        }
        if (entries.has(key)) return entries.get(key);
        const file = join(dir, cacheFile(name, key));
        const stored = readEntry(file);
        if (stored) {
          const value = stored.async ? Promise.resolve(stored.value) : stored.value;
          remember(key, value);
          return value;
        }
        const value = fn(...args);
        const save = (result: unknown, async: boolean) => {
          writeEntry(file, name, { async, value: result });
          return result;
        };
        const kept = value instanceof Promise ? value.then((v) => save(v, true)) : save(value, false);
        remember(key, kept);
        return kept;
      }) as typeof fn;
    },
  };
}

/** The entry at `file`, or undefined when there is none or it cannot be read (it is recomputed). */
function readEntry(file: string): Stored | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as { async?: unknown; value?: unknown };
    return { async: parsed.async === true, value: decode(parsed.value) };
  } catch {
    return undefined;
  }
}

/** Writes an entry whole or not at all (a temp file renamed), so a reader never sees half of one. */
function writeEntry(file: string, name: string, entry: Stored): void {
  let text: string;
  try {
    text = JSON.stringify({ async: entry.async, value: encode(entry.value, "the result") });
  } catch (err) {
    throw err instanceof Unkeyable ? new TypeError(`persistentCache('${name}'): ${err.message}`) : err;
  }
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
