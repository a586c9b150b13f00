/**
 * Runs one cell at a time and keeps what runs leave behind: the notebook's namespace, each run's
 * lifetime (its AbortSignal, cleanups, background work, widgets), failures and `stop()`s. A run
 * resolves its refs, calls the compiled cell inside its context (`currentCell()`), stores its defs
 * and reports its output, console and status. Which cells run, and when, is the kernel's and the
 * scheduler's business; this module is the one place that drops an older run's events.
 */
import type { CellError, CellId, KernelEvent, Output, OutputLimits, WidgetId } from "../protocol.ts";
import type { Graph } from "./graph.ts";
import type { CellAnalysis } from "./analyze.ts";
import { cellFrameFromStack, cellStack, compileCell, type AwaitGuard, type CellPositionMap, type Importer } from "./compile.ts";
import { toOutput } from "./runtime/output.ts";
import { cellStorage, type CellContext, type WidgetHandle } from "./runtime/context.ts";
import { StopSignal } from "./runtime/stop.ts";
// The one abort reason of every run, also what a cell's loop throws at a Stop (see interrupt.ts).
import { INTERRUPTED } from "./interrupt.ts";
import { consoleSinks, type ConsoleBatcher } from "./console-capture.ts";
import { boundOutput, saveInSession } from "./output-size.ts";
import type { LiveReaders } from "./live-readers.ts";

/** What a runner needs from its kernel. */
export interface RunnerHost {
  emit: (event: KernelEvent) => void;
  graph: () => Graph;
  limits: () => OutputLimits;
  closed: () => boolean;
  console: ConsoleBatcher;
  importer: Importer;
  /** What `import … from "flowbook"` gives cells (a ReferenceError names the import it needs). */
  runtimeModule: Record<string, unknown>;
  /** Where too-large outputs are saved; null keeps none. */
  sessionDir: string | null;
  live: LiveReaders;
  /** A cell asked for cells to re-run (`requestRun`). */
  requestRun: (ids: readonly CellId[]) => void;
  /** A state setter was called: readers of `value` re-run, not `except`; `at` is the run counter then. */
  rerunReaders: (value: unknown, except: CellId | undefined, at: number) => void;
}

/** One run of one cell. */
interface Run {
  runNumber: number;
  life: RunLife;
  outputs: Output[];
  counter: number;
}


/**
 * A run's lifetime: aborted once, on re-run, interrupt, failure or shutdown. Its AbortSignal is
 * made only when a cell asks for it (`invalidation()`, a training callback): most runs never do, and
 * an AbortController per run was a large share of re-running a long chain.
 */
class RunLife {
  aborted = false;
  private controller: AbortController | undefined;
  private readonly listeners: (() => void)[] = [];

  /** The run's signal, aborted with the kernel's interruption reason. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(INTERRUPTED);
    }
    return this.controller.signal;
  }

  /** Calls `fn` when the run ends (at once if it already has). */
  onAbort(fn: () => void): void {
    if (this.aborted) fn();
    else this.listeners.push(fn);
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.controller?.abort(INTERRUPTED);
    for (const fn of this.listeners.splice(0)) {
      // One failing cleanup must not skip the others or break the re-run that aborted this run.
      try {
        fn();
      } catch (e) {
        console.error("flowbook: a cell's cleanup threw:", e);
      }
    }
  }
}

/** Runs cells and holds their values. */
export class CellRunner {
  private readonly namespace = new Map<string, unknown>();
  /** Names each cell's last successful run put into the namespace. */
  private readonly owned = new Map<CellId, string[]>();
  /** The last cell that defined each name, to blame in a ReferenceError after it is gone. */
  private readonly lastDefiner = new Map<string, CellId>();
  /** Cells whose last run failed, with why. */
  readonly failed = new Map<CellId, CellError>();
  /** Import-only cells' bindings as of their last completed run. */
  readonly imported = new Map<CellId, Readonly<Record<string, string>>>();
  /** Cells whose last run called `stop()` or was cancelled by one, with the cell that called it. */
  readonly stoppedBy = new Map<CellId, CellId>();
  /** Counts cell runs started; `started` holds each cell's count at its latest start. */
  runCounter = 0;
  readonly started = new Map<CellId, number>();
  /** The cell run going on now (resolved when it has ended), for `interrupted` to wait on. */
  current: Promise<void> = Promise.resolve();
  private running: CellId | undefined;
  private readonly runs = new Map<CellId, Run>();
  private readonly widgets = new Map<WidgetId, { handle: WidgetHandle; cellId: CellId }>();
  /** Runs with background work going (see `CellContext.holdBackground`), and how many holds each has. */
  private readonly background = new Map<Run, number>();

