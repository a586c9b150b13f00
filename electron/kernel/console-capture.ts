/**
 * Per-cell console capture (reactive-semantics §4 rule 14): `console` is patched once so a call made
 * inside a cell, even after an await or in a background task it started, reaches that cell's sink
 * (AsyncLocalStorage carries the cell); text is batched into `cell-console` events.
 *
 * Bounded (the app): each run's whole console goes to its log file (console-log.ts), and each batch
 * sends only its last `consoleLines` lines / `consoleBytes` bytes, with `skippedLines` counting the
 * rest, so a cell printing a million lines costs the window a few messages of bounded size. A
 * synchronous flood never lets a timer fire, so a write also flushes once `floodFlushMs` have
 * passed since the last flush: the lines on screen stay recent even when Stop has to kill the
 * process. Unbounded (`flowbook run`): every line is sent, in batches, and nothing is logged.
 */
import { format } from "node:util";
import type { CellId, KernelEvent } from "../protocol.ts";
import { ConsoleLogFile, removeConsoleLog } from "./console-log.ts";
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

/**
 * The tail of a batch of console text within `maxLines` lines and about `maxBytes` bytes (UTF-16
 * units, which equal bytes for ASCII), cut at a line start; a last line longer than `maxBytes` keeps
 * its end. `skippedLines` counts the whole lines left out.
 */
export function consoleTail(text: string, maxLines: number, maxBytes: number): { text: string; skippedLines: number } {
  // Walk back one line at a time; the break ending the text ends its last line, not a new one.
  let start = text.length;
  let from = text.endsWith("\n") ? text.length - 2 : text.length - 1;
  for (let kept = 0; kept < maxLines; kept++) {
    const nl = from < 0 ? -1 : text.lastIndexOf("\n", from);
    if (nl < 0) {
      start = 0;
      break;
    }
    start = nl + 1;
    from = nl - 1;
  }
  if (text.length - start > maxBytes) {
    const cut = text.length - maxBytes;
    const nl = text.indexOf("\n", cut - 1);
    start = nl >= 0 && nl + 1 < text.length ? nl + 1 : cut;
  }
  if (start === 0) return { text, skippedLines: 0 };
  let skippedLines = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < start; i = text.indexOf("\n", i + 1)) skippedLines++;
  return { text: text.slice(start), skippedLines };
}

/** How a `ConsoleBatcher` sends and keeps console text. */
export interface ConsoleOptions {
  /** The batch interval while the event loop runs (ms). */
  batchMs: number;
  /** During a synchronous flood, a write flushes once this long has passed since the last flush (ms; default 50). */
  floodFlushMs?: number;
  /** The bounds of each batch sent (read at every flush); absent: every line is sent. */
  bounds?: () => { lines: number; bytes: number };
  /** The absolute path of a cell's full console log; absent: no log is kept. */
  logPath?: (id: CellId) => string;
}

/** One run's console not sent yet. */
interface RunConsole {
  id: CellId;
  runNumber: number;
  stdout: string;
  stderr: string;
  /** Lines trimmed from each stream's pending text before its flush (bounded mode). */
  skippedStdout: number;
  skippedStderr: number;
  /** Pending text past which the streams are trimmed to their tails (doubles with the tail kept, so trimming stays linear). */
  trimAt: number;
  /** Text not yet in the log file, both streams in call order. */
  log: string;
  file: ConsoleLogFile | undefined;
  /** The cell's run has ended: the log is closed after each later flush. */
  ended: boolean;
}

/** Pending text beyond this goes to the log at once, and (bounded) is cut to its tail, without waiting for the next flush. */
const LOG_CHUNK = 256 * 1024;
/** How many writes pass between two looks at the clock (a look costs more than a write's bookkeeping). */
const CLOCK_EVERY = 16;

/** Batches console text per cell run and stream into `cell-console` events, and logs it whole. */
export class ConsoleBatcher {
  private readonly runs = new Map<CellId, RunConsole>();
  /** The run written last: consecutive writes of one cell skip the map. */
  private last: RunConsole | undefined;
  /** Cells whose log file this kernel wrote, so a later run that prints nothing removes it. */
  private readonly logged = new Set<CellId>();
  private timer: NodeJS.Timeout | undefined;
  private lastFlush = performance.now();
  private writes = 0;
  private readonly floodMs: number;

  constructor(
    private readonly emit: (e: KernelEvent) => void,
    private readonly opts: ConsoleOptions,
  ) {
    this.floodMs = opts.floodFlushMs ?? 50;
  }

