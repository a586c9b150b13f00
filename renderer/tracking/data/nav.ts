/** Where the tracking app is, and the callbacks views use to move (no router: the app is one tab). */

/** A page of the tracking app. */
export type Route =
  | { page: "experiment" }
  | { page: "run"; runId: string; tab?: "overview" | "charts" | "artifacts" }
  | { page: "compare"; runIds: string[] }
  | { page: "models" }
  | { page: "model"; name: string }
  | { page: "version"; name: string; version: string };

/** Navigation handed to every page. */
export interface Nav {
  go(route: Route): void;
  openRun(runId: string): void;
}
