/**
 * The in-process kernel: one notebook's namespace, graph and runs, driven by `KernelCommand`s and
 * reporting `KernelEvent`s (reactive-semantics §1, §4). `process.ts` wraps it in a child process;
 * tests drive it directly. Commands are handled one at a time, except `interrupt`, live-store changes
 * and tracking replies, which act at once (a running cell must be stoppable and must get its replies).
 */
import { join } from "node:path";
import type { CellError, CellId, CellSource, CellStatus, KernelCommand, KernelEvent, Output, OutputLimits, RunMode, TrackingReply, WidgetId } from "../protocol.ts";
import type { StoreChange } from "../tracking/contract.ts";
import { assertNever } from "../protocol.ts";
import { emptyGraph, descendants, readersOf, updateGraph, variables, type Graph, type GraphChange } from "./graph.ts";
import { planRun } from "./scheduler.ts";
import type { CellAnalysis } from "./analyze.ts";
import { cellFrameFromStack, cellStack, compileCell, type CellPositionMap, createImporter, type AwaitGuard, type Importer } from "./compile.ts";
import { toOutput } from "./runtime/output.ts";
import { cellStorage, type CellContext, type WidgetHandle } from "./runtime/context.ts";
import { StopSignal } from "./runtime/stop.ts";
import { ConsoleBatcher, consoleSinks, installConsoleRouting } from "./console-capture.ts";
import { boundOutput, saveInSession } from "./output-size.ts";
import { mergeLimits } from "../common/output-bounds.ts";
import { consoleLogFile, sessionDir } from "../notebook/index.ts";

/** Options of `Kernel`. */
export interface KernelOptions {
  /** The notebook file; imports resolve from its folder. */
  notebookPath: string;
  /** What `import … from "flowbook"` gives cells. */
  runtimeModule: Record<string, unknown>;
  /** Receives every kernel event. */
  emit: (event: KernelEvent) => void;
  /** Receives `tracking-reply` commands (the runtime's tracking client pairs them with requests). */
  onTrackingReply?: (reply: TrackingReply) => void;
  /** Minimum interval between re-runs of one live reader cell (ms); 100 keeps it ≤ 10 Hz. */
  liveIntervalMs?: number;
  /** Console batching interval (ms). */
  consoleBatchMs?: number;
  /** Output bounds until `kernel-init` or `set-output-limits` gives others (default: the built-in ones). */
  limits?: OutputLimits;
  /**
   * The notebook's session folder, for console logs and too-large outputs (default: beside the
   * notebook, see `notebook/session-files.ts`); null keeps no files.
   */
  sessionDir?: string | null;
  /**
   * true (default, the app): each console batch sent is bounded by the limits, and the whole console
   * is logged in the session folder. false (`flowbook run`): every line is sent and nothing is logged.
   */
  boundedConsole?: boolean;
}

/** One run of one cell. */
interface Run {
  runNumber: number;
  life: RunLife;
  outputs: Output[];
  counter: number;
}

/** A re-run request from state setters: readers of `value`, resolved when the request is served. */
interface ReaderRequest {
  value: unknown;
  except?: CellId;
}

class Interruption extends Error {
  override name = "Interrupted";
}
/**
 * The one abort reason of every run. Built once: a fresh Error (or abort()'s default DOMException)
 * per invalidated run captures a stack each time, which dominated re-running a long chain.
 */
const INTERRUPTED = new Interruption("interrupted");

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

/** The reactive kernel. */
export class Kernel {
  private graph: Graph = emptyGraph;
  private mode: RunMode = "autorun";
  private readonly namespace = new Map<string, unknown>();
  /** Names each cell's last successful run put into the namespace. */
  private readonly owned = new Map<CellId, string[]>();
  /** The last cell that defined each name, to blame in a ReferenceError after it is gone. */
  private readonly lastDefiner = new Map<string, CellId>();
  private readonly stale = new Set<CellId>();
  private readonly failed = new Map<CellId, CellError>();
  /** Cells whose last run called `stop()` or was cancelled by one, with the cell that called it. */
  private readonly stoppedBy = new Map<CellId, CellId>();
  /** The cell run going on now (resolved when it has ended), for `interrupted` to wait on. */
  private current: Promise<void> = Promise.resolve();
  /** The `interrupted` event still to come (once the interrupted cell has ended). */
  private acking: Promise<void> | undefined;
  private readonly runs = new Map<CellId, Run>();
  private readonly runNumbers = new Map<CellId, number>();
  private readonly widgets = new Map<WidgetId, { handle: WidgetHandle; cellId: CellId }>();
  private readonly liveReaders = new Map<CellId, { runNumber: number; matches: ((c: StoreChange) => boolean)[] }>();
  /** Runs with background work going (see `CellContext.holdBackground`), and how many holds each has. */
  private readonly background = new Map<Run, number>();
  private readonly liveTimers = new Map<CellId, { last: number; timer?: NodeJS.Timeout }>();
  private readonly pendingUi = new Map<WidgetId, unknown>();
  private readonly pendingForced = new Set<CellId>();
  private readonly pendingReaders: ReaderRequest[] = [];
  private flushQueued = false;
  private chain: Promise<void> = Promise.resolve();
  private running: CellId | undefined;
  private lastInterrupt = 0;
  private interruptEpoch = 0;
  private closed = false;
  private readonly importer: Importer;
  private readonly console: ConsoleBatcher;
  private limits: OutputLimits;
  private readonly sessionDir: string | null;

