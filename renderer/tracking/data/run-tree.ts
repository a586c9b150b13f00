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

/** Child runs per parent id, among the given runs (in their order). */
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

/** Parent ids the given runs name that are not among them (a page may hold a child without its parent). */
export function missingParents(runs: readonly Run[]): string[] {
  const ids = new Set(runs.map((r) => r.info.run_id));
  const missing = new Set<string>();
  for (const run of runs) {
    const parent = tagOf(run, TAG.parent);
    if (parent && !ids.has(parent)) missing.add(parent);
  }
  return [...missing];
}

/**
 * Nests runs under their loaded parents. A tree takes the place of its earliest member in `runs`
 * (the server's order), so a parent fetched after its child, or a child arriving on a later page,
 * never moves rows already shown; parent cycles (bad tags) are cut where they repeat.
 */
function nest(runs: readonly Run[], children: Map<string, Run[]>, expanded: ReadonlySet<string>): TableItem[] {
  const byId = new Map(runs.map((r) => [r.info.run_id, r]));
  const placed = new Set<string>();
  const out: TableItem[] = [];
  const visit = (run: Run, depth: number) => {
    placed.add(run.info.run_id);
    const kids = (children.get(run.info.run_id) ?? []).filter((k) => !placed.has(k.info.run_id));
    out.push({ kind: "run", run, depth, childCount: kids.length });
    if (expanded.has(run.info.run_id)) for (const k of kids) if (!placed.has(k.info.run_id)) visit(k, depth + 1);
  };
  const parentOf = (run: Run) => byId.get(tagOf(run, TAG.parent) ?? "");
  const rootOf = (run: Run) => {
    const seen = new Set([run]);
    for (let p = parentOf(run); p && !seen.has(p); p = parentOf(p)) {
      seen.add(p);
      run = p;
    }
    return run;
  };
  for (const run of runs) {
    const root = rootOf(run);
    if (!placed.has(root.info.run_id)) visit(root, 0);
  }
  return out;
}

/**
 * Flattens runs (in server order) into table items. Without grouping, runs whose parent is loaded
 * appear only under that parent (see `nest`); with grouping, each group header carries
 * min/mean/max of the metric columns and its runs follow unless the group is collapsed.
 */
export function tableItems(
  runs: readonly Run[],
  opts: { expanded: ReadonlySet<string>; groupBy?: GroupKey | null; collapsed?: ReadonlySet<string>; metricKeys?: readonly string[] },
): TableItem[] {
  if (!opts.groupBy) return nest(runs, childrenByParent(runs), opts.expanded);
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
