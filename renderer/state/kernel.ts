/**
 * What the kernel reports per cell (status, output, error, console) and the notebook's variables.
 * Events are applied as they come: the kernel is the one place that drops an older run's events
 * (a slow message from an interrupted run never leaves it), and the host keeps their order.
 */
import { createSignal } from "solid-js";
import { createStore, produce, reconcile } from "solid-js/store";
import type {
  CellConsole,
  CellError,
  CellId,
  CellOutput,
  CellStatus,
  CellStatusChanged,
  LastOutput,
  Output,
  OutputLimits,
  VariableInfo,
} from "../../electron/protocol.ts";
import { appendConsole, emptyTail, type ConsoleTail } from "./console-tail.ts";
import { DEFAULT_OUTPUT_LIMITS, mergeLimits } from "../../electron/common/output-bounds.ts";

/** The kernel's view of one cell. */
export interface CellRunState {
  status: CellStatus;
  output: Output | null;
  error: CellError | null;
  /** Counts applied outputs, so imperative views (Plotly) redraw without deep-tracking the data. */
  outputRevision: number;
  /** The console of run `consoleRun`, bounded by the notebook's `consoleLines`/`consoleBytes` (the rest is in its full log). */
  console: ConsoleTail;
  /** The run the console belongs to: it stays until a newer run starts or prints (a Stop keeps the last lines in view). */
  consoleRun: number;
  /** Why the cell is stale when no edit made it so (the kernel was restarted to stop a cell). */
  staleReason: string | null;
  /** The cell whose `stop()` ended this run (this cell) or kept it from running (an ancestor). */
  stoppedBy: CellId | null;
  /** The output (or error) is what the cell showed in the previous session: shown until it recomputes. */
  fromLastSession: boolean;
}

const blank = (): CellRunState => ({
  status: "idle",
  output: null,
  error: null,
  outputRevision: 0,
  console: emptyTail(),
  consoleRun: 0,
  staleReason: null,
  stoppedBy: null,
  fromLastSession: false,
});

/** Per-cell run state, the variables graph, and whether an interrupt was just reported. */
export function createKernelState() {
  const [cells, setCells] = createStore<Record<string, CellRunState>>({});
  const [variables, setVariables] = createStore<VariableInfo[]>([]);
  const [interrupted, setInterrupted] = createSignal(false);
  /** Why every cell went stale, from the kernel restart that stopped a cell, until a cell runs again. */
  const [restartReason, setRestartReason] = createSignal<string | null>(null);
  // The open notebook's bounds; a console tail reads them as it grows.
  const [limits, setLimits] = createSignal<OutputLimits>(DEFAULT_OUTPUT_LIMITS);

  /** The cell's entry, made blank on its first event. */
  const ensure = (id: CellId) => {
    if (!cells[id]) setCells(id, blank());
  };

  /**
   * Clears the previous run's console once another run starts or prints. Other events do not (the
   * host marks every cell stale after killing a stuck kernel), so the lines a stopped flood printed
   * last stay in view.
   */
  const startConsole = (id: CellId, runNumber: number) => {
    if (cells[id].consoleRun === runNumber) return;
    setCells(id, produce((c) => {
      c.consoleRun = runNumber;
      c.console = emptyTail();
    }));
  };

  return {
    cells,
    variables,
    interrupted,
    restartReason,
    /** The open notebook's output bounds. */
    limits,
    /** Takes an opened notebook's bounds (the host merged the app's defaults with its header). */
    useLimits(given: OutputLimits) {
      setLimits(given);
    },
    /** Changes some of the open notebook's bounds (a raised output limit). */
    updateLimits(patch: Partial<OutputLimits>) {
      setLimits((current) => mergeLimits(current, patch));
    },
    /** The state of one cell, blank if the kernel has said nothing about it yet. */
    cell(id: CellId): CellRunState {
      return cells[id] ?? blank();
    },
    applyStatus(e: CellStatusChanged) {
      ensure(e.id);
      if (e.status === "queued" || e.status === "running") startConsole(e.id, e.runNumber);
      setCells(e.id, "status", e.status);
      // The restarted kernel marks every cell stale again, without the reason: it stays until the cell runs.
      setCells(e.id, "staleReason", (was) => (e.status === "stale" ? (e.reason ?? was) : null));
      if (e.reason) setRestartReason(e.reason);
      if (e.status === "running") {
        setInterrupted(false);
        setRestartReason(null);
      }
    },
    applyOutput(e: CellOutput) {
      // No console reset here: an output alone does not start a run (the kernel restarted to stop
      // this cell reports why, and the lines it printed last must stay).
      ensure(e.id);
      // reconcile, not set: setting an object through a store path merges keys, which would leave
      // fields of the previous output behind; reconcile replaces while keeping unchanged parts.
      setCells(e.id, "output", reconcile(e.output));
      setCells(e.id, "error", reconcile(e.error ?? null));
      setCells(e.id, "stoppedBy", e.stopped?.cell ?? null);
      setCells(e.id, "outputRevision", (n) => n + 1);
      setCells(e.id, "fromLastSession", false);
    },
    /** Shows what cells showed in the previous session, for cells that have shown nothing in this one. */
    applyLast(outputs: LastOutput[]) {
      for (const last of outputs) {
        const current = cells[last.id];
        if (current && (current.output !== null || current.error !== null)) continue;
        if (!current) setCells(last.id, blank());
        setCells(last.id, produce((c) => {
          c.output = last.output;
          c.error = last.error ?? null;
          c.fromLastSession = true;
          c.outputRevision++;
        }));
      }
    },
    /** Appends console text to the run's tail, trimmed to the bounds: a flood costs its own length, never the tail's. */
    applyConsole(e: CellConsole) {
      ensure(e.id);
      startConsole(e.id, e.runNumber);
      const bounds = limits();
      setCells(e.id, "console", produce((tail) => appendConsole(tail, e, bounds)));
    },
    applyVariables(list: VariableInfo[]) {
      setVariables(reconcile(list, { key: "name" }));
    },
    markInterrupted() {
      setInterrupted(true);
    },
    /**
     * A restarted kernel holds no values, so every cell that ran is stale, and the new process
     * counts runs from one again (so its first run clears the console even if the number matches).
     * Consoles stay (what a stopped cell printed last) until the cell's next run starts.
     */
    resetForRestart() {
      setCells(produce((all) => {
        for (const c of Object.values(all)) {
          c.consoleRun = 0;
          if (c.status !== "disabled") c.status = "stale";
        }
      }));
    },
    /** Forgets everything: a different notebook was opened. */
    clear() {
      setCells(reconcile({}));
      setVariables([]);
      setInterrupted(false);
      setRestartReason(null);
    },
    forget(id: CellId) {
      setCells(produce((all) => void delete all[id]));
    },
  };
}

/** The kernel domain's state and actions. */
export type KernelStateStore = ReturnType<typeof createKernelState>;
