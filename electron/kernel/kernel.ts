/**
 * The in-process kernel: dispatches `KernelCommand`s for one notebook (reactive-semantics §1, §4).
 * It holds the graph (`graph.ts`), asks the scheduler (`scheduler.ts`) which cells run or go stale,
 * and hands each run to the cell runner (`cell-runner.ts`); live readers are throttled in
 * `live-readers.ts`. `process.ts` wraps it in a child process; tests drive it directly. Commands are
 * handled one at a time, except `interrupt`, live-store changes and tracking replies, which act at once
 * (a running cell must be stoppable and must get its replies).
 */
import { join } from "node:path";
import type { CellError, CellId, CellSource, CellStatus, KernelCommand, KernelEvent, Output, OutputLimits, RunMode, TrackingReply, WidgetId } from "../protocol.ts";
import { assertNever } from "../protocol.ts";
import { emptyGraph, updateGraph, variables, type Graph, type GraphChange } from "./graph.ts";
import { afterChange, blockedBy, planRun, readersToRerun, reenabled, type ReaderRequest, type RunState } from "./scheduler.ts";
import { createImporter } from "./compile.ts";
import { CellRunner, macrotask } from "./cell-runner.ts";
import { interruptCounts } from "./interrupt.ts";
import { LiveReaders } from "./live-readers.ts";
import type { WidgetHandle } from "./runtime/context.ts";
import { ConsoleBatcher, installConsoleRouting } from "./console-capture.ts";
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

/** A state setter's call: readers of `value` re-run (names are resolved when the request is served). */
interface SetterCall {
  value: unknown;
  except?: CellId;
  /** The run counter when the setter was called. */
  at: number;
}

/** The reactive kernel. */
export class Kernel {
  private graph: Graph = emptyGraph;
  private mode: RunMode = "autorun";
  private readonly stale = new Set<CellId>();
  /** The `interrupted` event still to come (once the interrupted cell has ended). */
  private acking: Promise<void> | undefined;
  private readonly runNumbers = new Map<CellId, number>();
  private readonly pendingUi = new Map<WidgetId, unknown>();
  private readonly pendingForced = new Set<CellId>();
  private readonly pendingReaders: SetterCall[] = [];
  private flushQueued = false;
  private chain: Promise<void> = Promise.resolve();
  private lastInterrupt = 0;
  private interruptEpoch = 0;
  /** A cell is running (`runPass` awaits it). */
  private cellRunning = false;
  /** `interrupt` commands read while a cell ran: answered once it has ended (see `interrupt.ts`). */
  private unanswered = 0;
  private closed = false;
  private readonly console: ConsoleBatcher;
  private readonly live: LiveReaders;
  private readonly runner: CellRunner;
  private limits: OutputLimits;

