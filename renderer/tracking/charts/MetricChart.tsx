/**
 * One metric's chart over several runs. History comes sampled from the store
 * (getMetricHistoryBulkInterval, ≈ one point per pixel); zooming re-requests the visible step range;
 * points pushed by `store-changed` are appended with Plotly.extendTraces, never a full redraw.
 */
import { createEffect, createMemo, createResource, createSignal, on, onCleanup, onMount, untrack } from "solid-js";
import { createStore, produce, unwrap } from "solid-js/store";
import type { TrackingApi } from "../api.ts";
import { errorText } from "../api.ts";
import type { Metric, MetricWithRunId, Run } from "../types.ts";
import { mergeTail, stepRange } from "../chart-math.ts";
import { frameBatcher } from "../live.ts";
import type { ChartOptions } from "./options.ts";
import { loadPlotly, PLOT_CONFIG, type PlotlyElement } from "./plotly-loader.ts";
import { buildChart, chartLayout, extendCursor, type TraceCursor } from "./traces.ts";

/** A tail longer than this (per run) triggers a fresh sampled request instead of growing forever. */
const MAX_TAIL = 4000;

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
  // Points pushed since the last sampled reply, per run.
  const [tail, setTail] = createStore<Record<string, Metric[]>>({});
  let cursors = new Map<string, TraceCursor>();
  let mode: "line" | "bar" | "group" = "line";

  const runIds = createMemo(
    () => {
      const ids = props.runs.map((r) => r.info.run_id);
      const g = props.ghost?.info.run_id;
      return g && !ids.includes(g) ? [...ids, g] : ids;
    },
    [],
    { equals: sameIds },
  );
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
    const points = await props.api.call<MetricWithRunId[]>("getMetricHistoryBulkInterval", [req]);
    const byRun = new Map<string, Metric[]>(req.run_ids.map((id) => [id, []]));
    for (const p of points) byRun.get(p.run_id)?.push(p);
    // The reply covers everything up to its last step: drop tail points it already contains.
    setTail(
      produce((t) => {
        for (const [id, pts] of byRun) {
          const last = pts.reduce((m, p) => Math.max(m, p.step), -Infinity);
          if (t[id]) t[id] = t[id].filter((p) => p.step > last);
        }
      }),
    );
    return byRun;
  });

  const pointsOf = (id: string): Metric[] => mergeTail(history.latest?.get(id) ?? [], unwrap(tail)[id] ?? []);

  function draw() {
    const opts = unwrap(props.options);
    const ghost = props.ghost ?? null;
    const built = buildChart(props.runs, ghost && props.runs.some((r) => r.info.run_id === ghost.info.run_id) ? null : ghost, pointsOf, opts);
    cursors = built.cursors;
    mode = built.mode;
    void Plotly.react(el, built.traces, chartLayout(props.metricKey, opts, built.yValues, built.mode), PLOT_CONFIG);
    markProgress();
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
    on([mounted, () => history.latest, runIds, () => JSON.stringify(props.options)], () => {
      if (mounted()) untrack(draw);
    }),
  );

  const batcher = frameBatcher<{ run_id: string; metrics: Metric[] }>((changes) => {
    const byRun = new Map<string, Metric[]>();
    for (const c of changes) byRun.set(c.run_id, [...(byRun.get(c.run_id) ?? []), ...c.metrics]);
    let tooLong = false;
    setTail(
      produce((t) => {
        for (const [id, pts] of byRun) {
          t[id] = [...(t[id] ?? []), ...pts];
          if (t[id].length > MAX_TAIL) tooLong = true;
        }
      }),
    );
    if (tooLong) setGeneration((g) => g + 1);
    if (!mounted()) return;
    const becomesLine = mode === "bar" && [...byRun.keys()].some((id) => pointsOf(id).length > 1);
    if (mode !== "line" || becomesLine) return draw();
    const opts = unwrap(props.options);
    const xs: number[][] = [];
    const ys: number[][] = [];
    const indices: number[] = [];
    for (const [id, pts] of byRun) {
      const cursor = cursors.get(id);
      if (!cursor) continue;
      const { x, y } = extendCursor(cursor, pts, opts);
      if (x.length === 0) continue;
      xs.push(x);
      ys.push(y);
      indices.push(cursor.index);
    }
    if (indices.length) void Plotly.extendTraces(el, { x: xs, y: ys }, indices);
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
