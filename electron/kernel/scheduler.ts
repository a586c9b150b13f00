/**
 * Every re-run decision of the kernel, as pure functions of the graph and what the kernel last saw
 * (reactive-semantics §1, §4 rule 9): which cells a request runs and which go stale, what a graph
 * change makes re-run, whether a queued cell may run or inherits an error, which state readers a
 * setter re-runs. `kernel.ts` acts on the answers; `graph.ts` says who reads what.
 */
import type { CellError, CellId, RunMode } from "../protocol.ts";
import { ancestors, descendants, sharedNames, topoSort, type Graph, type GraphDelta } from "./graph.ts";

/** What the kernel knows besides the graph that decides a plan. */
export interface RunState {
  mode: RunMode;
  /** Cells whose values are out of date (never ran, or an input changed in lazy mode). */
  stale: ReadonlySet<CellId>;
  /** Cells whose last run failed (an exception, a reference error, an interrupt). */
  failed: ReadonlyMap<CellId, CellError>;
  /** Import-only cells' bindings as of their last completed run (`CellAnalysis.imports`). */
  imported: ReadonlyMap<CellId, Readonly<Record<string, string>>>;
}

/** The outcome of planning: cells to run in order, and cells to mark stale. */
export interface RunPlan {
  run: CellId[];
  markStale: CellId[];
}

/**
 * Plans a run of `roots`: they run with the stale ancestors they need. `extra` cells (readers of a
 * changed value) run in autorun mode and go stale in lazy mode, like the roots' descendants. A stale
 * ancestor's other descendants are not run (running one cell of an unrun notebook runs only what it
 * needs); any that had run go stale. Errored cells never run; disabled cells block themselves and
 * their descendants, which go stale.
 */
export function planRun(g: Graph, roots: Iterable<CellId>, extra: Iterable<CellId>, state: RunState): RunPlan {
  const requested = new Set([...roots].filter((id) => g.cells.has(id)));
  const staleLater = new Set<CellId>();
  const followers = new Set<CellId>();
  for (const id of extra) if (g.cells.has(id)) followers.add(id);
  for (const d of affected(g, [...requested, ...followers], state)) if (!requested.has(d)) followers.add(d);
  const set = new Set(requested);
  for (const id of followers) {
    if (state.mode === "autorun") set.add(id);
    else staleLater.add(id);
  }
  const needed = [...ancestors(g, set)].filter((a) => state.stale.has(a) && !set.has(a));
  needed.forEach((a) => set.add(a));
  for (const d of descendants(g, needed)) if (!set.has(d)) staleLater.add(d);
  const disabled = [...set].filter((id) => g.cells.get(id)!.config.disabled);
  const blocked = new Set([...disabled, ...descendants(g, disabled)]);
  const run = topoSort(g, [...set].filter((id) => !g.errors.has(id) && !blocked.has(id)));
  const running = new Set(run);
  const markStale = [...new Set([...staleLater, ...blocked])].filter((id) => !running.has(id) && !g.errors.has(id));
  return { run, markStale };
}

/**
 * The transitive descendants a run of `ids` makes out of date. An import-only cell that ran before
 * passes its re-run on only to readers of names whose binding changed (and to readers that have not
 * run cleanly since): the same module export is the same value, so re-running or adding an import
 * does not re-run the notebook.
 */
function affected(g: Graph, ids: readonly CellId[], state: RunState): Set<CellId> {
  const out = new Set<CellId>();
  const todo = [...ids];
  while (todo.length) {
    const id = todo.pop()!;
    for (const child of childrenToRerun(g, id, state)) {
      if (out.has(child)) continue;
      out.add(child);
      todo.push(child);
    }
  }
  return out;
}

function childrenToRerun(g: Graph, id: CellId, state: RunState): Iterable<CellId> {
  const children = g.children.get(id) ?? new Set<CellId>();
  const now = g.cells.get(id)?.analysis?.imports;
  const before = state.imported.get(id);
  if (!now || !before) return children;
  const same = (name: string) => before[name] !== undefined && before[name] === now[name];
  return [...children].filter((c) => state.stale.has(c) || state.failed.has(c) || sharedNames(g, id, c).some((name) => !same(name)));
}

/**
 * What a graph change makes run: cells whose error cleared, former readers of cells that stopped
 * defining a name (edited, deleted, no longer parsing) and readers of cells that became errored (their
 * names are gone). They re-run in autorun mode, showing the names undefined, and go stale in lazy mode
 * (`planRun` decides, given them as `extra`). Cells the change errored are listed to be cleared.
 */
export function afterChange(old: Graph, next: Graph, changed: GraphDelta): { extra: CellId[]; errored: CellId[] } {
  const extra = new Set<CellId>([...changed.recovered, ...changed.orphaned]);
  for (const id of changed.errored) descendants(old, [id]).forEach((d) => extra.add(d));
  return { extra: [...extra].filter((id) => next.cells.has(id) && !next.errors.has(id)), errored: changed.errored };
}

/** What re-enabling a disabled cell runs: it and its blocked descendants, if they went stale meanwhile. */
export function reenabled(g: Graph, id: CellId, stale: ReadonlySet<CellId>): CellId[] {
  return [id, ...descendants(g, [id])].filter((c) => stale.has(c));
}

/** Why a queued cell does not run: an error it inherits, or the cell whose `stop()` cancels it. */
export type Blocked = { error: CellError } | { stoppedBy: CellId };

/**
 * Whether a queued cell may run now (undefined) or why not: a name it reads is in a
 * multiple-definition conflict with no valid definer (it shows that error, never an old value), a
 * parent failed in this pass or an earlier one, or a parent stopped or was cancelled by a `stop()`.
 */
export function blockedBy(g: Graph, id: CellId, failed: ReadonlyMap<CellId, CellError>, stoppedBy: ReadonlyMap<CellId, CellId>): Blocked | undefined {
  for (const ref of g.cells.get(id)?.analysis?.refs ?? []) {
    const owners = g.owners.get(ref);
    if (!owners?.length || !owners.every((o) => g.errors.get(o)?.kind === "multiple-definition")) continue;
    return { error: { kind: "multiple-definition", name: ref, cells: [...g.claims.get(ref)!] } };
  }
  for (const parent of g.parents.get(id) ?? []) {
    const error = failed.get(parent);
    if (!error) continue;
    const name = sharedNames(g, parent, id)[0];
    const cell = error.kind === "ancestor-failed" ? error.cell : parent;
    return { error: { kind: "ancestor-failed", cell, ...(name ? { name } : {}) } };
  }
  for (const parent of g.parents.get(id) ?? []) {
    const by = stoppedBy.get(parent);
    if (by) return { stoppedBy: by };
  }
  return undefined;
}

/** A state setter's call: re-run the readers of `names`, but not `except` (the setter's own cell). */
export interface ReaderRequest {
  names: ReadonlySet<string>;
  except?: CellId;
  /** The kernel's run counter when the setter was called (see `started`). */
  at: number;
}

/**
 * The readers a batch of setter calls re-runs. A reader whose latest run started after the call
 * read the new value already, so it is not run again (its side effects happen once).
 * `started` holds, per cell, the run counter at its latest run's start.
 */
export function readersToRerun(g: Graph, requests: readonly ReaderRequest[], started: ReadonlyMap<CellId, number>): CellId[] {
  const out = new Set<CellId>();
  for (const { names, except, at } of requests) {
    for (const id of g.order) {
      if (id === except || (started.get(id) ?? -1) > at) continue;
      if (g.cells.get(id)!.analysis?.refs.some((r) => names.has(r))) out.add(id);
    }
  }
  return [...out];
}
