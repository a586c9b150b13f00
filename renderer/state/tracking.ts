/** Recent tracking-store changes pushed by the host, newest first, for live views. */
import { createStore, produce } from "solid-js/store";
import type { StoreChange } from "../../electron/protocol.ts";

const FEED_LIMIT = 100;

/** A store change with the time it arrived. */
export interface FeedEntry {
  at: number;
  change: StoreChange;
}

/** The change feed and its single action. */
export function createTrackingState() {
  const [feed, setFeed] = createStore<FeedEntry[]>([]);
  return {
    feed,
    /** Adds a pushed change; the feed is bounded so a long training run cannot grow it forever. */
    applyChange(change: StoreChange) {
      setFeed(
        produce((list) => {
          list.unshift({ at: Date.now(), change });
          if (list.length > FEED_LIMIT) list.length = FEED_LIMIT;
        }),
      );
    },
  };
}

/** The tracking domain's state and actions. */
export type TrackingState = ReturnType<typeof createTrackingState>;