  constructor(private readonly opts: KernelOptions) {
    this.importer = createImporter(opts.notebookPath, opts.runtimeModule);
    this.limits = mergeLimits(opts.limits);
    this.sessionDir = opts.sessionDir === undefined ? sessionDir(opts.notebookPath) : opts.sessionDir;
    const bounded = opts.boundedConsole ?? true;
    const dir = this.sessionDir;
    this.console = new ConsoleBatcher(opts.emit, {
      batchMs: opts.consoleBatchMs ?? 10,
      ...(bounded ? { bounds: () => ({ lines: this.limits.consoleLines, bytes: this.limits.consoleBytes }) } : {}),
      ...(bounded && dir ? { logPath: (id: CellId) => join(dir, consoleLogFile(id)) } : {}),
    });
    installConsoleRouting();
  }

  /** Handles one command; resolves when it (and any run it started) is done. */
  handle(cmd: KernelCommand): Promise<void> {
    if (this.closed) return Promise.resolve();
    switch (cmd.type) {
      case "interrupt":
        this.interrupt();
        return Promise.resolve();
      case "tracking-changed":
        this.onStoreChange(cmd.change);
        return Promise.resolve();
      case "tracking-reply":
        this.opts.onTrackingReply?.(cmd);
        return Promise.resolve();
      case "set-ui-value":
        this.pendingUi.set(cmd.id, cmd.value); // last write wins within a burst
        return this.queueFlush();
      case "set-output-limits":
        // Read by every later output and console batch; nothing re-runs.
        this.limits = mergeLimits(this.limits, cmd.limits);
        return Promise.resolve();
      case "shutdown":
        this.shutdown();
        return Promise.resolve();
      case "kernel-init":
      case "execute-cells":
      case "run-stale-cells":
      case "delete-cell":
      case "set-cell-order":
      case "set-cell-config":
      case "set-run-mode":
        return this.enqueue(() => this.process(cmd));
      default:
        return assertNever(cmd);
    }
  }

  /**
   * The cells as the kernel has them, in notebook order: the code each last ran with (or was given
   * at init, or when it was last executed), for run provenance.
   */
  cells(): CellSource[] {
    return this.graph.order.map((id) => {
      const { code, config } = this.graph.cells.get(id)!;
      return { id, code, config };
    });
  }

  /** Resolves once no command or scheduled re-run is left (tests and `flowbook run` wait on it). */
  async idle(): Promise<void> {
    for (;;) {
      const current = this.chain;
      await current;
      if (this.acking) await this.acking;
      if (current === this.chain && !this.flushQueued) return;
    }
  }

  private enqueue(job: () => Promise<void> | void): Promise<void> {
    this.chain = this.chain.then(job).catch((e) => {
      console.error("flowbook kernel: internal error", e);
    });
    return this.chain;
  }

