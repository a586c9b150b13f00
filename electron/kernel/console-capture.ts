/**
 * Per-cell console capture (reactive-semantics §4 rule 14): `console` is patched once so a call made
 * inside a cell, even after an await or in a background task it started, reaches that cell's sink
 * (AsyncLocalStorage carries the cell); text is batched into `cell-console` events.
 */
import { format } from "node:util";
import type { CellId, KernelEvent } from "../protocol.ts";
import { cellStorage, type CellContext } from "./runtime/context.ts";

/** Where console text of a cell context goes (set per run by the owning kernel). */
export const consoleSinks = new WeakMap<CellContext, (stream: "stdout" | "stderr", text: string) => void>();
let consoleRouted = false;

/** Patches `console` once so calls inside a cell (even after an await) go to that cell's sink. */
export function installConsoleRouting(): void {
  if (consoleRouted) return;
  consoleRouted = true;
  const route = (method: "log" | "info" | "debug" | "warn" | "error", stream: "stdout" | "stderr") => {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      const ctx = cellStorage.getStore();
      const sink = ctx && consoleSinks.get(ctx);
      if (sink) sink(stream, format(...args) + "\n");
      else original(...args);
    };
  };
  route("log", "stdout");
  route("info", "stdout");
  route("debug", "stdout");
  route("warn", "stderr");
  route("error", "stderr");
}

/** Batches console text per cell run and stream into `cell-console` events. */
export class ConsoleBatcher {
  private readonly buffers = new Map<string, { id: CellId; runNumber: number; stream: "stdout" | "stderr"; text: string }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly emit: (e: KernelEvent) => void, private readonly ms: number) {}

  /** Buffers `text`; a timer emits it within the batch interval. */
  write(id: CellId, runNumber: number, stream: "stdout" | "stderr", text: string): void {
    const key = `${id}\0${runNumber}\0${stream}`;
    const buf = this.buffers.get(key);
    if (buf) buf.text += text;
    else this.buffers.set(key, { id, runNumber, stream, text });
    this.timer ??= setTimeout(() => this.flushAll(), this.ms);
  }

  /** Emits a cell's buffered text now (before it goes idle). */
  flush(id: CellId): void {
    for (const [key, buf] of this.buffers) {
      if (buf.id !== id) continue;
      this.buffers.delete(key);
      this.emit({ type: "cell-console", ...buf });
    }
  }

  /** Emits everything buffered (batch timer, shutdown). */
  flushAll(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const buf of this.buffers.values()) this.emit({ type: "cell-console", ...buf });
    this.buffers.clear();
  }
}
