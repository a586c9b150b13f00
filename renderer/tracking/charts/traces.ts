/**
 * Plotly traces and layout for a metric chart, built from plain data: one line per run (with EMA
 * steppers kept so a live tail continues the smoothing; SVG traces, since sampled history stays
 * near one point per pixel and WebGL is not available everywhere), bars for single-value metrics, or one
 * aggregate line plus band per group. No Plotly import: the component hands the result over.
 */
import type { Metric, Run } from "../data/types.ts";
import { emaStepper, outlierRange } from "./smoothing.ts";
import { xOf } from "./chart-math.ts";
import { aggregateBand, groupValue } from "../data/aggregate.ts";
import type { ChartOptions } from "./options.ts";

/** Line colours, in run order (Plotly's default cycle, so legends match other charts). */
export const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

/** Per-run state the live tail needs to extend a line trace. */
export interface TraceCursor {
  index: number;
  smooth: (v: number) => number;
  lastStep: number;
  t0: number;
  /** The whole drawn series (own copies), which a live append hands to Plotly. */
  x: number[];
  y: number[];
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
    cursors.set(r.info.run_id, { index: i, smooth, lastStep: pts.length ? pts[pts.length - 1].step : -Infinity, t0, x: [...x], y: [...y] });
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

/** Appends live points to a line trace's cursor; returns the x/y it grew by (older steps dropped). */
export function extendCursor(cursor: TraceCursor, pts: readonly Metric[], opts: ChartOptions): { x: number[]; y: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  for (const p of sortPoints(pts)) {
    if (p.step <= cursor.lastStep) continue;
    cursor.lastStep = p.step;
    x.push(xOf(p, opts.xAxis, cursor.t0));
    y.push(cursor.smooth(p.value));
  }
  for (let i = 0; i < x.length; i++) {
    cursor.x.push(x[i]);
    cursor.y.push(y[i]);
  }
  return { x, y };
}

/**
 * The axis ranges a live chart shows: its data plus room to grow. Points that land inside can be
 * drawn without Plotly's full replot; `y` is null when the layout fixes it (outlier clipping).
 * Log axes are in log10 units, as Plotly's ranges are.
 */
export interface LiveView {
  x: [number, number];
  y: [number, number] | null;
}

/** Free room right of the newest point, as a share of the x extent: the axis grows geometrically, O(log n) times. */
const X_ROOM = 0.5;
/** Room above and below the data, as a share of the y extent. */
const Y_ROOM = 0.1;

function extent(series: readonly (readonly number[])[], map: (v: number) => number = (v) => v): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const values of series) {
    for (const v of values) {
      const m = map(v);
      if (m < lo) lo = m;
      if (m > hi) hi = m;
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

// A log axis ranges over log10 of the positive values; NaN (zero, negatives, gaps) compares false, so it is skipped.
const yScale = (logY: boolean) => (logY ? (v: number) => (v > 0 ? Math.log10(v) : NaN) : (v: number) => v);
const spanOf = ([lo, hi]: [number, number]) => hi - lo || Math.abs(hi) || 1;

/** The live view around the series of `cursors`; null without data. */
export function liveView(cursors: Iterable<TraceCursor>, opts: ChartOptions): LiveView | null {
  const all = [...cursors];
  const x = extent(all.map((c) => c.x));
  if (!x) return null;
  const y = opts.ignoreOutliers ? null : extent(all.map((c) => c.y), yScale(opts.logY));
  return {
    x: [x[0], x[1] + spanOf(x) * X_ROOM],
    y: y && [y[0] - spanOf(y) * Y_ROOM, y[1] + spanOf(y) * Y_ROOM],
  };
}

/** Whether new points fall inside `view` (a y the log axis cannot show, like 0, counts as inside). */
export function fitsView(view: LiveView, x: readonly number[], y: readonly number[], logY: boolean): boolean {
  const scale = yScale(logY);
  const inside = (v: number, [lo, hi]: [number, number]) => !(v < lo || v > hi);
  return x.every((v) => inside(v, view.x)) && (view.y === null || y.every((v) => inside(scale(v), view.y!)));
}

/** The layout's `uirevision`: the user's zoom is kept while it stays the same, reset when the axes change. */
export function layoutRevision(title: string, opts: ChartOptions): string {
  return `${title}|${opts.xAxis}|${opts.logY}|${opts.ignoreOutliers}|${opts.groupBy?.key ?? ""}`;
}

/** The chart layout (Plotly autoranges; `withView` fixes the ranges of a live chart). */
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
    // "allow": Plotly otherwise measures every tick label on every redraw to hide overflowing ones,
    // the largest cost of a live append; the margins already leave the labels room.
    xaxis: {
      title: { text: xTitle },
      type: opts.xAxis === "time" && mode !== "bar" ? "date" : mode === "bar" ? "category" : "linear",
      ticklabeloverflow: "allow",
    },
    yaxis: { ...yaxis, ticklabeloverflow: "allow" },
    legend: { orientation: "h", y: -0.35 },
    uirevision: layoutRevision(title, opts),
    showlegend: mode !== "bar",
  };
}

/** The axis ranges `view` sets, as a layout fragment (also what Plotly.animate takes to move them). */
export function viewRanges(view: LiveView): { xaxis: { range: [number, number] }; yaxis?: { range: [number, number] } } {
  return view.y ? { xaxis: { range: view.x }, yaxis: { range: view.y } } : { xaxis: { range: view.x } };
}

/**
 * `layout` showing `view`, or autoranging where it sets no range. A live view gets its own
 * `uirevision`: Plotly keeps what it takes for GUI state (including ranges the view moved by
 * animate) while the revision stays, so leaving the view must change it to autorange again.
 */
export function withView(layout: Record<string, unknown>, view: LiveView | null): Record<string, unknown> {
  const xaxis = layout.xaxis as Record<string, unknown>;
  const yaxis = layout.yaxis as Record<string, unknown>;
  const y = view?.y ? { range: view.y, autorange: false } : yaxis.range ? {} : { autorange: true };
  return {
    ...layout,
    xaxis: { ...xaxis, ...(view ? { range: view.x, autorange: false } : { autorange: true }) },
    yaxis: { ...yaxis, ...y },
    uirevision: view ? `${layout.uirevision}|live` : layout.uirevision,
  };
}
