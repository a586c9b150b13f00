/**
 * Plotly traces and layout for a metric chart, built from plain data: one line per run (with EMA
 * steppers kept so a live tail continues the smoothing; SVG traces, since sampled history stays
 * near one point per pixel and WebGL is not available everywhere), bars for single-value metrics, or one
 * aggregate line plus band per group. No Plotly import: the component hands the result over.
 */
import type { Metric, Run } from "../types.ts";
import { emaStepper, outlierRange } from "../smoothing.ts";
import { xOf } from "../chart-math.ts";
import { aggregateBand, groupValue } from "../aggregate.ts";
import type { ChartOptions } from "./options.ts";

/** Line colours, in run order (Plotly's default cycle, so legends match other charts). */
export const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

/** Per-run state the live tail needs to extend a line trace. */
export interface TraceCursor {
  index: number;
  smooth: (v: number) => number;
  lastStep: number;
  t0: number;
}

/** A chart's drawable content. */
export interface BuiltChart {
  traces: Record<string, unknown>[];
  /** Live-extendable line traces by run id; empty for bar and group charts (those redraw). */
  cursors: Map<string, TraceCursor>;
  yValues: number[];
  mode: "line" | "bar" | "group";
}

const sortPoints = (pts: readonly Metric[]) => [...pts].sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);

/** Builds the traces for `runs` (and a faint ghost run behind them) from their points. */
export function buildChart(
  runs: readonly Run[],
  ghost: Run | null,
  points: (runId: string) => readonly Metric[],
  opts: ChartOptions,
): BuiltChart {
  const all = ghost ? [...runs, ghost] : [...runs];
  const yValues: number[] = [];
  if (all.length > 0 && all.every((r) => points(r.info.run_id).length <= 1) && all.some((r) => points(r.info.run_id).length)) {
    const shown = all.filter((r) => points(r.info.run_id).length === 1);
    const y = shown.map((r) => points(r.info.run_id)[0].value);
    yValues.push(...y);
    const trace = { type: "bar", x: shown.map((r) => r.info.run_name || r.info.run_id), y, marker: { color: shown.map((_, i) => PALETTE[i % PALETTE.length]) } };
    return { traces: [trace], cursors: new Map(), yValues, mode: "bar" };
  }
  if (opts.groupBy) {
    const groupBy = opts.groupBy;
    const traces: Record<string, unknown>[] = [];
    const groups = new Map<string, Run[]>();
    for (const r of runs) groups.set(groupValue(r, groupBy), [...(groups.get(groupValue(r, groupBy)) ?? []), r]);
    [...groups].forEach(([value, members], gi) => {
      const color = PALETTE[gi % PALETTE.length];
      const curves = members.map((r) => {
        const pts = sortPoints(points(r.info.run_id));
        const smooth = emaStepper(opts.smoothing);
        return { x: pts.map((p) => xOf(p, opts.xAxis, r.info.start_time)), y: pts.map((p) => smooth(p.value)) };
      });
      const band = aggregateBand(curves, opts.band);
      yValues.push(...band.lower, ...band.upper);
      const name = `${groupBy.key}=${value} (${members.length})`;
      if (opts.band.band !== "none") {
        traces.push({ type: "scatter", mode: "lines", x: band.x, y: band.upper, line: { width: 0, color }, showlegend: false, hoverinfo: "skip", legendgroup: name });
        traces.push({ type: "scatter", mode: "lines", x: band.x, y: band.lower, line: { width: 0, color }, fill: "tonexty", fillcolor: hexAlpha(color, 0.2), showlegend: false, hoverinfo: "skip", legendgroup: name });
      }
      traces.push({ type: "scatter", mode: "lines", x: band.x, y: band.center, name, line: { color, width: 2 }, legendgroup: name });
    });
    return { traces, cursors: new Map(), yValues, mode: "group" };
  }
  const cursors = new Map<string, TraceCursor>();
  const traces = all.map((r, i) => {
    const pts = sortPoints(points(r.info.run_id));
    const smooth = emaStepper(opts.smoothing);
    const t0 = r.info.start_time;
    const x = pts.map((p) => xOf(p, opts.xAxis, t0));
    const y = pts.map((p) => smooth(p.value));
    yValues.push(...y);
    cursors.set(r.info.run_id, { index: i, smooth, lastStep: pts.length ? pts[pts.length - 1].step : -Infinity, t0 });
    const isGhost = ghost !== null && r === ghost;
    return {
      type: "scatter",
      // Markers help short finished curves; a running run's trace only grows, and thousands of
      // SVG markers would make every live append slower.
      mode: pts.length < 60 && r.info.status !== "RUNNING" ? "lines+markers" : "lines",
      x,
      y,
      name: isGhost ? `best previous: ${r.info.run_name || r.info.run_id}` : r.info.run_name || r.info.run_id,
      line: isGhost ? { color: "#999", width: 3, dash: "dot" } : { color: PALETTE[i % PALETTE.length], width: 1.5 },
      opacity: isGhost ? 0.45 : 1,
    };
  });
  return { traces, cursors, yValues, mode: "line" };
}

function hexAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

/** Appends live points to a line trace's cursor; returns the x/y to extend with (older steps dropped). */
export function extendCursor(cursor: TraceCursor, pts: readonly Metric[], opts: ChartOptions): { x: number[]; y: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  for (const p of sortPoints(pts)) {
    if (p.step <= cursor.lastStep) continue;
    cursor.lastStep = p.step;
    x.push(xOf(p, opts.xAxis, cursor.t0));
    y.push(cursor.smooth(p.value));
  }
  return { x, y };
}

/** The chart layout; `uirevision` keeps the user's zoom while data arrives, reset when the axes change. */
export function chartLayout(title: string, opts: ChartOptions, yValues: readonly number[], mode: BuiltChart["mode"]): Record<string, unknown> {
  const yaxis: Record<string, unknown> = { type: opts.logY ? "log" : "linear", automargin: true };
  if (opts.ignoreOutliers && mode !== "bar") {
    const r = outlierRange(yValues);
    if (r && opts.logY) {
      if (r[0] > 0) yaxis.range = [Math.log10(r[0]), Math.log10(r[1])];
    } else if (r) yaxis.range = r;
  }
  const xTitle = mode === "bar" ? "" : opts.xAxis === "step" ? "step" : opts.xAxis === "time" ? "wall time" : "relative time (s)";
  return {
    title: { text: title, font: { size: 13 } },
    margin: { l: 50, r: 10, t: 30, b: 50 },
    xaxis: { title: { text: xTitle }, type: opts.xAxis === "time" && mode !== "bar" ? "date" : mode === "bar" ? "category" : "linear" },
    yaxis,
    legend: { orientation: "h", y: -0.35 },
    uirevision: `${title}|${opts.xAxis}|${opts.logY}|${opts.ignoreOutliers}|${opts.groupBy?.key ?? ""}`,
    showlegend: mode !== "bar",
  };
}