  constructor(private readonly host: RunnerHost) {}

  /**
   * Aborts a cell's current run and removes what it defined. A cell about to re-run keeps its reads
   * of the store until the new run reads (or ends without reading), so that a re-run stopped before
   * its first read (an interrupt while training updates a live chart) still follows the store.
   */
  invalidate(id: CellId, rerun = false): void {
    this.runs.get(id)?.life.abort();
    this.runs.delete(id);
    for (const name of this.owned.get(id) ?? []) this.namespace.delete(name);
    this.owned.delete(id);
    this.imported.delete(id);
    this.failed.delete(id);
    this.stoppedBy.delete(id);
    if (!rerun) this.host.live.forget(id);
  }

  /** Runs cell `id` as run `runNumber`; `current` resolves when it has ended. */
  run(id: CellId, runNumber: number): Promise<void> {
    this.current = this.runCell(id, runNumber);
    return this.current;
  }

  /** Aborts the running cell and every run's background work (an interrupt). */
  abortRunning(): void {
    if (this.running) this.runs.get(this.running)?.life.abort();
    for (const run of [...this.background.keys()]) run.life.abort();
  }

  /** Aborts every run (the kernel shuts down). */
  abortAll(): void {
    for (const run of this.runs.values()) run.life.abort();
  }

  /** The widget with this id and the cell that made it, while that run lives. */
  widget(id: WidgetId): { handle: WidgetHandle; cellId: CellId } | undefined {
    return this.widgets.get(id);
  }

  /** The globals currently bound to `value`. */
  namesBoundTo(value: unknown): Set<string> {
    const names = new Set<string>();
    for (const [name, v] of this.namespace) if (v === value) names.add(name);
    return names;
  }

  /** Runs one cell: resolve refs, call its compiled function inside its context, store defs and output. */
  private async runCell(id: CellId, runNumber: number): Promise<void> {
    const analysis = this.host.graph().cells.get(id)!.analysis!;
    const run: Run = { runNumber, life: new RunLife(), outputs: [], counter: 0 };
    this.runs.set(id, run);
    this.started.set(id, ++this.runCounter);
    this.running = id;
    this.host.emit({ type: "cell-status", id, status: "running", runNumber });
    try {
      const refs: Record<string, unknown> = {};
      for (const name of analysis.refs) {
        if (this.namespace.has(name)) refs[name] = this.namespace.get(name);
        else if (!(name in globalThis) && this.lastDefiner.has(name)) {
          this.finish(id, runNumber, null, { kind: "reference", name, expectedCell: this.lastDefiner.get(name)!, ...this.importHint(name) });
          return;
        }
      }
      const life = run.life;
      const aborted = new Promise<never>((_, reject) => life.onAbort(() => reject(INTERRUPTED)));
      aborted.catch(() => {});
      const ctx = this.context(id, run, refs);
      const result = (async () => {
        const fn = compileCell(id, analysis, Object.keys(refs));
        // The await guard is passed inline: a named closure per run costs a `name` definition under tsx.
        // An await pending at the interrupt rejects (so the cell's `finally` runs); every await after it
        // never settles, so a `catch {}` that swallows the interrupt parks the cell instead of spinning.
        return cellStorage.run(ctx, () =>
          fn(refs, this.host.importer, ((value) => (life.aborted ? new Promise(parked) : Promise.race([Promise.resolve(value), aborted]))) as AwaitGuard),
        );
      })();
      result.catch(() => {}); // an interrupted cell may reject later; nobody waits for it then
      let value: Awaited<typeof result>;
      try {
        value = await Promise.race([result, aborted]);
      } catch (e) {
        if (e instanceof StopSignal && !life.aborted) {
          this.stopped(id, run, e);
          return;
        }
        // A loop of the cell saw a Stop the kernel has not read yet (the loop kept it from reading).
        if (e === INTERRUPTED && !life.aborted) {
          this.finish(id, runNumber, null, { kind: "interrupted" });
          return;
        }
        if (!life.aborted) {
          this.finish(id, runNumber, null, this.exceptionError(e, id, analysis));
          return;
        }
        // An interrupted cell ends only once the event loop turns: code still spinning on promises
        // (a loop swallowing the interrupt where no await is guarded) never lets it, so the cell stays
        // running and the host's kill-and-restart fallback stops it.
        await macrotask();
        this.finish(id, runNumber, null, { kind: "interrupted" });
        return;
      }
      const names = Object.keys(value.defs);
      for (const name of names) {
        this.namespace.set(name, value.defs[name]);
        this.lastDefiner.set(name, id);
      }
      this.owned.set(id, names);
      if (analysis.imports) this.imported.set(id, analysis.imports);
      const output = toOutput(value.output);
      if (output || !run.outputs.length) this.finish(id, runNumber, output);
      else this.finish(id, runNumber, undefined);
    } finally {
      this.running = undefined;
    }
  }

