/**
 * Coalescing of pushed events: a burst (a training loop logging thousands of points a second, a
 * cell's console chunks) becomes one batch per animation frame — the app's host events in `state/`,
 * store changes in live charts — and page re-queries are additionally throttled so the runs table
 * does not re-search on every frame.
 */

/** Schedules a callback for the next frame; injectable so tests run without a DOM. */
export type FrameScheduler = (cb: () => void) => void;

function defaultScheduler(cb: () => void): void {
  if (typeof requestAnimationFrame === "function") requestAnimationFrame(() => cb());
  else setTimeout(cb, 16);
}

/**
 * Returns `push(item)`: items pushed within one frame reach `flush` together, in order.
 * `dispose()` drops anything pending (the view unmounted).
 */
export function frameBatcher<T>(
  flush: (items: T[]) => void,
  schedule: FrameScheduler = defaultScheduler,
): { push(item: T): void; dispose(): void } {
  let pending: T[] = [];
  let scheduled = false;
  let disposed = false;
  return {
    push(item) {
      if (disposed) return;
      pending.push(item);
      if (scheduled) return;
      scheduled = true;
      schedule(() => {
        scheduled = false;
        if (disposed) return;
        const items = pending;
        pending = [];
        flush(items);
      });
    },
    dispose() {
      disposed = true;
      pending = [];
    },
  };
}

/**
 * Leading+trailing throttle: the first call runs at once, calls within `ms` after it collapse into
 * one trailing run, so the last change is never lost.
 */
export function throttle(fn: () => void, ms: number): { (): void; cancel(): void } {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    timer = undefined;
    last = Date.now();
    fn();
  };
  const call = () => {
    if (timer !== undefined) return;
    const wait = last + ms - Date.now();
    if (wait <= 0) run();
    else timer = setTimeout(run, wait);
  };
  call.cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return call;
}
