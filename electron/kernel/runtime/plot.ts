/**
 * `plot`: a Plotly figure as output, from a figure object or from traces and a layout. Long line
 * traces are downsampled here, in the kernel, keeping each bucket's extremes (downsample.ts), unless
 * the cell asks for every point: `plot(figure, { allPoints: true })` or `plot(traces, layout, { allPoints: true })`.
 */
import type { Output, PlotFigure } from "../../protocol.ts";
import { downsampleTrace } from "./downsample.ts";
import { asOutput } from "./output.ts";

/** A plot output a cell can return or display. */
export type Plot = Extract<Output, { kind: "plot" }>;

/** How `plot` treats the figure. */
export interface PlotOptions {
  /** Ship every point of long line traces instead of a min/max sample of about 5,000 (the output limit still applies). */
  allPoints?: boolean;
}

/**
 * A Plotly figure (`{data, layout}`), or `plot(traces, layout)`. The options may come last or, since
 * Plotly has no layout attribute of that name, as `allPoints` in the second argument.
 */
export function plot(
  figure: PlotFigure | Record<string, unknown>[],
  layout?: Record<string, unknown> & PlotOptions,
  options?: PlotOptions,
): Plot {
  let allPoints = options?.allPoints ?? false;
  if (layout && "allPoints" in layout) {
    const { allPoints: given, ...rest } = layout;
    allPoints ||= given === true;
    layout = Object.keys(rest).length > 0 ? rest : undefined;
  }
  const fig: PlotFigure = Array.isArray(figure) ? { data: figure, layout } : { data: figure.data, layout: layout ?? figure.layout };
  if (!Array.isArray(fig.data)) throw new TypeError("plot() needs a Plotly figure: { data: [...traces], layout? }");
  const data = allPoints ? fig.data : fig.data.map((trace) => (trace !== null && typeof trace === "object" ? downsampleTrace(trace) : trace));
  // Structured-clone the figure now so later mutation by the cell cannot change what was shown
  // (after sampling, so a long trace is not copied whole first).
  return asOutput({ kind: "plot", figure: structuredClone({ ...fig, data }) });
}
