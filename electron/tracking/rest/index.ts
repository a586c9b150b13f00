/** The MLflow REST API: a mountable handler over a TrackingStore (served alone by `flowbook server`, in cli/server.ts). */
export { createTrackingServer, MAX_JSON_BODY } from "./http-server.ts";
export type { TrackingServer, TrackingServerOptions } from "./http-server.ts";
export { encodeDouble, parseDouble } from "./json.ts";
