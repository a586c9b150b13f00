/**
 * Parallel coordinates over the selected runs' params and metrics (SVG, see charts/ParcoordsChart),
 * and a scatter of any two of them (one point per run), redrawn with Plotly.react when the runs or
 * the chosen axes change (Plotly's scatter is SVG too, so neither needs WebGL).
 */
import { createEffect, createMemo, createSignal, For, on, onCleanup, onMount } from "solid-js";
import type { Run } from "../data/types.ts";
import { dimension, dimensionIds } from "./param-space.ts";
import { ParcoordsChart } from "../../charts/ParcoordsChart.tsx";
import { lowerIsBetter } from "../data/diff.ts";
import { loadPlotly, PLOT_CONFIG, type PlotlyStatic } from "../../charts/plotly.ts";

function usePlot(draw: (lib: PlotlyStatic, el: HTMLDivElement) => void, deps: () => unknown) {
  let el!: HTMLDivElement;
  const [lib, setLib] = createSignal<PlotlyStatic>();
  onMount(() => {
    let disposed = false;
    void loadPlotly().then((p) => !disposed && setLib(() => p));
    onCleanup(() => {
      disposed = true;
      lib()?.purge(el);
    });
  });
  createEffect(on([lib, deps], () => {
    const p = lib();
    if (p) draw(p, el);
  }));
  return (e: HTMLDivElement) => (el = e);
}

/** Parallel coordinates (all params, then all metrics) and a two-axis scatter for `runs`; a clicked line opens its run. */
export function ParamCharts(props: { runs: Run[]; onOpenRun?: (runId: string) => void }) {
  const ids = createMemo(() => dimensionIds(props.runs));
  const metricIds = createMemo(() => ids().filter((i) => i.startsWith("metrics:")));
  const [xId, setXId] = createSignal<string>("");
  const [yId, setYId] = createSignal<string>("");
  // Default axes are ones the runs differ on: a constant column plots every run on one line.
  const varying = createMemo(() => ids().filter((i) => new Set(dimension(props.runs, i).values.filter((v) => !Number.isNaN(v))).size > 1));
  const x = () => (ids().includes(xId()) ? xId() : (varying()[0] ?? ids()[0] ?? ""));
  const y = () => {
    if (ids().includes(yId())) return yId();
    const others = varying().filter((i) => i !== x());
    return others.find((i) => i.startsWith("metrics:")) ?? others[0] ?? metricIds()[0] ?? ids()[1] ?? "";
  };
  const names = () => props.runs.map((r) => r.info.run_name || r.info.run_id);

  const scatterRef = usePlot((lib, el) => {
    const dx = dimension(props.runs, x());
    const dy = dimension(props.runs, y());
    const axis = (d: typeof dx) => ({ title: { text: d.label }, ...(d.categories ? { tickvals: d.categories.map((_, i) => i), ticktext: d.categories } : {}) });
    void lib.react(
      el,
      [{ type: "scatter", mode: "markers+text", x: dx.values, y: dy.values, text: names(), textposition: "top center", marker: { size: 10 } }],
      { xaxis: axis(dx), yaxis: axis(dy), margin: { l: 60, r: 20, t: 20, b: 50 } },
      PLOT_CONFIG,
    );
  }, () => [x(), y(), props.runs]);

  const picker = (value: () => string, set: (v: string) => void, testid: string) => (
    <select data-testid={testid} value={value()} onChange={(e) => set(e.currentTarget.value)}>
      <For each={ids()}>{(i) => <option value={i}>{i.replace(":", " ")}</option>}</For>
    </select>
  );
  return (
    <div class="tr-param-charts" data-testid="param-charts">
      <h3>Parallel coordinates</h3>
      <ParcoordsChart
        dims={ids().map((i) => dimension(props.runs, i))}
        names={names()}
        keys={props.runs.map((r) => r.info.run_id)}
        defaultColor={metricIds()[0]}
        lowerIsBetter={lowerIsBetter}
        noun="run"
        onOpen={(runId) => props.onOpenRun?.(runId)}
      />
      <h3>
        Scatter {picker(x, setXId, "scatter-x")} vs {picker(y, setYId, "scatter-y")}
      </h3>
      <div ref={scatterRef} class="tr-chart-plot" style={{ height: "360px" }} data-testid="scatter-chart" />
    </div>
  );
}
