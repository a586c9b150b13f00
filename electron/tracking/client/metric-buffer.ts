/**
 * Buffers logged metrics in memory and writes them as log-batch calls of at most MLflow's
 * `MAX_METRICS_PER_BATCH` metrics, on a short timer and when asked (endRun, flush). A failed write
 * is reported by the next flush, so a bad key surfaces at endRun instead of vanishing in a timer.
 */
import { MAX_METRICS_PER_BATCH } from "../limits.ts";
import type { Metric, TrackingStore } from "../types.ts";

/** Points queued before a write starts without waiting for the timer (a tight loop may never yield to it). */
const EAGER_FLUSH_POINTS = 10 * MAX_METRICS_PER_BATCH;

/** The buffer; one per fluent API instance. */
export class MetricBuffer {
  private pending = new Map<string, Metric[]>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> = Promise.resolve();
  private failure: unknown;
  private count = 0;

  constructor(
    private readonly store: () => TrackingStore,
    private readonly delayMs = 100,
  ) {}

  /** Queues one point; cheap (an array push), the write happens later. */
  add(runId: string, metric: Metric): void {
    let list = this.pending.get(runId);
    if (!list) this.pending.set(runId, (list = []));
    list.push(metric);
    if (++this.count >= EAGER_FLUSH_POINTS) void this.flush().catch(() => {});
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush().catch(() => {}), this.delayMs);
      this.timer.unref?.();
    }
  }

  /** Writes everything queued so far (all runs, or one); rejects with the first failed write since the last flush. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batches = this.pending;
    this.pending = new Map();
    this.count = 0;
    const store = this.store();
    this.writing = this.writing.then(async () => {
      for (const [run_id, metrics] of batches) {
        for (let i = 0; i < metrics.length; i += MAX_METRICS_PER_BATCH) {
          try {
            await store.logBatch({ run_id, metrics: metrics.slice(i, i + MAX_METRICS_PER_BATCH) });
          } catch (error) {
            this.failure ??= error;
          }
        }
      }
    });
    return this.writing.then(() => {
      const failure = this.failure;
      this.failure = undefined;
      if (failure !== undefined) throw failure;
    });
  }
}
