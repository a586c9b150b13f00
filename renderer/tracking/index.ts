/**
 * The tracking views' public surface for the shell's views: `TrackingApp` as the Tracking tab,
 * `TrackingView` for cells' `tracking-view` outputs, the connection dialog and the data source's
 * labels. The `TrackingApi` they all take is built by the shell's state with `createTrackingApi`
 * from `data/api.ts`, the entry of the views' data layer, which imports no UI (so the state does
 * not depend on the views that depend on it).
 */
import "./tracking.css";

export { TrackingApp } from "./views/TrackingApp.tsx";
export { TrackingView } from "./views/TrackingView.tsx";
export { ConnectionDialog } from "./views/ConnectionDialog.tsx";
export { freshness, sourceName } from "./data/source-label.ts";
