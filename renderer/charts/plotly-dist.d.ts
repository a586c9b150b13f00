/** The few Plotly calls the renderer uses; plotly.js-dist-min ships no types. */
declare module "plotly.js-dist-min" {
  type Data = Record<string, unknown>[];
  type Layout = Record<string, unknown>;
  type Config = Record<string, unknown>;
  interface PlotlyStatic {
    newPlot(el: HTMLElement, data: Data, layout?: Layout, config?: Config): Promise<HTMLElement>;
    react(el: HTMLElement, data: Data, layout?: Layout, config?: Config): Promise<HTMLElement>;
    purge(el: HTMLElement): void;
    /** Swaps in a frame's data (and layout) without the full replot; tracking charts' live tail. */
    animate(el: HTMLElement, frame: { data: Data; traces: number[] }, opts: Record<string, unknown>): Promise<void>;
    Plots: { resize(el: HTMLElement): void };
  }
  const Plotly: PlotlyStatic;
  export default Plotly;
}