  constructor(private readonly opts: KernelOptions) {
    this.limits = mergeLimits(opts.limits);
    const dir = opts.sessionDir === undefined ? sessionDir(opts.notebookPath) : opts.sessionDir;
    const bounded = opts.boundedConsole ?? true;
    this.console = new ConsoleBatcher(opts.emit, {
      batchMs: opts.consoleBatchMs ?? 10,
      ...(bounded ? { bounds: () => ({ lines: this.limits.consoleLines, bytes: this.limits.consoleBytes }) } : {}),
      ...(bounded && dir ? { logPath: (id: CellId) => join(dir, consoleLogFile(id)) } : {}),
    });
    // A live reader's store change and a cell's `requestRun` both force cells into the next pass.
    const force = (ids: readonly CellId[]) => {
      for (const c of ids) this.pendingForced.add(c);
      void this.queueFlush();
    };
    this.live = new LiveReaders(opts.liveIntervalMs ?? 100, (id) => force([id]));
    this.runner = new CellRunner({
      emit: opts.emit,
      graph: () => this.graph,
      limits: () => this.limits,
      closed: () => this.closed,
      console: this.console,
      importer: createImporter(opts.notebookPath, opts.runtimeModule),
      runtimeModule: opts.runtimeModule,
      sessionDir: dir,
      live: this.live,
      requestRun: force,
      rerunReaders: (value, except, at) => {
        this.pendingReaders.push({ value, at, ...(except ? { except } : {}) });
        void this.queueFlush();
      },
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
        this.live.onChange(cmd.change);
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
        // One change: cells opened together that define one name all show the conflict.
        this.change({ type: "set-cells", cells: cmd.cells });
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
        // One click leaves nothing stale: the stale cells' descendants run too, in lazy mode as well
        // (running a stale cell would only make them stale next).
        return this.runPass([...this.stale], [], "autorun");
      case "delete-cell": {
        if (!this.graph.cells.has(cmd.id)) return;
        this.runner.invalidate(cmd.id);
        this.stale.delete(cmd.id);
        const extra = this.change({ type: "delete-cell", id: cmd.id });
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
          return this.runPass(reenabled(this.graph, cmd.id, this.stale), []);
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
    const extra = this.change({ type: "set-cells", cells });
    this.emitVariables();
    const roots = cells.map((c) => c.id).filter((id) => !this.graph.errors.has(id));
    return this.runPass(roots, extra.filter((id) => !roots.includes(id)));
  }

  /**
   * Applies a graph change: cells it errored lose their values and show the error; returns the cells
   * to re-run (autorun) or mark stale (lazy), as `afterChange` decides.
   */
  private change(change: GraphChange): CellId[] {
    const old = this.graph;
    const { next, changed } = updateGraph(old, change);
    this.graph = next;
    const { extra, errored } = afterChange(old, next, changed);
    for (const id of errored) {
      this.runner.invalidate(id);
      this.stale.delete(id);
      this.emitOutput(id, null, next.errors.get(id));
      this.status(id, "idle");
    }
    return extra;
  }

  private markStale(ids: CellId[]): void {
    for (const id of ids) {
      if (!this.graph.cells.has(id)) continue;
      this.stale.add(id);
      if (!this.graph.cells.get(id)!.config.disabled) this.status(id, "stale");
    }
  }

  /** One pass: plan, clear the defs of every cell about to run, then run them one at a time. */
  private async runPass(roots: CellId[], extra: CellId[], mode: RunMode = this.mode): Promise<void> {
    const plan = planRun(this.graph, roots, extra, { ...this.runState(), mode });
    this.markStale(plan.markStale);
    if (!plan.run.length) return;
    const numbers = new Map<CellId, number>();
    for (const id of plan.run) {
      this.runner.invalidate(id, true);
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
      // A pending Stop is one a cell's loop saw before its `interrupt` command could be read.
      if (epoch !== this.interruptEpoch || interruptCounts.pending) {
        this.runner.finish(id, runNumber, null, { kind: "interrupted" });
        continue;
      }
      const blocked = blockedBy(this.graph, id, this.runner.failed, this.runner.stoppedBy);
      if (blocked && "error" in blocked) {
        this.runner.finish(id, runNumber, null, blocked.error);
        continue;
      }
      if (blocked) {
        this.runner.cancel(id, runNumber, blocked.stoppedBy);
        continue;
      }
      this.pendingForced.delete(id);
      this.cellRunning = true;
      await this.runner.run(id, runNumber);
      this.cellRunning = false;
      this.answerInterrupts();
    }
    this.opts.emit({ type: "completed-run" });
  }

  /** What the scheduler needs besides the graph. */
  private runState(): RunState {
    return { mode: this.mode, stale: this.stale, failed: this.runner.failed, imported: this.runner.imported };
  }

  /** Schedules one pass serving UI values, state updates and live re-runs gathered so far. */
  private queueFlush(): Promise<void> {
    if (this.flushQueued) return this.chain;
    this.flushQueued = true;
    return this.enqueue(() => {
      this.flushQueued = false;
      const requests: ReaderRequest[] = [];
      const served: WidgetHandle[] = [];
      for (const [wid, value] of this.pendingUi) {
        const entry = this.runner.widget(wid);
        if (!entry) continue;
        entry.handle.setValue(value);
        served.push(entry.handle);
        // A widget's readers re-run whenever they last ran: the new value came from outside.
        requests.push({ names: this.runner.namesBoundTo(entry.handle.value), except: entry.cellId, at: Infinity });
      }
      this.pendingUi.clear();
      for (const { value, except, at } of this.pendingReaders.splice(0)) {
        requests.push({ names: this.runner.namesBoundTo(value), at, ...(except ? { except } : {}) });
      }
      const forced = [...this.pendingForced];
      this.pendingForced.clear();
      // In lazy mode the readers only went stale: settling now would hide the click from their later run.
      const settle = () => this.mode === "autorun" && served.forEach((h) => h.settle?.());
      return this.runPass(forced, readersToRerun(this.graph, requests, this.runner.started)).finally(settle);
    });
  }

  /** Aborts the running cell; queued cells of the pass become interrupted; pending updates are dropped. */
  private interrupt(): void {
    this.lastInterrupt = interruptCounts.requestedAt ?? Date.now();
    // A cell's loops keep seeing the Stop until the interrupted cell has ended (it may swallow the
    // abort and spin); answered earlier, the next pass's cells would see it instead.
    this.unanswered++;
    if (!this.cellRunning) this.answerInterrupts();
    this.interruptEpoch++;
    this.pendingReaders.length = 0;
    this.pendingForced.clear();
    this.runner.abortRunning();
    // `interrupted` means the aborted cell has really ended and the event loop turns again: the host
    // keeps its kill-and-restart fallback armed until then (a cell may swallow the abort and spin).
    const ack = this.runner.current.then(macrotask).then(() => {
      if (!this.closed) this.opts.emit({ type: "interrupted" });
      if (this.acking === ack) this.acking = undefined;
    });
    this.acking = ack;
  }

  /** Answers the `interrupt` commands read so far: cells' loops no longer see their Stops. */
  private answerInterrupts(): void {
    for (; this.unanswered > 0; this.unanswered--) interruptCounts.answered();
  }

  private shutdown(): void {
    this.closed = true;
    this.runner.abortAll();
    this.live.close();
    this.console.close();
  }

  private status(id: CellId, status: CellStatus): void {
    this.opts.emit({ type: "cell-status", id, status, runNumber: this.runNumbers.get(id) ?? 0 });
  }

  private emitOutput(id: CellId, output: Output | null, error?: CellError): void {
    this.opts.emit({ type: "cell-output", id, runNumber: this.runNumbers.get(id) ?? 0, output, ...(error ? { error } : {}) });
  }

  private emitVariables(): void {
    this.opts.emit({ type: "variables", variables: variables(this.graph) });
  }
}
