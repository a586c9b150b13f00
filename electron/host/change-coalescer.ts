/**
 * Throttles the store's change stream for subscribers. A training loop can log thousands of metrics
 * a second; forwarding each as its own message would flood the renderer and re-run live reader
 * cells for nothing. Metric changes are merged per run and emitted at most once per interval (the
 * first at once, later ones at the end of the interval); nothing is ever dropped, and a run's
 * pending metrics are emitted before any other change of that run so order is kept.
 */
import type { StoreChange } from "../tracking/contract.ts";

type MetricsChange = Extract<StoreChange, { type: "metrics" }>;

/** A change throttle; `dispose` emits whatever is still pending. */
export interface ChangeCoalescer {
  push(change: StoreChange): void;
  dispose(): void;
}

interface RunSlot {
  pending: MetricsChange | undefined;
  lastEmit: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The interval for views: one animation frame. A chart draws at most once a frame, so more
 * messages would only cost the renderer work (measured: 8 ms was no faster), and a longer wait
 * adds to the metric→pixel latency.
 */
export const VIEW_INTERVAL_MS = 16;

/** Coalesces metric bursts to at most one change per run per `intervalMs` (50 ms ≈ 20 Hz by default). */
export function createChangeCoalescer(emit: (change: StoreChange) => void, intervalMs = 50): ChangeCoalescer {
  const runs = new Map<string, RunSlot>();

  const flush = (runId: string) => {
    const slot = runs.get(runId);
    if (!slot) return;
    clearTimeout(slot.timer);
    slot.timer = undefined;
    const pending = slot.pending;
    slot.pending = undefined;
    if (pending) {
      slot.lastEmit = Date.now();
      emit(pending);
    } else {
      // An idle run needs no slot; dropping it keeps the map bounded by live runs.
      runs.delete(runId);
    }
  };

  const pushMetrics = (change: MetricsChange) => {
    let slot = runs.get(change.run_id);
    if (!slot) {
      slot = { pending: undefined, lastEmit: 0, timer: undefined };
      runs.set(change.run_id, slot);
    }
    // The pending change owns its metrics array (a copy), so a burst appends in place.
    if (slot.pending) for (const m of change.metrics) slot.pending.metrics.push(m);
    else slot.pending = { ...change, metrics: [...change.metrics] };
    if (slot.timer) return;
    const wait = slot.lastEmit + intervalMs - Date.now();
    if (wait <= 0) {
      flush(change.run_id);
      // Start a quiet period, so the next burst waits for the interval.
      slot.timer = setTimeout(() => flush(change.run_id), intervalMs);
    } else {
      slot.timer = setTimeout(() => flush(change.run_id), wait);
    }
  };

  return {
    push(change) {
      switch (change.type) {
        case "metrics":
          pushMetrics(change);
          return;
        case "run":
          if (runs.get(change.run_id)?.pending) flush(change.run_id);
          emit(change);
          return;
        case "experiment":
        case "registry":
          emit(change);
          return;
        default: {
          const unknownChange: never = change;
          // A newer store's change kind: forward it rather than lose it.
          emit(unknownChange);
        }
      }
    },
    dispose() {
      for (const runId of [...runs.keys()]) {
        const slot = runs.get(runId)!;
        clearTimeout(slot.timer);
        if (slot.pending) emit(slot.pending);
      }
      runs.clear();
    },
  };
}

/**
 * A change with a metrics change cut to the last point of each key: all a listener needs that only
 * asks which keys of which run changed (the kernel's live readers), at a fraction of the message.
 */
export function latestPerKey(change: StoreChange): StoreChange {
  if (change.type !== "metrics") return change;
  const last = new Map<string, MetricsChange["metrics"][number]>();
  for (const m of change.metrics) last.set(m.key, m);
  return last.size === change.metrics.length ? change : { ...change, metrics: [...last.values()] };
}
