/**
 * The renderer's one Plotly loader, shared by cell outputs' PlotChart and the tracking charts.
 * Plotly is larger than the rest of the app and takes seconds to parse on a slow machine, so it is
 * imported on first use (or when a view asks for it while the browser is idle), once.
 */

/** Plotly's API, as the renderer declares it (plotly-dist.d.ts). */
export type PlotlyStatic = (typeof import("plotly.js-dist-min"))["default"];

/** A graph div after Plotly drew into it: Plotly adds an event emitter. */
export interface PlotlyElement extends HTMLElement {
  on(event: string, handler: (ev: Record<string, unknown>) => void): void;
}

let loading: Promise<PlotlyStatic> | undefined;

/** Plotly's API, loaded once. */
export function loadPlotly(): Promise<PlotlyStatic> {
  loading ??= import("plotly.js-dist-min").then((mod) => mod.default);
  return loading;
}

/** Plotly config every chart uses. */
export const PLOT_CONFIG = { responsive: true, displaylogo: false };
