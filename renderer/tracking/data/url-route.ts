/**
 * The app's view as a URL hash, so the browser's (and Electron's) back and forward buttons move
 * between the notebook and the tracking pages, and a reload keeps the page: `#/notebook`,
 * `#/tracking`, `#/tracking/experiment/<id>[/run/<runId>[/<tab>]|/compare/<id>,<id>]`,
 * `#/tracking/models`, `#/tracking/models/<name>[/<version>]`. Pure: parsing and formatting only.
 */
import type { Route } from "./nav.ts";

/** Where the Tracking tab is: the open experiment (if any) and the page over it. */
export interface TrackingLocation {
  experimentId: string | null;
  route: Route;
}

/** The whole window's place: which main view, and the Tracking tab's place when it shows. */
export interface AppLocation {
  view: "notebook" | "tracking";
  tracking: TrackingLocation;
}

const TABS = new Set(["overview", "charts", "artifacts"]);
const home = (): TrackingLocation => ({ experimentId: null, route: { page: "experiment" } });
const enc = encodeURIComponent;

/** The hash for `loc` (the tracking part only when the Tracking tab shows). */
export function formatHash(loc: AppLocation): string {
  if (loc.view === "notebook") return "#/notebook";
  const { experimentId, route } = loc.tracking;
  const exp = experimentId === null ? "" : `/experiment/${enc(experimentId)}`;
  switch (route.page) {
    case "experiment":
      return `#/tracking${exp}`;
    case "run":
      return `#/tracking${exp}/run/${enc(route.runId)}${route.tab ? `/${route.tab}` : ""}`;
    case "compare":
      return `#/tracking${exp}/compare/${route.runIds.map(enc).join(",")}`;
    case "models":
      return "#/tracking/models";
    case "model":
      return `#/tracking/models/${enc(route.name)}`;
    case "version":
      return `#/tracking/models/${enc(route.name)}/${enc(route.version)}`;
  }
}

/** The place a hash names; anything unknown is the notebook (the app's home). */
export function parseHash(hash: string): AppLocation {
  const parts = hash.replace(/^#\/?/, "").split("/").map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  if (parts[0] !== "tracking") return { view: "notebook", tracking: home() };
  const rest = parts.slice(1);
  if (rest[0] === "models") {
    const [, name, version] = rest;
    const route: Route = name === undefined ? { page: "models" } : version === undefined ? { page: "model", name } : { page: "version", name, version };
    return { view: "tracking", tracking: { experimentId: null, route } };
  }
  const tracking = home();
  if (rest[0] === "experiment" && rest[1]) {
    tracking.experimentId = rest[1];
    const [, , page, arg, tab] = rest;
    if (page === "run" && arg) tracking.route = { page: "run", runId: arg, ...(tab && TABS.has(tab) ? { tab: tab as "overview" } : {}) };
    if (page === "compare" && arg) tracking.route = { page: "compare", runIds: arg.split(",").filter(Boolean) };
  }
  return { view: "tracking", tracking };
}
