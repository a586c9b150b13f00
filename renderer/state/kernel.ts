/**
 * What the kernel reports per cell (status, output, error, console) and the notebook's variables.
 * Every cell event carries a run number; events from a run older than the newest seen are dropped,
 * so a slow message from an interrupted run can never overwrite a fresh result.
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
  Output,
  VariableInfo,
} from "../../electron/protocol.ts";

/** One chunk of a cell's console. */
export interface ConsoleChunk {
  stream: "stdout" | "stderr";
  text: string;
}

/** The kernel's view of one cell. */
export interface CellRunState {
  status: CellStatus;
  runNumber: number;
  output: Output | null;
  error: CellError | null;
  /** Counts applied outputs, so imperative views (Plotly) redraw without deep-tracking the data. */
  outputRevision: number;
  console: ConsoleChunk[];
}

const blank = (): CellRunState => ({ status: "idle", runNumber: 0, output: null, error: null, outputRevision: 0, console: [] });

/** Keeps a cell's console bounded: a chatty loop must not grow the DOM without end. */
const CONSOLE_LIMIT = 2000;

/** Per-cell run state, the variables graph, and whether an interrupt was just reported. */
export function createKernelState() {
  const [cells, setCells] = createStore<Record<string, CellRunState>>({});
  const [variables, setVariables] = createStore<VariableInfo[]>([]);
  const [interrupted, setInterrupted] = createSignal(false);

  /** Starts a newer run's record: clears the console and output of the previous run. */
  const accept = (id: CellId, runNumber: number): boolean => {
    const current = cells[id];
    if (!current) {
      setCells(id, { ...blank(), runNumber });
      return true;
    }
    if (runNumber < current.runNumber) return false;
    if (runNumber > current.runNumber) {
      setCells(id, produce((c) => {
        c.runNumber = runNumber;
        c.console = [];
      }));
    }
    return true;
  };

  return {
    cells,
    variables,
    interrupted,
    /** The state of one cell, blank if the kernel has said nothing about it yet. */
    cell(id: CellId): CellRunState {
      return cells[id] ?? blank();
    },
    applyStatus(e: CellStatusChanged) {
      if (!accept(e.id, e.runNumber)) return;
      setCells(e.id, "status", e.status);
      if (e.status === "running") setInterrupted(false);
    },
    applyOutput(e: CellOutput) {
      if (!accept(e.id, e.runNumber)) return;
      // reconcile, not set: setting an object through a store path merges keys, which would leave
      // fields of the previous output behind; reconcile replaces while keeping unchanged parts.
      setCells(e.id, "output", reconcile(e.output));
      setCells(e.id, "error", reconcile(e.error ?? null));
      setCells(e.id, "outputRevision", (n) => n + 1);
    },
    applyConsole(e: CellConsole) {
      if (!accept(e.id, e.runNumber)) return;
      setCells(e.id, "console", produce((chunks) => {
        const last = chunks[chunks.length - 1];
        if (last && last.stream === e.stream) last.text += e.text;
        else chunks.push({ stream: e.stream, text: e.text });
        if (chunks.length > CONSOLE_LIMIT) chunks.splice(0, chunks.length - CONSOLE_LIMIT);
      }));
    },
    applyVariables(list: VariableInfo[]) {
      setVariables(reconcile(list, { key: "name" }));
    },
    markInterrupted() {
      setInterrupted(true);
    },
    /**
     * A restarted kernel holds no values, so every cell that ran is stale, and the new process
     * counts runs from zero again.
     */
    resetForRestart() {
      setCells(produce((all) => {
        for (const c of Object.values(all)) {
          c.runNumber = 0;
          if (c.status !== "disabled") c.status = "stale";
        }
      }));
    },
    /** Forgets everything: a different notebook was opened. */
    clear() {
      setCells(reconcile({}));
      setVariables([]);
      setInterrupted(false);
    },
    forget(id: CellId) {
      setCells(produce((all) => void delete all[id]));
    },
  };
}

/** The kernel domain's state and actions. */
export type KernelStateStore = ReturnType<typeof createKernelState>;