  private async process(
    cmd: Exclude<KernelCommand, { type: "interrupt" | "tracking-changed" | "tracking-reply" | "set-ui-value" | "set-output-limits" | "shutdown" }>,
  ): Promise<void> {
    switch (cmd.type) {
      case "kernel-init": {
        this.mode = cmd.mode;
        if (cmd.limits) this.limits = mergeLimits(cmd.limits);
        for (const cell of cmd.cells) this.change({ type: "set-cell", id: cell.id, code: cell.code, config: cell.config });
        this.change({ type: "set-order", ids: cmd.cells.map((c) => c.id) });
        // Nothing has run yet, so every cell is stale: running one cell runs its ancestors first.
        this.markStale(this.graph.order.filter((id) => !this.graph.errors.has(id)));
        this.emitVariables();
        this.opts.emit({ type: "kernel-ready" });
        return;
      }
      case "execute-cells":
        if (cmd.requestedAt < this.lastInterrupt) return; // stamped before the last interrupt
        return this.execute(cmd.cells);
      case "run-stale-cells":
        return this.runPass([...this.stale], []);
      case "delete-cell": {
        if (!this.graph.cells.has(cmd.id)) return;
        this.invalidate(cmd.id);
        this.stale.delete(cmd.id);
        const { extra, stale } = this.change({ type: "delete-cell", id: cmd.id });
        this.markStale(stale);
        this.emitVariables();
        return this.runPass([], extra);
      }
      case "set-cell-order":
        this.change({ type: "set-order", ids: cmd.ids });
        return;
      case "set-cell-config": {
        const node = this.graph.cells.get(cmd.id);
        if (!node) return;
        const wasDisabled = !!node.config.disabled;
        this.change({ type: "set-config", id: cmd.id, config: cmd.config });
        if (cmd.config.disabled && !wasDisabled) this.status(cmd.id, "disabled");
        if (!cmd.config.disabled && wasDisabled) {
          this.status(cmd.id, this.stale.has(cmd.id) ? "stale" : "idle");
          // Re-enabling runs the cell and its blocked descendants if they went stale meanwhile.
          const waiting = [cmd.id, ...descendants(this.graph, [cmd.id])].filter((id) => this.stale.has(id));
          return this.runPass(waiting, []);
        }
        return;
      }
      case "set-run-mode":
        this.mode = cmd.mode;
        return;
      default:
        return assertNever(cmd);
    }
  }

  /** Registers edited cells and runs them with their stale ancestors (and descendants in autorun). */
  private execute(cells: CellSource[]): Promise<void> {
    const extra = new Set<CellId>();
    const stale = new Set<CellId>();
    for (const cell of cells) {
      const delta = this.change({ type: "set-cell", id: cell.id, code: cell.code, config: cell.config });
      delta.extra.forEach((id) => extra.add(id));
      delta.stale.forEach((id) => stale.add(id));
    }
    this.markStale([...stale]);
    this.emitVariables();
    const roots = cells.map((c) => c.id).filter((id) => !this.graph.errors.has(id));
    return this.runPass(roots, [...extra].filter((id) => !roots.includes(id)));
  }

  /**
   * Applies a graph change and reacts to errors it created or cleared. Returns cells that should
   * re-run (autorun) or go stale (lazy), and cells that go stale regardless.
   */
  private change(change: GraphChange): { extra: CellId[]; stale: CellId[] } {
    const old = this.graph;
    const { next, changed } = updateGraph(old, change);
    this.graph = next;
    const extra = new Set<CellId>(changed.recovered);
    const stale = new Set<CellId>();
    for (const id of changed.errored) {
      this.invalidate(id);
      this.stale.delete(id);
      // An unregistered or conflicting cell no longer feeds its former readers: they go stale.
      descendants(old, [id]).forEach((d) => stale.add(d));
      this.emitOutput(id, null, next.errors.get(id));
      this.status(id, "idle");
    }
    const touchedErrored = "id" in change && next.errors.has(change.id);
    for (const id of changed.orphaned) (touchedErrored ? stale : extra).add(id);
    for (const id of stale) extra.delete(id);
    return { extra: [...extra].filter((id) => !next.errors.has(id)), stale: [...stale].filter((id) => !next.errors.has(id)) };
  }

  /**
   * Aborts a cell's current run and removes what it defined. A cell about to re-run keeps its reads
   * of the store until the new run reads (or ends without reading), so that a re-run stopped before
   * its first read (an interrupt while training updates a live chart) still follows the store.
   */
  private invalidate(id: CellId, rerun = false): void {
    this.runs.get(id)?.life.abort();
    this.runs.delete(id);
    for (const name of this.owned.get(id) ?? []) this.namespace.delete(name);
    this.owned.delete(id);
    this.failed.delete(id);
    this.stoppedBy.delete(id);
    if (!rerun) this.liveReaders.delete(id);
  }

  private markStale(ids: CellId[]): void {
    for (const id of ids) {
      if (!this.graph.cells.has(id)) continue;
      this.stale.add(id);
      if (!this.graph.cells.get(id)!.config.disabled) this.status(id, "stale");
    }
  }

