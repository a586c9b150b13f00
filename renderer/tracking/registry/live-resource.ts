/** Re-reading a registry resource when the store pushes a change for its model. */
import { onCleanup } from "solid-js";
import type { TrackingApi } from "../data/api.ts";
import { throttle } from "../data/live.ts";

/**
 * Calls `refetch` (throttled) whenever a `registry` change arrives for a model `matches` accepts;
 * registry changes are rare, so the throttle only absorbs bursts like "transition + archive".
 */
export function onRegistryChange(api: TrackingApi, matches: (name: string) => boolean, refetch: () => void): void {
  const again = throttle(refetch, 200);
  const off = api.onStoreChange((c) => {
    if (c.type === "registry" && matches(c.name)) again();
  });
  onCleanup(() => {
    off();
    again.cancel();
  });
}
