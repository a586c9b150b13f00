/**
 * Loads Plotly on first use and shares it. Plotly is larger than the rest of the app, so (like the
 * shell's PlotChart) tracking charts import it lazily rather than stalling the first paint.
 */
type ShellPlotly = (typeof import("plotly.js-dist-min"))["default"];

/**
 * The shell's declaration of the module (renderer/charts/plotly-dist.d.ts) plus the live-append
 * call the tracking charts need; the bundle has it, the shared declaration just does not list it.
 */
export type PlotlyStatic = ShellPlotly & {
  animate(el: HTMLElement, frame: { data: Record<string, unknown>[]; traces: number[] }, opts: Record<string, unknown>): Promise<void>;
};

/** A graph div after Plotly drew into it: Plotly adds an event emitter. */
export interface PlotlyElement extends HTMLElement {
  on(event: string, handler: (ev: Record<string, unknown>) => void): void;
}

let loading: Promise<PlotlyStatic> | undefined;

/** Plotly's API, loaded once. */
export function loadPlotly(): Promise<PlotlyStatic> {
  loading ??= import("plotly.js-dist-min").then((mod) => mod.default as PlotlyStatic);
  return loading;
}

/** Plotly config every tracking chart uses. */
export const PLOT_CONFIG = { responsive: true, displaylogo: false };