  /** One pass: plan, clear the defs of every cell about to run, then run them one at a time. */
  private async runPass(roots: CellId[], extra: CellId[]): Promise<void> {
    const plan = planRun(this.graph, roots, extra, this.stale, this.mode);
    this.markStale(plan.markStale);
    if (!plan.run.length) return;
    const numbers = new Map<CellId, number>();
    for (const id of plan.run) {
      this.invalidate(id, true);
      this.stale.delete(id);
      const n = (this.runNumbers.get(id) ?? 0) + 1;
      this.runNumbers.set(id, n);
      numbers.set(id, n);
      this.opts.emit({ type: "cell-status", id, status: "queued", runNumber: n });
    }
    const epoch = this.interruptEpoch;
    for (const id of plan.run) {
      const runNumber = numbers.get(id)!;
      if (this.closed) return;
      if (epoch !== this.interruptEpoch) {
        this.finish(id, runNumber, null, { kind: "interrupted" });
        continue;
      }
      const blocker = this.failedParent(id);
      if (blocker) {
        this.finish(id, runNumber, null, blocker);
        continue;
      }
      const stopper = this.stoppedParent(id);
      if (stopper) {
        this.cancel(id, runNumber, stopper);
        continue;
      }
      this.current = this.runCell(id, runNumber);
      await this.current;
    }
    this.opts.emit({ type: "completed-run" });
  }

  /** The error a cell inherits from a parent that failed (in this pass or an earlier one). */
  private failedParent(id: CellId): CellError | undefined {
    for (const parent of this.graph.parents.get(id) ?? []) {
      const error = this.failed.get(parent);
      if (!error) continue;
      const refs = this.graph.cells.get(id)!.analysis?.refs ?? [];
      const name = refs.find((r) => this.graph.claims.get(r)?.[0] === parent);
      const cell = error.kind === "ancestor-failed" ? error.cell : parent;
      return { kind: "ancestor-failed", cell, ...(name ? { name } : {}) };
    }
    return undefined;
  }

  /** The cell whose `stop()` cancels `id` (a parent stopped or was cancelled by it), if any. */
  private stoppedParent(id: CellId): CellId | undefined {
    for (const parent of this.graph.parents.get(id) ?? []) {
      const by = this.stoppedBy.get(parent);
      if (by) return by;
    }
    return undefined;
  }

  /** A cell called `stop()`: it ends quietly showing the given output; its descendants are cancelled. */
  private stopped(id: CellId, run: Run, signal: StopSignal): void {
    this.stoppedBy.set(id, id);
    // Like a failure, the run defines nothing and its signal ends the work it started.
    run.life.abort();
    if (this.liveReaders.get(id)?.runNumber !== run.runNumber) this.liveReaders.delete(id);
    const output = toOutput(signal.output);
    this.opts.emit({ type: "cell-output", id, runNumber: run.runNumber, output: this.bounded(id, output), stopped: { cell: id } });
    this.console.end(id, run.runNumber);
    this.opts.emit({ type: "cell-status", id, status: "idle", runNumber: run.runNumber });
  }

  /** A descendant of a stopped cell: not run, no error, its output cleared. */
  private cancel(id: CellId, runNumber: number, by: CellId): void {
    this.stoppedBy.set(id, by);
    this.liveReaders.delete(id);
    this.opts.emit({ type: "cell-output", id, runNumber, output: null, stopped: { cell: by } });
    this.console.end(id, runNumber);
    this.opts.emit({ type: "cell-status", id, status: "idle", runNumber });
  }

