/**
 * Keeps the window's place (main view, Tracking tab page) in the URL hash: each move pushes a
 * history entry, and back/forward (popstate) moves the app there. Works the same in Electron,
 * whose window has a history too. The token stays in the query string, untouched.
 */
import { batch, createEffect, createSignal, on } from "solid-js";
import { formatHash, parseHash, type TrackingLocation } from "../tracking/data/url-route.ts";
import type { UiState } from "./ui.ts";

/** The Tracking tab's place as the URL has it, and how the tab reports a move. */
export interface LocationState {
  /** Where the URL says the Tracking tab is (changes on back/forward). */
  tracking: () => TrackingLocation;
  /** The Tracking tab moved: records it as a new history entry. */
  setTracking(loc: TrackingLocation): void;
}

/** Reads the starting place from the URL, then keeps URL and app in step. */
export function createLocationState(ui: UiState): LocationState {
  const start = parseHash(window.location.hash);
  const [tracking, setTracking] = createSignal<TrackingLocation>(start.tracking, {
    equals: (a, b) => formatHash({ view: "tracking", tracking: a }) === formatHash({ view: "tracking", tracking: b }),
  });
  if (window.location.hash) ui.setView(start.view);

  // Drives the history only: a new place is a new entry; the place back/forward restored is not.
  createEffect(
    on([ui.view, tracking], ([view, loc]) => {
      const hash = formatHash({ view, tracking: loc });
      if (hash === window.location.hash) return;
      // The first place replaces the entry the page loaded with, and the experiment the Tracking tab
      // opens on by itself fills in "#/tracking": neither is a move Back should undo (Back to a bare
      // "#/tracking" would only pick the same experiment again).
      const fillsIn = !window.location.hash || (window.location.hash === "#/tracking" && hash.startsWith("#/tracking/"));
      if (fillsIn) window.history.replaceState(null, "", hash);
      else window.history.pushState(null, "", hash);
    }),
  );
  window.addEventListener("popstate", () => {
    const place = parseHash(window.location.hash);
    batch(() => {
      ui.setView(place.view);
      if (place.view === "tracking") setTracking(place.tracking);
    });
  });
  return { tracking, setTracking };
}