  /** Ends a run: records failure, emits output (undefined keeps imperative output), flushes console, idles. */
  finish(id: CellId, runNumber: number, output: Output | null | undefined, error?: CellError): void {
    // Only an interrupted run keeps the reads of the run before it (see `invalidate`).
    if (error?.kind !== "interrupted") this.host.live.forget(id, runNumber);
    if (error) {
      this.failed.set(id, error);
      // A failed cell defines nothing; its signal ends any work it started.
      this.runs.get(id)?.life.abort();
    }
    if (output !== undefined || error) this.host.emit({ type: "cell-output", id, runNumber, output: this.bounded(id, output ?? null), ...(error ? { error } : {}) });
    this.host.console.end(id, runNumber);
    this.host.emit({ type: "cell-status", id, status: "idle", runNumber });
  }

  /** A cell called `stop()`: it ends quietly showing the given output; its descendants are cancelled. */
  private stopped(id: CellId, run: Run, signal: StopSignal): void {
    this.stoppedBy.set(id, id);
    // Like a failure, the run defines nothing and its signal ends the work it started.
    run.life.abort();
    this.host.live.forget(id, run.runNumber);
    const output = toOutput(signal.output);
    this.host.emit({ type: "cell-output", id, runNumber: run.runNumber, output: this.bounded(id, output), stopped: { cell: id } });
    this.host.console.end(id, run.runNumber);
    this.host.emit({ type: "cell-status", id, status: "idle", runNumber: run.runNumber });
  }

  /** A descendant of a stopped cell: not run, no error, its output cleared. */
  cancel(id: CellId, runNumber: number, by: CellId): void {
    this.stoppedBy.set(id, by);
    this.host.live.forget(id);
    this.host.emit({ type: "cell-output", id, runNumber, output: null, stopped: { cell: by } });
    this.host.console.end(id, runNumber);
    this.host.emit({ type: "cell-status", id, status: "idle", runNumber });
  }

  /** Whether a run may still show output and register things: not aborted, kernel not closed. */
  private isLive(run: Run): boolean {
    return !run.life.aborted && !this.host.closed();
  }

  /**
   * Whether `run` is still cell `id`'s latest (aborted or not): what it says after an interrupt
   * (a background task's `catch` logging why it stopped) belongs on screen; a replaced run's does not.
   */
  private isCurrent(id: CellId, run: Run): boolean {
    return !this.host.closed() && this.runs.get(id) === run;
  }

  /** Emits a run's outputs so far as the cell's output. */
  private showOutputs(id: CellId, run: Run): void {
    const output: Output | null =
      run.outputs.length === 0 ? null : run.outputs.length === 1 ? run.outputs[0]! : { kind: "stack", items: [...run.outputs] };
    this.host.emit({ type: "cell-output", id, runNumber: run.runNumber, output: this.bounded(id, output) });
  }

  /** `output` within the output limit: a larger one is saved whole in the session folder and reported instead. */
  private bounded(id: CellId, output: Output | null): Output | null {
    const dir = this.host.sessionDir;
    return output && boundOutput(output, this.host.limits().outputBytes, dir ? saveInSession(dir, id) : undefined);
  }

