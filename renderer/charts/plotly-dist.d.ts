/** The few Plotly calls the renderer uses; plotly.js-dist-min ships no types. */
declare module "plotly.js-dist-min" {
  type Data = Record<string, unknown>[];
  type Layout = Record<string, unknown>;
  type Config = Record<string, unknown>;
  interface PlotlyStatic {
    newPlot(el: HTMLElement, data: Data, layout?: Layout, config?: Config): Promise<HTMLElement>;
    react(el: HTMLElement, data: Data, layout?: Layout, config?: Config): Promise<HTMLElement>;
    purge(el: HTMLElement): void;
    Plots: { resize(el: HTMLElement): void };
  }
  const Plotly: PlotlyStatic;
  export default Plotly;
}
