/**
 * Converting a cell's value into an `Output`. Runtime builders (md, table, plot, widgets, …) brand
 * their results with `OUTPUT_BRAND` via `asOutput`, so a value that is already an output passes
 * through unchanged while user objects that merely look like one are shown as JSON.
 */
import type { Output } from "../../protocol.ts";

/** Brand on runtime-built outputs. Its value is `true`, or a function producing the current output. */
export const OUTPUT_BRAND: unique symbol = Symbol.for("flowbook.output") as never;

/** Marks `output` as built by the runtime, so `toOutput` shows it as is. Returns the same object. */
export function asOutput<T extends Output>(output: T): T {
  Object.defineProperty(output, OUTPUT_BRAND, { value: true, enumerable: false });
  return output;
}

/** Makes `target` display as whatever `render()` returns at display time (e.g. a widget's current state). */
export function brandRenderable<T extends object>(target: T, render: () => Output): T {
  Object.defineProperty(target, OUTPUT_BRAND, { value: render, enumerable: false });
  return target;
}

/** Whether `value` is a runtime-built output (or renders as one). */
export function isOutput(value: unknown): boolean {
  return typeof value === "object" && value !== null && OUTPUT_BRAND in value;
}

/** The cell output for a value: undefined → none, strings → text, branded → itself, the rest → JSON. */
export function toOutput(value: unknown): Output | null {
  if (value === undefined) return null;
  if (isOutput(value)) {
    const brand = (value as Record<symbol, unknown>)[OUTPUT_BRAND];
    return typeof brand === "function" ? (brand as () => Output)() : ({ ...(value as Output) } as Output);
  }
  if (typeof value === "string") return { kind: "text", text: value };
  if (typeof value === "bigint" || typeof value === "symbol") return { kind: "text", text: value.toString() };
  if (typeof value === "function") return { kind: "text", text: `[Function ${value.name || "anonymous"}]` };
  if (value instanceof Error) return { kind: "text", text: value.stack ?? String(value) };
  return { kind: "json", value: toJson(value, new Set(), 0) };
}

/** A JSON-safe copy: cycles and depth beyond 20 become markers, Maps/Sets become arrays/objects. */
function toJson(value: unknown, seen: Set<object>, depth: number): unknown {
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "function" || typeof value === "symbol") return String(value);
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return "[Circular]";
  if (depth > 20) return "[…]";
  seen.add(value);
  try {
    if (value instanceof Date) return value.toISOString();
    if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toJson(v, seen, depth + 1)]));
    if (value instanceof Set || Array.isArray(value) || ArrayBuffer.isView(value)) {
      return Array.from(value as Iterable<unknown>, (v) => toJson(v, seen, depth + 1));
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v, seen, depth + 1)]));
  } finally {
    seen.delete(value);
  }
}
