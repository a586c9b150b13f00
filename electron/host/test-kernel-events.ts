/**
 * Test support for KernelClient tests: records a client's events with their arrival time and waits
 * for one matching a predicate (seen already or still to come).
 * @internal
 */
import type { KernelEvent } from "../protocol.ts";
import type { KernelClient } from "./kernel-client.ts";

/** Collects a client's events and waits for ones matching a predicate. */
export function recorder(client: KernelClient) {
  const events: { at: number; event: KernelEvent }[] = [];
  const waiters: { pred: (e: KernelEvent) => boolean; resolve: (e: KernelEvent) => void }[] = [];
  client.onEvent((event) => {
    events.push({ at: Date.now(), event });
    for (const w of [...waiters]) {
      if (w.pred(event)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(event);
      }
    }
  });
  return {
    events,
    next(pred: (e: KernelEvent) => boolean, timeoutMs = 15_000): Promise<KernelEvent> {
      const seen = events.find((e) => pred(e.event));
      if (seen) return Promise.resolve(seen.event);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out; events: ${JSON.stringify(events.map((e) => e.event))}`)), timeoutMs);
        waiters.push({ pred, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
  };
}
