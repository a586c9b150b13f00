/**
 * The running cell, as seen by runtime functions (md, progress, ui, state, mlflow readers, training
 * callbacks). The kernel runs every cell inside `cellStorage.run(ctx, …)`, so `currentCell()` works
 * after awaits and inside background tasks a cell started: AsyncLocalStorage follows async
 * continuations, which is what attributes late output and console text to the right cell.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { CellId, Output, WidgetId } from "../../protocol.ts";
import type { StoreChange } from "../../tracking/contract.ts";

/** One run of one cell. A new run of the same cell gets a new context and a new signal. */
export interface CellContext {
  readonly cellId: CellId;
  /** Increments on every run of the cell; matches `cell-status`/`cell-output` events. */
  readonly runNumber: number;
  /** Aborted when the cell re-runs, is deleted, interrupted, or the kernel shuts down. */
  readonly signal: AbortSignal;
  /** The values of the names this run reads from other cells, as it was called with them (run provenance). */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** Replaces the cell's output now (imperative `output.replace`); ignored once the run is stale. */
  display(output: Output | null): void;
  /**
   * Shows `output` as the run's last word even after the run was aborted (a progress bar saying it
   * stopped), unless a newer run of the cell replaced it.
   */
  displayFinal(output: Output): void;
  /** Appends to the cell's output (shown as a stack); ignored once the run is stale. */
  append(output: Output): void;
  /** Runs `fn` when this run is disposed (same moment `signal` aborts). */
  onDispose(fn: () => void): void;
  /** Next per-run counter value, for deterministic ids like widget ids `<cellId>-<n>`. */
  nextId(): number;
  /** Makes this cell re-run when a matching `tracking-changed` arrives (throttled, coalesced). */
  markLiveReader(match: (change: StoreChange) => boolean): void;
  /** Asks the kernel to run these cells (and their stale ancestors / descendants per run mode). */
  requestRun(cellIds: readonly CellId[]): void;
  /**
   * After the current pass, re-runs (or, in lazy mode, marks stale) every cell that reads a name bound
   * to `value`, except `except`. Readers are resolved late so a value defined by the running cell counts.
   */
  rerunReaders(value: unknown, except?: CellId): void;
  /** Makes `widget` reachable by `set-ui-value`; it is unregistered when this run is disposed. */
  registerWidget(widget: WidgetHandle): void;
  /**
   * Declares work this run keeps doing after the cell returns (a training loop). Until the returned
   * function is called, or the run is disposed, the kernel counts as busy and an interrupt disposes
   * this run as it would a running cell's.
   */
  holdBackground(): () => void;
}

/** The kernel's view of a UI element: `set-ui-value` calls `setValue`, then re-runs readers of `value`. */
export interface WidgetHandle {
  readonly id: WidgetId;
  /** The object cells hold (what a global is bound to). */
  readonly value: object;
  /** Stores a value coming from the renderer. */
  setValue(value: unknown): void;
  /**
   * Called once the pass that re-ran the readers of a value set here has ended, in autorun mode
   * (marimo's `_on_update_completion`): a run button goes back to false.
   */
  settle?(): void;
}

/** The storage the kernel enters for each cell run. Runtime code reads it through `currentCell()`. */
export const cellStorage = new AsyncLocalStorage<CellContext>();

/** The cell whose code (or background task) is running; throws outside a cell. */
export function currentCell(): CellContext {
  const ctx = cellStorage.getStore();
  if (!ctx) throw new Error("flowbook runtime function called outside a notebook cell");
  return ctx;
}

/** Like `currentCell()` but undefined outside a cell, for helpers that also work in plain scripts. */
export function tryCurrentCell(): CellContext | undefined {
  return cellStorage.getStore();
}

/**
 * Registers the current cell as a live reader: each `tracking-changed` whose change satisfies
 * `match` re-runs it, at most 10 times a second, coalesced. Call it from a tracking read inside a
 * cell; the registration ends when the run is disposed (the re-run registers again).
 */
export function markLiveReader(match: (change: StoreChange) => boolean): void {
  tryCurrentCell()?.markLiveReader(match);
}

/** Requests a run of `cellIds` from background work of the current cell (e.g. a state setter). */
export function requestRun(cellIds: readonly CellId[]): void {
  currentCell().requestRun(cellIds);
}
