/**
 * Which cells a request runs (reactive-semantics §4 rule 9), as a pure function of the graph:
 * roots plus their stale ancestors; autorun adds descendants, lazy marks them stale; errored cells
 * never run; disabled cells block themselves and their descendants (which go stale instead).
 */
import type { CellId, RunMode } from "../protocol.ts";
import { ancestors, descendants, topoSort, type Graph } from "./graph.ts";

/** The outcome of planning: cells to run in order, and cells to mark stale. */
export interface RunPlan {
  run: CellId[];
  markStale: CellId[];
}

/** Plans a run of `roots` (`extra` cells are run in autorun mode and marked stale in lazy mode). */
export function planRun(
  g: Graph,
  roots: Iterable<CellId>,
  extra: Iterable<CellId>,
  stale: ReadonlySet<CellId>,
  mode: RunMode,
): RunPlan {
  const requested = new Set([...roots].filter((id) => g.cells.has(id)));
  const staleLater = new Set<CellId>();
  for (const id of extra) {
    if (!g.cells.has(id)) continue;
    if (mode === "autorun") requested.add(id);
    else staleLater.add(id);
  }
  const set = new Set(requested);
  for (const a of ancestors(g, requested)) if (stale.has(a)) set.add(a);
  for (const d of descendants(g, set)) {
    if (mode === "autorun") set.add(d);
    else staleLater.add(d);
  }
  const disabled = [...set].filter((id) => g.cells.get(id)!.config.disabled);
  const blocked = new Set([...disabled, ...descendants(g, disabled)]);
  const run = topoSort(g, [...set].filter((id) => !g.errors.has(id) && !blocked.has(id)));
  const running = new Set(run);
  const markStale = [...new Set([...staleLater, ...blocked])].filter((id) => !running.has(id) && !g.errors.has(id));
  return { run, markStale };
}
