/** `plot`: a Plotly figure as output, from a figure object or from traces and a layout. */
import type { Output, PlotFigure } from "../../protocol.ts";
import { asOutput } from "./output.ts";

/** A plot output a cell can return or display. */
export type Plot = Extract<Output, { kind: "plot" }>;

/** A Plotly figure (`{data, layout}`), or `plot(traces, layout)`. */
export function plot(figure: PlotFigure | Record<string, unknown>[], layout?: Record<string, unknown>): Plot {
  const fig: PlotFigure = Array.isArray(figure) ? { data: figure, layout } : { data: figure.data, layout: layout ?? figure.layout };
  if (!Array.isArray(fig.data)) throw new TypeError("plot() needs a Plotly figure: { data: [...traces], layout? }");
  // Structured-clone the figure now so later mutation by the cell cannot change what was shown.
  return asOutput({ kind: "plot", figure: structuredClone(fig) });
}