  /** Runs one cell: resolve refs, call its compiled function inside its context, store defs and output. */
  private async runCell(id: CellId, runNumber: number): Promise<void> {
    const analysis = this.graph.cells.get(id)!.analysis!;
    const run: Run = { runNumber, life: new RunLife(), outputs: [], counter: 0 };
    this.runs.set(id, run);
    this.pendingForced.delete(id);
    this.running = id;
    this.opts.emit({ type: "cell-status", id, status: "running", runNumber });
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
          fn(refs, this.importer, ((value) => (life.aborted ? new Promise(parked) : Promise.race([Promise.resolve(value), aborted]))) as AwaitGuard),
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
      const output = toOutput(value.output);
      if (output || !run.outputs.length) this.finish(id, runNumber, output);
      else this.finish(id, runNumber, undefined);
    } finally {
      this.running = undefined;
    }
  }

  /** Ends a run: records failure, emits output (undefined keeps imperative output), flushes console, idles. */
  private finish(id: CellId, runNumber: number, output: Output | null | undefined, error?: CellError): void {
    // Only an interrupted run keeps the reads of the run before it (see `invalidate`).
    if (error?.kind !== "interrupted" && this.liveReaders.get(id)?.runNumber !== runNumber) this.liveReaders.delete(id);
    if (error) {
      this.failed.set(id, error);
      // A failed cell defines nothing; its signal ends any work it started.
      this.runs.get(id)?.life.abort();
    }
    if (output !== undefined || error) this.opts.emit({ type: "cell-output", id, runNumber, output: this.bounded(id, output ?? null), ...(error ? { error } : {}) });
    this.console.end(id, runNumber);
    this.opts.emit({ type: "cell-status", id, status: "idle", runNumber });
  }

  /** Whether a run may still show output and register things: not aborted, kernel not closed. */
  private isLive(run: Run): boolean {
    return !run.life.aborted && !this.closed;
  }

  /** Emits a run's outputs so far as the cell's output. */
  private showOutputs(id: CellId, run: Run): void {
    const output: Output | null =
      run.outputs.length === 0 ? null : run.outputs.length === 1 ? run.outputs[0]! : { kind: "stack", items: [...run.outputs] };
    this.opts.emit({ type: "cell-output", id, runNumber: run.runNumber, output: this.bounded(id, output) });
  }

  /** `output` within the output limit: a larger one is saved whole in the session folder and reported instead. */
  private bounded(id: CellId, output: Output | null): Output | null {
    return output && boundOutput(output, this.limits.outputBytes, this.sessionDir ? saveInSession(this.sessionDir, id) : undefined);
  }

  /**
   * The `currentCell()` object for one run, called with `inputs`. Methods, not arrow properties:
   * it is built for every run, and each named closure costs a `name` definition under tsx.
   */
  private context(id: CellId, run: Run, inputs: Record<string, unknown>): CellContext {
    const kernel = this;
    const ctx: CellContext = {
      cellId: id,
      runNumber: run.runNumber,
      get signal() {
        return run.life.signal;
      },
      inputs,
      display(output) {
        if (!kernel.isLive(run)) return;
        run.outputs = output ? [output] : [];
        kernel.showOutputs(id, run);
      },
      append(output) {
        if (!kernel.isLive(run)) return;
        run.outputs.push(output);
        kernel.showOutputs(id, run);
      },
      onDispose(fn) {
        run.life.onAbort(fn);
      },
      nextId() {
        return run.counter++;
      },
      markLiveReader(match) {
        if (!kernel.isLive(run)) return;
        const entry = kernel.liveReaders.get(id);
        if (entry && entry.runNumber === run.runNumber) entry.matches.push(match);
        else kernel.liveReaders.set(id, { runNumber: run.runNumber, matches: [match] });
      },
      requestRun(ids) {
        if (kernel.closed) return;
        for (const c of ids) kernel.pendingForced.add(c);
        void kernel.queueFlush();
      },
      rerunReaders(value, except) {
        if (kernel.closed) return;
        kernel.pendingReaders.push({ value, ...(except ? { except } : {}) });
        void kernel.queueFlush();
      },
      registerWidget(widget) {
        if (!kernel.isLive(run)) return;
        const entry = { handle: widget, cellId: id };
        kernel.widgets.set(widget.id, entry);
        run.life.onAbort(() => {
          if (kernel.widgets.get(widget.id) === entry) kernel.widgets.delete(widget.id);
        });
      },
      holdBackground() {
        if (!kernel.isLive(run)) return () => {};
        return kernel.holdBackground(id, run);
      },
    };
    consoleSinks.set(ctx, (stream, text) => {
      if (this.isLive(run) || this.running === id) this.console.write(id, run.runNumber, stream, text);
    });
    return ctx;
  }

  /** Schedules one pass serving UI values, state updates and live re-runs gathered so far. */
  private queueFlush(): Promise<void> {
    if (this.flushQueued) return this.chain;
    this.flushQueued = true;
    return this.enqueue(() => {
      this.flushQueued = false;
      const reactive = new Set<CellId>();
      const served: WidgetHandle[] = [];
      for (const [wid, value] of this.pendingUi) {
        const entry = this.widgets.get(wid);
        if (!entry) continue;
        entry.handle.setValue(value);
        served.push(entry.handle);
        for (const reader of this.readersOfValue(entry.handle.value)) if (reader !== entry.cellId) reactive.add(reader);
      }
      this.pendingUi.clear();
      for (const { value, except } of this.pendingReaders.splice(0)) {
        for (const reader of this.readersOfValue(value)) if (reader !== except) reactive.add(reader);
      }
      const forced = [...this.pendingForced];
      this.pendingForced.clear();
      // In lazy mode the readers only went stale: settling now would hide the click from their later run.
      const settle = () => this.mode === "autorun" && served.forEach((h) => h.settle?.());
      return this.runPass(forced, [...reactive]).finally(settle);
    });
  }

  /** Cells reading a global currently bound to `value`. */
  private readersOfValue(value: unknown): CellId[] {
    const names = new Set<string>();
    for (const [name, v] of this.namespace) if (v === value) names.add(name);
    return names.size ? readersOf(this.graph, names) : [];
  }

  /** A store change: matching live readers re-run, throttled per cell, coalesced. */
  private onStoreChange(change: StoreChange): void {
    const interval = this.opts.liveIntervalMs ?? 100;
    for (const [id, entry] of this.liveReaders) {
      if (!entry.matches.some((m) => safeMatch(m, change))) continue;
      const t = this.liveTimers.get(id) ?? { last: 0 };
      this.liveTimers.set(id, t);
      if (t.timer) continue;
      t.timer = setTimeout(() => {
        t.timer = undefined;
        t.last = Date.now();
        this.pendingForced.add(id);
        void this.queueFlush();
      }, Math.max(0, t.last + interval - Date.now()));
    }
  }

  /** Aborts the running cell; queued cells of the pass become interrupted; pending updates are dropped. */
  private interrupt(): void {
    this.lastInterrupt = Date.now();
    this.interruptEpoch++;
    this.pendingReaders.length = 0;
    this.pendingForced.clear();
    if (this.running) this.runs.get(this.running)?.life.abort();
    for (const run of [...this.background.keys()]) run.life.abort();
    // `interrupted` means the aborted cell has really ended and the event loop turns again: the host
    // keeps its kill-and-restart fallback armed until then (a cell may swallow the abort and spin).
    const ack = this.current.then(macrotask).then(() => {
      if (!this.closed) this.opts.emit({ type: "interrupted" });
      if (this.acking === ack) this.acking = undefined;
    });
    this.acking = ack;
  }

  /** One hold on `run`'s background work; released by the returned function or when the run is disposed. */
  private holdBackground(id: CellId, run: Run): () => void {
    const holds = this.background.get(run) ?? 0;
    this.background.set(run, holds + 1);
    if (holds === 0) this.opts.emit({ type: "cell-background", id, runNumber: run.runNumber, active: true });
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      const left = this.background.get(run)! - 1;
      if (left > 0) return void this.background.set(run, left);
      this.background.delete(run);
      this.opts.emit({ type: "cell-background", id, runNumber: run.runNumber, active: false });
    };
    run.life.onAbort(release);
    return release;
  }

  private shutdown(): void {
    this.closed = true;
    for (const run of this.runs.values()) run.life.abort();
    for (const t of this.liveTimers.values()) clearTimeout(t.timer);
    this.console.close();
  }

  private status(id: CellId, status: CellStatus): void {
    this.opts.emit({ type: "cell-status", id, status, runNumber: this.runNumbers.get(id) ?? 0 });
  }

  private emitOutput(id: CellId, output: Output | null, error?: CellError): void {
    this.opts.emit({ type: "cell-output", id, runNumber: this.runNumbers.get(id) ?? 0, output, ...(error ? { error } : {}) });
  }

  /**
   * A cell's emitted-JS position as its TypeScript line, and a column kept at the same distance
   * from the line's indentation (types erased before it on the line shift it a little).
   */
  private readonly positions: CellPositionMap = (id, jsLine, jsColumn) => {
    const node = this.graph.cells.get(id);
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
    return Object.hasOwn(this.opts.runtimeModule, name) ? { importFrom: "flowbook" } : {};
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

  private emitVariables(): void {
    this.opts.emit({ type: "variables", variables: variables(this.graph) });
  }
}

function safeMatch(match: (c: StoreChange) => boolean, change: StoreChange): boolean {
  try {
    return match(change);
  } catch {
    return false;
  }
}

/** A never-settling promise's executor: a parked await. */
function parked(): void {}

/** Resolves after one turn of the event loop (never, while code spins on promises). */
function macrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
