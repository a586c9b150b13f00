/**
 * The tracking views' public surface. The shell builds a `TrackingApi` (see `createTrackingApi`)
 * from its transport and mounts `TrackingApp` as the Tracking tab and `TrackingView` for cells'
 * `tracking-view` outputs.
 */
import "./tracking.css";

export { TrackingApp } from "./TrackingApp.tsx";
export { TrackingView } from "./TrackingView.tsx";
export { createTrackingApi, remoteTrackingApi, type TrackingApi, type TrackingCallSender } from "./api.ts";
export { ConnectionDialog } from "./ConnectionDialog.tsx";
export { freshness, sourceName } from "./source-label.ts";
