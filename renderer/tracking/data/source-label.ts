/** How the Tracking tab's data source is named on screen (sidebar, status bar). */
import type { ViewSourceInfo } from "../../../electron/protocol.ts";

/** A short name: "this app's store" or the server's URL with the version its `/version` reports. */
export function sourceName(source: ViewSourceInfo): string {
  if (source.kind === "local") return "this app's store";
  return source.version === "unknown" ? source.url : `${source.url} (version ${source.version})`;
}

/** How the views stay current: pushed by the local store, or re-read from a remote on a timer. */
export function freshness(source: ViewSourceInfo): string {
  if (source.kind === "local") return "live";
  const s = source.refreshMs / 1000;
  return `remote — refreshed every ${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}
