/**
 * Differences between runs for the compare view: params/metrics/upstream-value tables whose rows
 * flag when the runs disagree, and a line diff of two cells' code.
 */
import type { Run } from "./types.ts";
import { upstreamOf } from "./provenance.ts";

/** One key across the compared runs; `values[i]` belongs to run i (undefined: not logged). */
export interface DiffRow {
  key: string;
  values: (string | undefined)[];
  /** Whether at least two runs disagree (a missing value counts as a value). */
  differs: boolean;
}

function rows(keyed: Map<string, string>[]): DiffRow[] {
  const keys = [...new Set(keyed.flatMap((m) => [...m.keys()]))].sort();
  return keys.map((key) => {
    const values = keyed.map((m) => m.get(key));
    return { key, values, differs: new Set(values).size > 1 };
  });
}

/** Param rows of the given runs, sorted by key. */
export function paramDiff(runs: readonly Run[]): DiffRow[] {
  return rows(runs.map((r) => new Map(r.data.params.map((p) => [p.key, p.value]))));
}

/** Latest-metric rows of the given runs, sorted by key; values formatted for display. */
export function metricDiff(runs: readonly Run[]): DiffRow[] {
  return rows(runs.map((r) => new Map(r.data.metrics.map((m) => [m.key, formatNumber(m.value)]))));
}

/**
 * Upstream-value rows of runs logged from cells (`flowbook.upstream`: slider positions, constants
 * the cell read), values as JSON text; a run without the tag counts as having none.
 */
export function upstreamDiff(runs: readonly Run[]): DiffRow[] {
  return rows(runs.map((r) => upstreamOf(r) ?? new Map<string, string>()));
}

/** A number shown compactly: integers as-is, others to 6 significant digits. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}

/** One line of a two-way diff. */
export interface DiffLine {
  op: "same" | "add" | "del";
  text: string;
}

/**
 * Line diff of `a` → `b` by longest common subsequence. Cells are small (hundreds of lines), so
 * the quadratic table is cheap and gives the minimal diff.
 */
export function lineDiff(a: string, b: string): DiffLine[] {
  const x = a.split("\n");
  const y = b.split("\n");
  const n = x.length;
  const m = y.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) {
      out.push({ op: "same", text: x[i] });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) out.push({ op: "del", text: x[i++] });
    else out.push({ op: "add", text: y[j++] });
  }
  while (i < n) out.push({ op: "del", text: x[i++] });
  while (j < m) out.push({ op: "add", text: y[j++] });
  return out;
}

/** Whether lower values of a metric are better, guessed from its name (loss, error, …). */
export function lowerIsBetter(key: string): boolean {
  return /loss|err|mse|mae|rmse|perplexity|cost|time|latency/i.test(key);
}

/**
 * The best finished run for a metric among `candidates`, excluding `exclude` (the live run): the
 * ghost curve drawn behind a running run. Null when no finished run logged the metric.
 */
export function bestFinishedRun(candidates: readonly Run[], key: string, exclude: string): Run | null {
  const lower = lowerIsBetter(key);
  let best: Run | null = null;
  let bestValue = 0;
  for (const run of candidates) {
    if (run.info.run_id === exclude || run.info.status !== "FINISHED") continue;
    const v = run.data.metrics.find((m) => m.key === key)?.value;
    if (v === undefined || !Number.isFinite(v)) continue;
    if (best === null || (lower ? v < bestValue : v > bestValue)) {
      best = run;
      bestValue = v;
    }
  }
  return best;
}
