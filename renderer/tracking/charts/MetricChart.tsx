/**
 * One metric's chart over several runs. History comes sampled from the store
 * (getMetricHistoryBulkInterval, ≈ one point per pixel); zooming re-requests the visible step range;
 * points pushed by `store-changed` (which carry the points) are appended at most once per animation
 * frame with Plotly.animate, which swaps in the grown series without Plotly's full replot.
 */
import { createEffect, createMemo, createResource, createSignal, on, onCleanup, onMount, untrack } from "solid-js";
import { unwrap } from "solid-js/store";
import type { TrackingApi } from "../data/api.ts";
import { errorText } from "../data/api.ts";
import type { Metric, Run } from "../data/types.ts";
import { mergeTail, stepRange } from "./chart-math.ts";
import { frameBatcher } from "../data/live.ts";
import type { ChartOptions } from "./options.ts";
import { loadPlotly, PLOT_CONFIG, type PlotlyElement } from "../../charts/plotly.ts";
import { buildChart, chartLayout, extendCursor, fitsView, layoutRevision, liveView, viewRanges, withView, type LiveView, type TraceCursor } from "./traces.ts";

/**
 * A run's live tail may grow to this many times the sampled request's size before the history is
 * re-sampled: Plotly's cost per frame grows with the points it draws, a re-sample with the history.
 */
const TAIL_FACTOR = 2;

/** Plotly.animate options that swap in new data (and ranges) at once, without the full replot. */
const APPEND_NOW = { transition: { duration: 0 }, frame: { duration: 0, redraw: false } };

