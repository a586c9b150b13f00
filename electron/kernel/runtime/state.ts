/**
 * `state(initial)` → `[get, set]`, marimo's escape hatch for values that change without a code edit
 * (reactive-semantics §4 rule 11, T31/T32). Calling the setter stores the value and, after the current
 * pass, re-runs every cell reading a global bound to the getter, except the cell that called the
 * setter (unless `allowSelfLoops`). A setter called from a background task schedules a pass; pending
 * updates are dropped on interrupt.
 */
import { currentCell, tryCurrentCell } from "./context.ts";

/** Options of `state`. */
export interface StateOptions {
  /** Also re-run the cell that calls the setter (beware of loops). */
  allowSelfLoops?: boolean;
}

/** Reads the state's current value. */
export type StateGetter<T> = () => T;
/** Sets the value (or derives it from the previous one) and re-runs the getter's readers. */
export type StateSetter<T> = (next: T | ((prev: T) => T)) => void;

/** Creates a state cell; call it at the top level of a cell and bind the getter to a global. */
export function state<T>(initial: T, options: StateOptions = {}): [StateGetter<T>, StateSetter<T>] {
  const owner = currentCell();
  let value = initial;
  const get: StateGetter<T> = () => value;
  const set: StateSetter<T> = (next) => {
    value = typeof next === "function" ? (next as (prev: T) => T)(value) : next;
    const caller = tryCurrentCell() ?? owner;
    caller.rerunReaders(get, options.allowSelfLoops ? undefined : caller.cellId);
  };
  return [get, set];
}
