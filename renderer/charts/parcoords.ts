/**
 * Parallel coordinates as SVG geometry: Plotly's `parcoords` needs WebGL, which headless Chromium
 * and some laptops lack, so the Tracking tab always draws them from this, and a cell's `parcoords`
 * trace does when WebGL is missing (webgl-fallback.ts). Pure: axes, ticks, coloured polylines, brushes.
 */

/** One axis over the runs: `values[i]` belongs to run i (NaN when the run lacks it). */
export interface Dimension {
  id: string;
  label: string;
  values: number[];
  /** For categorical axes: the category names at 0, 1, 2, … */
  categories?: string[];
}

/** The chart's size in SVG user units; the SVG scales to its box. */
export interface ParcoordsSize {
  width: number;
  height: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** One vertical axis: where it stands and its tick labels. */
export interface AxisLayout {
  id: string;
  label: string;
  x: number;
  ticks: { y: number; text: string }[];
}

/** One run's polyline. */
export interface LineLayout {
  /** The run's index in the runs the dimensions were built from. */
  run: number;
  /** SVG path data; a value the run lacks breaks the line there. */
  d: string;
  /** The line's y on each axis (NaN where the run lacks the value), for brushing. */
  ys: number[];
  color: string;
  /** The best run by the colour dimension (lowest for loss-like names, else highest). */
  best: boolean;
}

/** Everything the parallel-coordinates SVG draws. */
export interface ParcoordsLayout {
  size: ParcoordsSize;
  axes: AxisLayout[];
  lines: LineLayout[];
  /** The colour scale's ends, as labels (empty without a colour dimension). */
  colorRange: [string, string] | [];
}

/** The default size: room for tick labels left of each axis and the label above it. */
export function parcoordsSize(axes: number): ParcoordsSize {
  return { width: Math.max(640, 150 * axes), height: 360, top: 44, bottom: 336, left: 70, right: 50 };
}

/** Colour used for a run without a value on the colour dimension. */
export const MISSING_COLOR = "#9aa0a6";
const VIRIDIS = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"];

/** Viridis at `t` in [0, 1] (clamped), as `rgb(r, g, b)`. */
export function viridis(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const rgb = (hex: string) => [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
  const [a, b] = [rgb(VIRIDIS[i]), rgb(VIRIDIS[i + 1])];
  return `rgb(${a.map((v, k) => Math.round(v + (b[k] - v) * f)).join(", ")})`;
}

/** Up to about `count` round values covering [min, max] (steps of 1, 2 or 5 times a power of ten). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** To a tenth of a unit: enough for the screen, and stable numbers for tests and paths. */
const round = (v: number) => Math.round(v * 10) / 10;
const finite = (values: readonly number[]) => values.filter((v) => Number.isFinite(v));
const short = (text: string) => (text.length > 18 ? text.slice(0, 17) + "…" : text);

/** Maps a dimension's values to y (top = highest value or last category); NaN stays NaN. */
function scaleOf(dim: Dimension, size: ParcoordsSize): { y: (v: number) => number; ticks: AxisLayout["ticks"] } {
  const span = size.bottom - size.top;
  const mid = (size.top + size.bottom) / 2;
  if (dim.categories) {
    const n = dim.categories.length;
    const y = (v: number) => (Number.isNaN(v) ? NaN : n <= 1 ? mid : size.bottom - (v / (n - 1)) * span);
    return { y, ticks: dim.categories.map((c, i) => ({ y: y(i), text: short(c) })) };
  }
  const vs = finite(dim.values);
  const min = Math.min(...vs);
  const max = Math.max(...vs);
  const y = (v: number) => (!Number.isFinite(v) ? NaN : max === min ? mid : size.bottom - ((v - min) / (max - min)) * span);
  return { y, ticks: niceTicks(min, max).map((v) => ({ y: y(v), text: formatTick(v) })) };
}

function formatTick(v: number): string {
  return Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(1) : String(Number(v.toPrecision(4)));
}

/**
 * The parallel-coordinates drawing of `dims` (one axis each, in order) for the runs they were built
 * from: numeric axes scaled min..max, categorical ones with their categories evenly spaced, one
 * polyline per run coloured by `colorBy` (viridis, low to high), and the best run by `colorBy`
 * marked (`lowerIsBetter` decides which end wins).
 */
export function parcoordsLayout(
  dims: readonly Dimension[],
  colorBy: Dimension | undefined,
  lowerIsBetter: boolean,
  size: ParcoordsSize = parcoordsSize(dims.length),
): ParcoordsLayout {
  const runs = dims[0]?.values.length ?? colorBy?.values.length ?? 0;
  const gap = dims.length > 1 ? (size.width - size.left - size.right) / (dims.length - 1) : 0;
  const xs = dims.map((_, i) => (dims.length > 1 ? size.left + i * gap : size.width / 2));
  const scales = dims.map((d) => scaleOf(d, size));
  const axes = dims.map((d, i) => ({ id: d.id, label: short(d.label), x: xs[i], ticks: scales[i].ticks }));

  const colorValues = colorBy ? finite(colorBy.values) : [];
  const [cmin, cmax] = [Math.min(...colorValues), Math.max(...colorValues)];
  const colorOf = (v: number) => (!Number.isFinite(v) ? MISSING_COLOR : viridis(cmax === cmin ? 1 : (v - cmin) / (cmax - cmin)));
  let best = -1;
  if (colorBy && !colorBy.categories) {
    colorBy.values.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      const b = colorBy.values[best];
      if (best < 0 || (lowerIsBetter ? v < b : v > b)) best = i;
    });
  }

  const lines: LineLayout[] = [];
  for (let run = 0; run < runs; run++) {
    const ys = dims.map((d, i) => round(scales[i].y(d.values[run])));
    let d = "";
    const has = (i: number) => i >= 0 && i < ys.length && !Number.isNaN(ys[i]);
    ys.forEach((y, i) => {
      if (!has(i)) return;
      d += `${d ? " " : ""}${has(i - 1) ? "L" : "M"}${round(xs[i])} ${y}`;
      // A value with no neighbour is a zero-length segment, which a round line cap draws as a dot.
      if (!has(i - 1) && !has(i + 1)) d += " l0 0";
    });
    lines.push({ run, d, ys, color: colorBy ? colorOf(colorBy.values[run]) : VIRIDIS[3], best: run === best });
  }
  const colorRange: ParcoordsLayout["colorRange"] = !colorBy || !colorValues.length
    ? []
    : colorBy.categories
      ? [short(colorBy.categories[cmin]), short(colorBy.categories[cmax])]
      : [formatTick(cmin), formatTick(cmax)];
  return { size, axes, lines, colorRange };
}


/** A brush on an axis: the y range (in chart units) a line must cross that axis within. */
export type Brushes = Readonly<Record<string, readonly [number, number]>>;

/** Which lines pass every brush (a line lacking a brushed axis's value does not). */
export function brushed(layout: ParcoordsLayout, brushes: Brushes): boolean[] {
  const active = layout.axes.map((a, i) => [i, brushes[a.id]] as const).filter(([, b]) => b !== undefined);
  return layout.lines.map((line) => active.every(([i, [lo, hi]]) => line.ys[i] >= lo && line.ys[i] <= hi));
}