const sameIds = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** A live line/bar/group chart of `metricKey` for `runs`, with an optional faint ghost run behind. */
export function MetricChart(props: {
  api: TrackingApi;
  metricKey: string;
  runs: Run[];
  options: ChartOptions;
  ghost?: Run | null;
  height?: number;
}) {
  let el!: HTMLDivElement;
  let Plotly!: Awaited<ReturnType<typeof loadPlotly>>;
  const [mounted, setMounted] = createSignal(false);
  // Unknown until mounted: requesting before the plot is measured would fetch the history twice.
  const [width, setWidth] = createSignal<number | null>(null);
  const [range, setRange] = createSignal<{ start_step: number; end_step: number } | null>(null);
  const [generation, setGeneration] = createSignal(0);
  // Points pushed since the last sampled reply, per run. Plain arrays, not a store: nothing renders
  // from them reactively, and a store would deep-walk the whole tail on every append.
  const tail = new Map<string, Metric[]>();
  let cursors = new Map<string, TraceCursor>();
  let mode: "line" | "bar" | "group" = "line";
  // While a charted run is RUNNING, the axes show its data plus room to grow (traces.ts liveView),
  // so a live append only swaps data (Plotly.animate), several times cheaper than the full replot
  // (axes, labels, legend) of react or extendTraces; the ranges move O(log n) times. Null: autorange.
  let view: LiveView | null = null;
  // The user zoomed or panned: the axes are theirs until they autoscale (or the options reset them),
  // so the view stays as it was — passing it unchanged is what lets uirevision keep their zoom.
  let zoomed = false;
  let revision = "";
  // The last react's layout and trace styles (no data, no view): unchanged, a redraw is only data.
  let shape = "";
  // Whether the last react showed a view. Ranges may move by animate only under such a react's
  // uirevision (withView), or Plotly would later mistake them for the user's and keep them.
  let reactedWithView = false;

  const runIds = createMemo(
    () => {
      const ids = props.runs.map((r) => r.info.run_id);
      const g = props.ghost?.info.run_id;
      return g && !ids.includes(g) ? [...ids, g] : ids;
    },
    [],
    { equals: sameIds },
  );
  // A memo, so the run page's periodic re-reads of the same run do not redraw the chart.
  const live = createMemo(() => props.runs.some((r) => r.info.status === "RUNNING"));
  const request = createMemo(
    () => {
      const w = width();
      return w === null ? undefined : { run_ids: runIds(), metric_key: props.metricKey, max_results: w, ...(range() ?? {}), generation: generation() };
    },
    undefined,
    { equals: (a, b) => JSON.stringify(a) === JSON.stringify(b) },
  );
  const [history] = createResource(request, async ({ generation: _g, ...req }) => {
    if (req.run_ids.length === 0) return new Map<string, Metric[]>();
    const points = await props.api.call("getMetricHistoryBulkInterval", req);
    const byRun = new Map<string, Metric[]>(req.run_ids.map((id) => [id, []]));
    for (const p of points) byRun.get(p.run_id)?.push(p);
    // The reply covers everything up to its last step: drop tail points it already contains.
    for (const [id, pts] of byRun) {
      const last = pts.reduce((m, p) => Math.max(m, p.step), -Infinity);
      const t = tail.get(id);
      if (t) tail.set(id, t.filter((p) => p.step > last));
    }
    return byRun;
  });

  const pointsOf = (id: string): Metric[] => mergeTail(history.latest?.get(id) ?? [], tail.get(id) ?? []);

  function draw() {
    const opts = unwrap(props.options);
    const ghost = props.ghost ?? null;
    const built = buildChart(props.runs, ghost && props.runs.some((r) => r.info.run_id === ghost.info.run_id) ? null : ghost, pointsOf, opts);
    cursors = built.cursors;
    mode = built.mode;
    if (revision !== layoutRevision(props.metricKey, opts)) {
      revision = layoutRevision(props.metricKey, opts);
      zoomed = false;
    }
    if (!zoomed) view = mode === "line" && live() ? liveView(cursors.values(), opts) : null;
    const layout = chartLayout(props.metricKey, opts, built.yValues, built.mode);
    const next = JSON.stringify([layout, built.traces.map(({ x: _x, y: _y, ...style }) => style)]);
    // A re-sampled history or a grown view on the same chart: swap the data, keep the axes' frame.
    if (next === shape && (view !== null) === reactedWithView && (view || zoomed)) append([...cursors.values()], true);
    else {
      shape = next;
      reactedWithView = view !== null;
      void Plotly.react(el, built.traces, withView(layout, view), PLOT_CONFIG);
    }
    markProgress();
  }

  /** Hands Plotly the whole series of `grown` traces (and the view's ranges when `moved`), no replot. */
  function append(grown: readonly TraceCursor[], moved: boolean) {
    // Copies: Plotly keeps the arrays it is given, and the cursors keep growing theirs.
    const data = grown.map((c) => ({ x: c.x.slice(), y: c.y.slice() }));
    const layout = moved && view && !zoomed ? { layout: viewRanges(view) } : {};
    void Plotly.animate(el, { data, traces: grown.map((c) => c.index), ...layout }, APPEND_NOW);
  }

  function markProgress() {
    let count = 0;
    let last = -Infinity;
    // The charted runs only: a ghost run's history would mask the live run's progress.
    for (const id of props.runs.map((r) => r.info.run_id)) {
      const pts = pointsOf(id);
      count += pts.length;
      for (const p of pts) if (p.step > last) last = p.step;
    }
    el.dataset.pointCount = String(count);
    el.dataset.lastStep = Number.isFinite(last) ? String(last) : "";
  }

  // Full redraw when the sampled data, the run set or the options change — never per live point.
  createEffect(
    on([mounted, () => history.latest, runIds, () => JSON.stringify(props.options), live], () => {
      if (mounted()) untrack(draw);
    }),
  );

  const batcher = frameBatcher<{ run_id: string; metrics: Metric[] }>((changes) => {
    const byRun = new Map<string, Metric[]>();
    for (const c of changes) {
      const pts = byRun.get(c.run_id) ?? [];
      for (const m of c.metrics) pts.push(m);
      byRun.set(c.run_id, pts);
    }
    let tooLong = false;
    const limit = TAIL_FACTOR * (request()?.max_results ?? 1000);
    for (const [id, pts] of byRun) {
      const t = tail.get(id) ?? [];
      for (const p of pts) t.push(p);
      tail.set(id, t);
      if (t.length > limit) tooLong = true;
    }
    if (tooLong) setGeneration((g) => g + 1);
    if (!mounted()) return;
    const becomesLine = mode === "bar" && [...byRun.keys()].some((id) => pointsOf(id).length > 1);
    if (mode !== "line" || becomesLine) return draw();
    const opts = unwrap(props.options);
    const grown: TraceCursor[] = [];
    let fits = true;
    for (const [id, pts] of byRun) {
      const cursor = cursors.get(id);
      if (!cursor) continue;
      const { x, y } = extendCursor(cursor, pts, opts);
      if (x.length === 0) continue;
      grown.push(cursor);
      fits &&= zoomed || (view !== null && fitsView(view, x, y, opts.logY));
    }
    if (grown.length === 0) {
      markProgress();
      return;
    }
    if (fits) append(grown, false);
    else if (live() && reactedWithView) {
      // The view must grow (or was handed back by an autoscale): new ranges, still no full replot.
      view = liveView(cursors.values(), opts);
      append(grown, true);
    } else return draw();
    markProgress();
  });

  onMount(() => {
    const bucket = (w: number) => Math.max(100, Math.min(2000, Math.round(w / 100) * 100));
    setWidth(bucket(el.clientWidth || 600));
    const ro = new ResizeObserver(() => {
      setWidth(bucket(el.clientWidth || 600));
      if (mounted()) Plotly.Plots.resize(el);
    });
    ro.observe(el);
    const off = props.api.onStoreChange((c) => {
      if (c.type !== "metrics" || !runIds().includes(c.run_id)) return;
      const mine = c.metrics.filter((m) => m.key === props.metricKey);
      if (mine.length) batcher.push({ run_id: c.run_id, metrics: mine });
    });
    let disposed = false;
    // Draw only once the empty plot exists, so a late newPlot cannot wipe the first real draw.
    void loadPlotly()
      .then((lib) => {
        Plotly = lib;
        return disposed ? null : lib.newPlot(el, [], {}, PLOT_CONFIG);
      })
      .then((gd) => {
      if (!gd) return;
      (gd as PlotlyElement).on("plotly_relayout", (ev) => {
        // A drag, pan or zoom button reports "xaxis.range[0]"-style keys; a view's own move (animate)
        // reports whole "xaxis.range" arrays, and react reports nothing. Autoscale hands the axes back.
        if (ev["xaxis.autorange"] || ev["yaxis.autorange"]) {
          zoomed = false;
          view = null;
        } else if (Object.keys(ev).some((k) => /^[xy]axis\.range\[/.test(k))) zoomed = true;
        if (ev["xaxis.autorange"]) setRange(null);
        else if (ev["xaxis.range[0]"] !== undefined && props.options.xAxis === "step" && mode !== "bar")
          setRange(stepRange([Number(ev["xaxis.range[0]"]), Number(ev["xaxis.range[1]"])]));
      });
      setMounted(true);
    });
    onCleanup(() => {
      disposed = true;
      off();
      batcher.dispose();
      ro.disconnect();
      if (mounted()) Plotly.purge(el);
    });
  });

  return (
    <div class="tr-chart" data-testid={`metric-chart-${props.metricKey}`}>
      <div ref={el} class="tr-chart-plot" style={{ height: `${props.height ?? 300}px` }} data-testid="metric-chart-plot" />
      {history.error && <div class="tr-error" data-testid="metric-chart-error">{errorText(history.error)}</div>}
    </div>
  );
}
