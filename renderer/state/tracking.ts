/** Recent tracking-store changes pushed by the host, newest first, for live views. */
import { createSignal } from "solid-js";
import type { StoreChange } from "../../electron/tracking/contract.ts";

const FEED_LIMIT = 100;

/** A store change with the time it arrived. */
export interface FeedEntry {
  at: number;
  change: StoreChange;
}

/** The change feed and its single action. */
export function createTrackingState() {
  // A signal of a plain array, not a store: a store update deep-walks every entry, i.e. every metric
  // point of the last FEED_LIMIT changes, on each pushed change (it starved live charts).
  const [feed, setFeed] = createSignal<readonly FeedEntry[]>([]);
  return {
    /** The changes, newest first (reactive). */
    get feed(): readonly FeedEntry[] {
      return feed();
    },
    /** Adds a pushed change; the feed is bounded so a long training run cannot grow it forever. */
    applyChange(change: StoreChange) {
      setFeed((list) => [{ at: Date.now(), change }, ...list.slice(0, FEED_LIMIT - 1)]);
    },
  };
}

/** The tracking domain's state and actions. */
export type TrackingState = ReturnType<typeof createTrackingState>;
