/**
 * Downsampling of long line traces for `plot`: a chart a few thousand pixels wide cannot show a
 * million points, and shipping them costs the kernel, the host and the window hundreds of MB. As the
 * tracking charts' server-side sampling does (tracking/store/metrics.ts), each bucket of consecutive
 * points keeps its lowest and highest point, so spikes survive; the first and last points, the order
 * and gaps (a null or NaN y breaks the line) are kept too.
 *
 * Sampled: `scatter`/`scattergl` traces (the default type) whose `y` has more than `MAX_TRACE_POINTS`
 * numbers (nulls and NaN allowed) and whose `x` is absent (`x0`/`dx` honoured) or numbers in order
 * (ascending or descending) of the same length. Every other array of the trace with one entry per
 * point (`text`, `customdata`, `marker.color`, …) is sampled alike. Anything else — other trace
 * types (heatmap, pie, …), unordered x (a point cloud), non-numeric x — is left whole.
 */

/** Traces with more points than this are downsampled to about this many (up to 1.5× with gaps). */
export const MAX_TRACE_POINTS = 5000;

type Trace = Record<string, unknown>;
type Column = ArrayLike<unknown>;

const SAMPLED_TYPES = new Set([undefined, "scatter", "scattergl"]);

function isColumn(v: unknown): v is Column {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

/** Whether `x` holds only numbers, in one direction. */
function ordered(x: Column): boolean {
  let dir = 0;
  for (let i = 0; i < x.length; i++) {
    if (typeof x[i] !== "number" || Number.isNaN(x[i])) return false;
    if (i === 0) continue;
    const d = Math.sign((x[i] as number) - (x[i - 1] as number));
    if (d === 0) continue;
    if (dir === 0) dir = d;
    else if (d !== dir) return false;
  }
  return true;
}

/** Whether `y` holds only numbers, nulls and undefined (gaps). */
function numeric(y: Column): boolean {
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (typeof v !== "number" && v !== null && v !== undefined) return false;
  }
  return true;
}

/**
 * The indexes a min/max sample of `y` keeps, ascending: the first and last point, and in each of
 * `(maxPoints - 2) / 2` buckets of consecutive points its lowest and highest point (the earliest on
 * ties) and its first gap, if any.
 */
export function sampleIndexes(y: Column, maxPoints: number): number[] {
  const n = y.length;
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const buckets = Math.max(1, Math.floor((maxPoints - 2) / 2));
  const out: number[] = [0];
  const inner = n - 2;
  for (let b = 0; b < buckets; b++) {
    const lo = 1 + Math.floor((b * inner) / buckets);
    const hi = 1 + Math.floor(((b + 1) * inner) / buckets);
    let min = -1;
    let max = -1;
    let gap = -1;
    for (let i = lo; i < hi; i++) {
      const v = y[i];
      if (typeof v !== "number" || Number.isNaN(v)) {
        if (gap < 0) gap = i;
        continue;
      }
      if (min < 0 || v < (y[min] as number)) min = i;
      if (max < 0 || v > (y[max] as number)) max = i;
    }
    const kept = [min, max, gap].filter((i) => i >= 0).sort((a, b) => a - b);
    for (const i of kept) if (out[out.length - 1] !== i) out.push(i);
  }
  if (out[out.length - 1] !== n - 1) out.push(n - 1);
  return out;
}

const pick = (column: Column, indexes: number[]): unknown[] => indexes.map((i) => column[i]);

/**
 * `trace` with its points reduced to about `maxPoints` when it is a long line trace (see the file
 * comment); otherwise `trace` itself. The result shares nothing it changed with `trace`.
 */
export function downsampleTrace(trace: Trace, maxPoints = MAX_TRACE_POINTS): Trace {
  if (!SAMPLED_TYPES.has(trace.type as string | undefined)) return trace;
  const y = trace.y;
  if (!isColumn(y) || y.length <= maxPoints || !numeric(y)) return trace;
  const n = y.length;
  const x = trace.x;
  if (x !== undefined && (!isColumn(x) || x.length !== n || !ordered(x))) return trace;
  const x0 = trace.x0 ?? 0;
  const dx = trace.dx ?? 1;
  if (x === undefined && (typeof x0 !== "number" || typeof dx !== "number")) return trace;
  const indexes = sampleIndexes(y, maxPoints);
  const out: Trace = {};
  for (const [key, value] of Object.entries(trace)) {
    if (isColumn(value) && value.length === n) out[key] = pick(value, indexes);
    else if (value !== null && typeof value === "object" && !isColumn(value)) {
      // Per-point arrays one level down: marker.color, marker.size, error_y.array, line.color, …
      const nested: Trace = {};
      for (const [k, v] of Object.entries(value)) nested[k] = isColumn(v) && v.length === n ? pick(v, indexes) : v;
      out[key] = nested;
    } else out[key] = value;
  }
  if (x === undefined) {
    out.x = indexes.map((i) => (x0 as number) + i * (dx as number));
    delete out.x0;
    delete out.dx;
  }
  return out;
}