  /** Buffers `text`; a timer emits it within the batch interval, or this write does during a flood. */
  write(id: CellId, runNumber: number, stream: "stdout" | "stderr", text: string): void {
    let run = this.last;
    if (run === undefined || run.id !== id || run.runNumber !== runNumber) run = this.runOf(id, runNumber);
    if (stream === "stdout") run.stdout += text;
    else run.stderr += text;
    if (this.opts.logPath) {
      run.log += text;
      if (run.log.length >= LOG_CHUNK) this.writeLog(run);
    }
    if (this.opts.bounds && run.stdout.length + run.stderr.length > run.trimAt) this.trim(run);
    this.timer ??= setTimeout(() => this.flushAll(), this.opts.batchMs);
    if (++this.writes % CLOCK_EVERY === 0 && performance.now() - this.lastFlush >= this.floodMs) this.flushAll();
  }

  /**
   * Ends a cell's run: emits what it buffered and closes its log. A run that printed nothing removes
   * the log an earlier run of the cell left, so the file is always the latest run's.
   */
  end(id: CellId, runNumber: number): void {
    const run = this.runs.get(id);
    if (run && run.runNumber === runNumber) {
      this.flushRun(run);
      run.ended = true;
      run.file?.close();
      return;
    }
    if (this.opts.logPath && this.logged.has(id) && (!run || run.runNumber < runNumber)) {
      this.logged.delete(id);
      removeConsoleLog(this.opts.logPath(id));
    }
  }

  /** Emits everything buffered (batch timer, flood, shutdown). */
  flushAll(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastFlush = performance.now();
    for (const run of this.runs.values()) this.flushRun(run);
  }

  /** Emits everything and closes every log (the kernel shuts down). */
  close(): void {
    this.flushAll();
    for (const run of this.runs.values()) run.file?.close();
    this.runs.clear();
    this.last = undefined;
  }

  /** The console of `id`'s run `runNumber`; a newer run replaces the cell's older one (sent and closed first). */
  private runOf(id: CellId, runNumber: number): RunConsole {
    let run = this.runs.get(id);
    if (run && run.runNumber !== runNumber) {
      this.flushRun(run);
      run.file?.close();
      run = undefined;
    }
    if (!run) {
      const path = this.opts.logPath?.(id);
      const file = path ? new ConsoleLogFile(path, (message) => this.emit({ type: "cell-console", id, runNumber, stream: "stderr", text: message })) : undefined;
      if (path) this.logged.add(id);
      run = { id, runNumber, stdout: "", stderr: "", skippedStdout: 0, skippedStderr: 0, trimAt: LOG_CHUNK, log: "", file, ended: false };
      this.runs.set(id, run);
    }
    this.last = run;
    return run;
  }

  /** Keeps only the bounded tail of each stream's pending text, counting what it drops (memory stays bounded between flushes). */
  private trim(run: RunConsole): void {
    const { lines, bytes } = this.opts.bounds!();
    const out = consoleTail(run.stdout, lines, bytes);
    const err = consoleTail(run.stderr, lines, bytes);
    run.stdout = out.text;
    run.stderr = err.text;
    run.skippedStdout += out.skippedLines;
    run.skippedStderr += err.skippedLines;
    run.trimAt = Math.max(LOG_CHUNK, 2 * (run.stdout.length + run.stderr.length));
  }

  private writeLog(run: RunConsole): void {
    const text = run.log;
    run.log = "";
    run.file?.write(text);
  }

  /** Logs, then sends, a run's pending text; the log is written first so "open the full log" finds it. */
  private flushRun(run: RunConsole): void {
    if (run.log !== "") this.writeLog(run);
    if (run.ended) run.file?.close();
    if (run.stdout !== "") {
      this.send(run, "stdout", run.stdout, run.skippedStdout);
      run.stdout = "";
      run.skippedStdout = 0;
    }
    if (run.stderr !== "") {
      this.send(run, "stderr", run.stderr, run.skippedStderr);
      run.stderr = "";
      run.skippedStderr = 0;
    }
    run.trimAt = LOG_CHUNK;
  }

  private send(run: RunConsole, stream: "stdout" | "stderr", text: string, skipped: number): void {
    const base = { type: "cell-console", id: run.id, runNumber: run.runNumber, stream } as const;
    if (!this.opts.bounds) return this.emit({ ...base, text });
    const { lines, bytes } = this.opts.bounds();
    const tail = consoleTail(text, lines, bytes);
    const skippedLines = skipped + tail.skippedLines;
    this.emit({ ...base, text: tail.text, ...(skippedLines > 0 ? { skippedLines } : {}) });
  }
}
