/** The MLflow REST API: a mountable handler over a TrackingStore, and the `flowbook server` command. */
export { createTrackingServer, MAX_JSON_BODY } from "./http-server.ts";
export type { TrackingServer, TrackingServerOptions } from "./http-server.ts";
export { encodeDouble, parseDouble } from "./json.ts";
