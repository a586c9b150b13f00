/**
 * `progress`: a progress bar in the cell's output, advanced by iterating or by hand.
 *
 *     for (const batch of progress(batches, { label: "epoch 1" })) { … }
 *     for await (const row of progress(stream, { total: n })) { … }
 *     const bar = progress(100, { label: "download" }); bar.advance(10); … bar.done();
 *
 * Updates are shown through the cell's `display` at most 10 times a second plus once at the end,
 * so a tight loop does not flood the host. Iterating stops (throwing the abort reason) once the
 * cell run is aborted, which makes loops over `progress` interruptible at each step. A bar whose
 * run is aborted before it is done (Stop during training the cell did not await) says "stopped".
 */
import { tryCurrentCell } from "./context.ts";

/** Options of `progress`. */
export interface ProgressOptions {
  label?: string;
  /** The number of steps, when the iterable does not tell (no `length` or `size`). */
  total?: number;
}

/** A progress bar advanced by hand. */
export interface ProgressBar {
  /** Moves the bar `steps` forward (1 by default). */
  advance(steps?: number): void;
  /** Sets the bar to `value` steps done. */
  set(value: number): void;
  /** Shows the final state now. */
  done(): void;
}

const MIN_INTERVAL_MS = 100;

function bar(total: number, label: string): ProgressBar & { check(): void } {
  const cell = tryCurrentCell();
  let value = 0;
  let shown = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  const show = () => {
    clearTimeout(timer);
    timer = undefined;
    shown = Date.now();
    cell?.display({ kind: "progress", label, value, total });
  };
  const update = () => {
    const wait = shown + MIN_INTERVAL_MS - Date.now();
    if (wait <= 0) show();
    // A trailing update so the bar never stops short of the last value.
    else timer ??= setTimeout(show, wait);
  };
  let finished = false;
  cell?.onDispose(() => {
    clearTimeout(timer);
    if (!finished && value < total) cell.displayFinal({ kind: "progress", label, value, total, stopped: true });
  });
  show();
  return {
    advance: (steps = 1) => {
      value += steps;
      update();
    },
    set: (v) => {
      value = v;
      update();
    },
    done: () => {
      // Done while the run is aborted is the end of stopped work: the stopped frame stays.
      if (cell?.signal.aborted) return;
      finished = true;
      show();
    },
    check: () => cell?.signal.throwIfAborted(),
  };
}

function sizeOf(items: unknown): number | undefined {
  const o = items as { length?: unknown; size?: unknown };
  if (typeof o.length === "number") return o.length;
  if (typeof o.size === "number") return o.size;
  return undefined;
}

function* wrapSync<T>(items: Iterable<T>, b: ReturnType<typeof bar>): Generator<T> {
  try {
    for (const item of items) {
      b.check();
      yield item;
      b.advance();
    }
  } finally {
    b.done();
  }
}

async function* wrapAsync<T>(items: AsyncIterable<T>, b: ReturnType<typeof bar>): AsyncGenerator<T> {
  try {
    for await (const item of items) {
      b.check();
      yield item;
      b.advance();
    }
  } finally {
    b.done();
  }
}

/** A bar of `total` steps advanced by hand. */
export function progress(total: number, opts?: ProgressOptions): ProgressBar;
/** Iterates `items`, advancing a bar one step per item. */
export function progress<T>(items: Iterable<T>, opts?: ProgressOptions): Generator<T>;
/** Iterates `items` asynchronously, advancing a bar one step per item. */
export function progress<T>(items: AsyncIterable<T>, opts?: ProgressOptions): AsyncGenerator<T>;
export function progress<T>(
  itemsOrTotal: number | Iterable<T> | AsyncIterable<T>,
  opts: ProgressOptions = {},
): ProgressBar | Generator<T> | AsyncGenerator<T> {
  const label = opts.label ?? "";
  if (typeof itemsOrTotal === "number") {
    const b = bar(itemsOrTotal, label);
    return { advance: b.advance, set: b.set, done: b.done };
  }
  const total = opts.total ?? sizeOf(itemsOrTotal) ?? 0;
  if (Symbol.asyncIterator in itemsOrTotal) return wrapAsync(itemsOrTotal, bar(total, label));
  return wrapSync(itemsOrTotal, bar(total, label));
}
