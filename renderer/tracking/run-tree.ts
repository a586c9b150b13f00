/**
 * The runs table's visible row list: nested runs under their parents (when expanded) or runs
 * under group headers with aggregates. Pure, so the virtualized table indexes a flat array.
 */
import type { Run } from "./types.ts";
import { TAG, tagOf } from "./types.ts";
import { groupRuns, stats, latestMetric, type GroupKey, type Stats } from "./aggregate.ts";

/** One rendered line of the runs table. */
export type TableItem =
  | { kind: "run"; run: Run; depth: number; childCount: number }
  | { kind: "group"; value: string; count: number; aggregates: Record<string, Stats | null> };

/** Child runs per parent id, among the given runs. */
export function childrenByParent(runs: readonly Run[]): Map<string, Run[]> {
  const ids = new Set(runs.map((r) => r.info.run_id));
  const map = new Map<string, Run[]>();
  for (const run of runs) {
    const parent = tagOf(run, TAG.parent);
    if (!parent || !ids.has(parent)) continue;
    const list = map.get(parent);
    if (list) list.push(run);
    else map.set(parent, [run]);
  }
  return map;
}

function nest(runs: readonly Run[], children: Map<string, Run[]>, expanded: ReadonlySet<string>, all: Set<string>): TableItem[] {
  const out: TableItem[] = [];
  const visit = (run: Run, depth: number) => {
    const kids = children.get(run.info.run_id) ?? [];
    out.push({ kind: "run", run, depth, childCount: kids.length });
    if (expanded.has(run.info.run_id)) for (const k of kids) visit(k, depth + 1);
  };
  for (const run of runs) {
    const parent = tagOf(run, TAG.parent);
    if (parent && all.has(parent)) continue; // shown under its parent
    visit(run, 0);
  }
  return out;
}

/**
 * Flattens runs (in server order) into table items. Without grouping, runs whose parent is loaded
 * appear only under that parent; with grouping, each group header carries min/mean/max of the
 * metric columns and its runs follow unless the group is collapsed.
 */
export function tableItems(
  runs: readonly Run[],
  opts: { expanded: ReadonlySet<string>; groupBy?: GroupKey | null; collapsed?: ReadonlySet<string>; metricKeys?: readonly string[] },
): TableItem[] {
  const all = new Set(runs.map((r) => r.info.run_id));
  const children = childrenByParent(runs);
  if (!opts.groupBy) return nest(runs, children, opts.expanded, all);
  const out: TableItem[] = [];
  for (const g of groupRuns(runs, opts.groupBy)) {
    const aggregates: Record<string, Stats | null> = {};
    for (const key of opts.metricKeys ?? [])
      aggregates[key] = stats(g.runs.map((r) => latestMetric(r, key)).filter((v): v is number => v !== undefined));
    out.push({ kind: "group", value: g.value, count: g.runs.length, aggregates });
    if (!opts.collapsed?.has(g.value)) for (const run of g.runs) out.push({ kind: "run", run, depth: 1, childCount: 0 });
  }
  return out;
}