  /**
   * The `currentCell()` object for one run, called with `inputs`. Methods, not arrow properties:
   * it is built for every run, and each named closure costs a `name` definition under tsx.
   */
  private context(id: CellId, run: Run, inputs: Record<string, unknown>): CellContext {
    const runner = this;
    const host = this.host;
    const ctx: CellContext = {
      cellId: id,
      runNumber: run.runNumber,
      get signal() {
        return run.life.signal;
      },
      inputs,
      display(output) {
        if (!runner.isLive(run)) return;
        run.outputs = output ? [output] : [];
        runner.showOutputs(id, run);
      },
      displayFinal(output) {
        if (!runner.isCurrent(id, run)) return;
        run.outputs = [output];
        runner.showOutputs(id, run);
      },
      append(output) {
        if (!runner.isLive(run)) return;
        run.outputs.push(output);
        runner.showOutputs(id, run);
      },
      onDispose(fn) {
        run.life.onAbort(fn);
      },
      nextId() {
        return run.counter++;
      },
      markLiveReader(match) {
        if (runner.isLive(run)) host.live.mark(id, run.runNumber, match);
      },
      requestRun(ids) {
        if (!host.closed()) host.requestRun(ids);
      },
      rerunReaders(value, except) {
        if (!host.closed()) host.rerunReaders(value, except, runner.runCounter);
      },
      registerWidget(widget) {
        if (!runner.isLive(run)) return;
        const entry = { handle: widget, cellId: id };
        runner.widgets.set(widget.id, entry);
        run.life.onAbort(() => {
          if (runner.widgets.get(widget.id) === entry) runner.widgets.delete(widget.id);
        });
      },
      holdBackground() {
        if (!runner.isLive(run)) return () => {};
        return runner.holdBackground(id, run);
      },
    };
    consoleSinks.set(ctx, (stream, text) => {
      // The one place an older run's events are dropped: an aborted run may still print while it is
      // the cell's current run (an interrupted cell's `finally`, a stopped task's `catch`), never once
      // a newer one began.
      if (this.isCurrent(id, run)) this.host.console.write(id, run.runNumber, stream, text);
    });
    return ctx;
  }

  /** One hold on `run`'s background work; released by the returned function or when the run is disposed. */
  private holdBackground(id: CellId, run: Run): () => void {
    const holds = this.background.get(run) ?? 0;
    this.background.set(run, holds + 1);
    if (holds === 0) this.host.emit({ type: "cell-background", id, runNumber: run.runNumber, active: true });
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      const left = this.background.get(run)! - 1;
      if (left > 0) return void this.background.set(run, left);
      this.background.delete(run);
      this.host.emit({ type: "cell-background", id, runNumber: run.runNumber, active: false });
    };
    run.life.onAbort(release);
    return release;
  }

  /**
   * A cell's emitted-JS position as its TypeScript line, and a column kept at the same distance
   * from the line's indentation (types erased before it on the line shift it a little).
   */
  private readonly positions: CellPositionMap = (id, jsLine, jsColumn) => {
    const node = this.host.graph().cells.get(id);
    const analysis = node?.analysis;
    if (!node || !analysis) return undefined;
    const line = analysis.lineMap[jsLine] ?? 1;
    const indent = (t: string) => t.length - t.trimStart().length;
    const js = analysis.js.split("\n")[jsLine - 1] ?? "";
    const ts = node.code.split("\n")[line - 1] ?? "";
    return { line, column: Math.max(1, Math.min(ts.length || 1, jsColumn - indent(js) + indent(ts))) };
  };

  /** For a name the "flowbook" module exports, how to import it (a ReferenceError's hint). */
  private importHint(name: string): { importFrom?: "flowbook" } {
    return Object.hasOwn(this.host.runtimeModule, name) ? { importFrom: "flowbook" } : {};
  }

  /**
   * A thrown value as a cell error: the TypeScript line and column of the first frame in the cell,
   * and a stack of the user's frames only (cell frames name the cell and its TypeScript line). A
   * ReferenceError for one of the cell's refs that no cell ever defined becomes a reference error.
   */
  private exceptionError(e: unknown, id: CellId, analysis: CellAnalysis): CellError {
    if (e instanceof ReferenceError) {
      const name = /^(\S+) is not defined$/.exec(e.message)?.[1];
      if (name && analysis.refs.includes(name)) return { kind: "reference", name, ...this.importHint(name) };
    }
    if (e instanceof Error) {
      const frame = cellFrameFromStack(e.stack, id, this.positions);
      const stack = e.stack ? cellStack(e.stack, this.positions) : undefined;
      return {
        kind: "exception",
        name: e.name,
        message: e.message,
        ...(stack ? { stack } : {}),
        ...(frame ? { line: frame.line, column: frame.column } : {}),
      };
    }
    return { kind: "exception", name: "Error", message: String(e) };
  }
}

/** A never-settling promise's executor: a parked await. */
function parked(): void {}

/** Resolves after one turn of the event loop (never, while code spins on promises). */
export function macrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
