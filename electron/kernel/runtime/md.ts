/**
 * `md`: markdown output, as a tagged template (md`# Loss ${loss}`) or a function (md(text)).
 * Interpolated values are written as text: strings as they are, other values as compact JSON.
 */
import type { Output } from "../../protocol.ts";
import { asOutput } from "./output.ts";

/** A markdown output a cell can return or display. */
export type Markdown = Extract<Output, { kind: "markdown" }>;

function interpolate(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined || typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value instanceof Date) return value.toISOString();
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Markdown output from a template literal or a string. */
export function md(strings: TemplateStringsArray | string, ...values: unknown[]): Markdown {
  const markdown =
    typeof strings === "string" ? strings : strings.reduce((out, s, i) => out + s + (i < values.length ? interpolate(values[i]) : ""), "");
  return asOutput({ kind: "markdown", markdown });
}
