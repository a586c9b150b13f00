/**
 * Outputs over the notebook's size limit are reported, never shown and never dropped: the kernel
 * measures each output before it leaves (an estimate of its JSON's bytes that stops counting past
 * the limit, so a huge value is walked only as far as the limit and serialized once, for its file),
 * saves a too-large one whole in the session folder and sends a `too-large` notice in its place.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { CellId, Output } from "../protocol.ts";
import { savedOutputFile } from "../notebook/index.ts";

/** Saves an output's `content` for `outputKind` (`suffix` tells a stack's items apart); returns the session-relative path, or undefined. */
export type SaveOutput = (outputKind: Output["kind"], suffix: string, content: string) => string | undefined;

/**
 * About how many bytes `value` takes as JSON (strings as UTF-8 without escapes), counting no
 * further once the count passes `cap`: the result is exact enough below the cap and only says
 * "over" above it. Values JSON leaves out (undefined, functions) count nothing; a cycle counts once.
 */
export function jsonSize(value: unknown, cap: number): number {
  let total = 0;
  const path = new Set<object>();
  const walk = (v: unknown): void => {
    switch (typeof v) {
      case "string":
        total += (v.length < 256 ? v.length : Buffer.byteLength(v)) + 2;
        return;
      case "number":
        total += Number.isFinite(v) ? String(v).length : 4;
        return;
      case "boolean":
        total += v ? 4 : 5;
        return;
      case "bigint":
        total += String(v).length;
        return;
      case "object":
        break;
      default:
        return;
    }
    if (v === null) {
      total += 4;
      return;
    }
    if (path.has(v)) return;
    if (ArrayBuffer.isView(v)) {
      // Typed arrays: about a short number per element; walking them would only refine that.
      total += 2 + ((v as unknown as { length?: number }).length ?? v.byteLength) * 8;
      return;
    }
    path.add(v);
    // Brackets, then each member with the comma before it (none before the first).
    total += 2;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length && total <= cap; i++) {
        if (i > 0) total++;
        walk(v[i]);
      }
    } else {
      let first = true;
      for (const key in v) {
        if (total > cap) break;
        const member = (v as Record<string, unknown>)[key];
        if (!Object.hasOwn(v, key) || member === undefined || typeof member === "function" || typeof member === "symbol") continue;
        total += key.length + (first ? 3 : 4);
        first = false;
        walk(member);
      }
    }
    path.delete(v);
  };
  walk(value);
  return total;
}

/** What a too-large output's file holds: markdown and text as they are, anything else as the output's JSON. */
function content(output: Output): string {
  if (output.kind === "markdown") return output.markdown;
  if (output.kind === "text") return output.text;
  return JSON.stringify(output);
}

/** The notice for `output`, saved whole when `save` can; its bytes are the saved content's. */
function tooLarge(output: Output, limit: number, save: SaveOutput | undefined, suffix: string): Output {
  let text: string | undefined;
  try {
    text = content(output);
  } catch {
    // Beyond what one string can hold: report its size as measured, unsaved.
  }
  const bytes = text === undefined ? jsonSize(output, Number.MAX_SAFE_INTEGER) : Buffer.byteLength(text);
  const savedAs = text === undefined ? undefined : save?.(output.kind, suffix, text);
  return { kind: "too-large", outputKind: output.kind, bytes, limit, ...(savedAs ? { savedAs } : {}) };
}

/**
 * `output` as it may be shown under `limit` bytes: itself when small enough; else a `too-large`
 * notice (the whole output saved through `save`). A stack over the limit keeps its small items and
 * replaces each large one (saved with suffix `-<index>`); if it is still over, it is replaced whole.
 */
export function boundOutput(output: Output, limit: number, save?: SaveOutput): Output {
  if (jsonSize(output, limit) <= limit) return output;
  if (output.kind === "stack") {
    const items = output.items.map((item, i) => (jsonSize(item, limit) <= limit ? item : tooLarge(item, limit, save, `-${i}`)));
    const stack: Output = { kind: "stack", items };
    if (jsonSize(stack, limit) <= limit) return stack;
  }
  return tooLarge(output, limit, save, "");
}

/** Saves `id`'s too-large outputs in the session folder `dir` (`outputs/<id><suffix>.<ext>`); a failed write saves nothing. */
export function saveInSession(dir: string, id: CellId): SaveOutput {
  return (kind, suffix, content) => {
    try {
      const file = savedOutputFile(id, kind, suffix);
      const full = join(dir, file);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
      return file;
    } catch {
      return undefined; // the notice still shows, without a file to open
    }
  };
}
