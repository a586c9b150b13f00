/**
 * A Plotly figure. Plotly is loaded with the first chart (plotly.ts: it is larger than the rest of
 * the app, and parsing it at startup would stall the first paint), drawn with `newPlot` once both
 * it and the element exist, updated in place with `react` on each new figure, and purged on cleanup.
 * Without WebGL, its WebGL traces are drawn another way (webgl-fallback.ts).
 */
import { createEffect, createMemo, createSignal, For, Index, onCleanup, onMount, Show } from "solid-js";
import { unwrap } from "solid-js/store";
import type { PlotFigure } from "../../electron/protocol.ts";
import { ParcoordsChart } from "./ParcoordsChart.tsx";
import { withTitleObjects } from "../../electron/common/plot-layout.ts";
import { loadPlotly, PLOT_CONFIG, type PlotlyStatic } from "./plotly.ts";
import { parcoordsDimensions, webglAvailable, withoutWebGl, type WebGlFallback } from "./webgl-fallback.ts";

/** Draws `figure`; `revision` changes whenever the kernel sends a new figure for this output. */
export function PlotChart(props: { figure: PlotFigure; revision: number; dark: boolean }) {
  let el!: HTMLDivElement;
  let disposed = false;
  let drawn = false;
  const [plotly, setPlotly] = createSignal<PlotlyStatic>();

  // Theme colours first, so a figure's own layout still wins.
  const layout = createMemo(() => {
    void props.revision;
    const fg = props.dark ? "#d8dee9" : "#1f2430";
    const grid = props.dark ? "#3b4252" : "#e3e6ec";
    const own = withTitleObjects(structuredClone(unwrap(props.figure).layout ?? {}));
    return {
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { color: fg, family: "system-ui, sans-serif" },
      margin: { t: 32, r: 16, b: 40, l: 48 },
      ...own,
      // Axes merge one level deeper, so a figure that sets an axis title keeps themed grid lines.
      xaxis: { gridcolor: grid, zerolinecolor: grid, ...(own.xaxis as object | undefined) },
      yaxis: { gridcolor: grid, zerolinecolor: grid, ...(own.yaxis as object | undefined) },
    };
  });

  // The figure's traces, split for a browser without WebGL (all for Plotly when it has it).
  const traces = createMemo((): WebGlFallback => {
    void props.revision;
    // Plotly keeps references into what it is given: hand it a plain copy, never store proxies.
    const data = structuredClone(unwrap(props.figure).data);
    return webglAvailable() ? { plotly: data, parcoords: [], notes: [] } : withoutWebGl(data);
  });

  onMount(() => {
    void loadPlotly().then((lib) => {
      if (!disposed) setPlotly(() => lib);
    });
  });

  // Drives Plotly only; reads the revision so a new figure redraws without deep-tracking its data.
  createEffect(() => {
    const lib = plotly();
    const l = layout();
    const data = traces().plotly;
    if (!lib) return;
    if (drawn) void lib.react(el, data, l, PLOT_CONFIG);
    else void lib.newPlot(el, data, l, PLOT_CONFIG);
    drawn = true;
  });

  onCleanup(() => {
    disposed = true;
    plotly()?.purge(el);
  });

  return (
    <>
      <div class="plot" data-testid="output-plot" ref={el} hidden={traces().plotly.length === 0} />
      <Index each={traces().parcoords}>
        {(trace) => {
          const chart = createMemo(() => parcoordsDimensions(trace()));
          const rows = () => chart().dims[0]?.values.length ?? 0;
          return (
            <ParcoordsChart
              dims={chart().dims}
              names={Array.from({ length: rows() }, (_, i) => `row ${i + 1}`)}
              keys={Array.from({ length: rows() }, (_, i) => String(i))}
              defaultColor={chart().color}
              noun="row"
            />
          );
        }}
      </Index>
      <Show when={traces().notes.length}>
        <ul class="plot-notes" data-testid="plot-notes">
          <For each={traces().notes}>{(note) => <li>{note}</li>}</For>
        </ul>
      </Show>
    </>
  );
}
