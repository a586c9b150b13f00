/**
 * The notebook's dataflow graph as an immutable value (reactive-semantics §1, §4 rule 7).
 * `updateGraph(old, change)` returns the next graph and what changed; the kernel acts on `changed`.
 * Edge A → B iff B reads a name A owns. A name claimed by several cells is a MultipleDefinition
 * error on every claimant set together (opened, or run in one request), and its readers get no value;
 * a claimant that was valid and is not part of the change keeps the name (no action at a distance)
 * until it is itself set again. Cells on a cycle get CycleError. Errored cells stay in the graph and
 * recover as soon as the conflict is gone.
 */
import type { CellConfig, CellError, CellId, VariableInfo } from "../protocol.ts";
import { analyzeCell, type CellAnalysis } from "./analyze.ts";

/** One registered cell. `analysis` is absent when the code does not compile (then `error` says why). */
export interface CellNode {
  id: CellId;
  code: string;
  config: CellConfig;
  analysis?: CellAnalysis;
  /** Syntax or invalid-code error from analysis. */
  compileError?: CellError;
}

/** The whole graph; never mutated, `updateGraph` makes a new one. */
export interface Graph {
  readonly cells: ReadonlyMap<CellId, CellNode>;
  /** Notebook order, for tie-breaking. */
  readonly order: readonly CellId[];
  /** Name → cells defining it, first claimant first. */
  readonly claims: ReadonlyMap<string, readonly CellId[]>;
  /**
   * Name → the cells its readers depend on: the one claimant, or the one kept through a conflict
   * introduced elsewhere; every claimant when the name is in conflict and none is valid.
   */
  readonly owners: ReadonlyMap<string, readonly CellId[]>;
  readonly parents: ReadonlyMap<CellId, ReadonlySet<CellId>>;
  readonly children: ReadonlyMap<CellId, ReadonlySet<CellId>>;
  /** Cells that must not run: compile errors, multiple definitions, cycles. */
  readonly errors: ReadonlyMap<CellId, CellError>;
}

/** A change to the graph. */
export type GraphChange =
  /** Cells set together (a notebook opened, one run request): duplicates among them all error. */
  | { type: "set-cells"; cells: readonly { id: CellId; code: string; config: CellConfig }[] }
  | { type: "delete-cell"; id: CellId }
  | { type: "set-order"; ids: readonly CellId[] }
  | { type: "set-config"; id: CellId; config: CellConfig };

/** What an update changed, for the kernel to act on. */
export interface GraphDelta {
  /** Former children of set or deleted cells that no longer read from them. */
  orphaned: CellId[];
  /** Cells that gained or changed an error. */
  errored: CellId[];
  /** Cells whose error cleared (they should run again). */
  recovered: CellId[];
}

/** The graph of an empty notebook. */
export const emptyGraph: Graph = {
  cells: new Map(), order: [], claims: new Map(), owners: new Map(), parents: new Map(), children: new Map(), errors: new Map(),
};

/** Applies one change; pure. */
export function updateGraph(old: Graph, change: GraphChange): { next: Graph; changed: GraphDelta } {
  const cells = new Map(old.cells);
  let order = [...old.order];
  const claims = new Map<string, CellId[]>([...old.claims].map(([k, v]) => [k, [...v]]));
  const unclaim = (id: CellId, keep: ReadonlySet<string>) => {
    for (const [name, list] of claims) {
      if (keep.has(name) || !list.includes(id)) continue;
      const rest = list.filter((c) => c !== id);
      if (rest.length) claims.set(name, rest);
      else claims.delete(name);
    }
  };
  const touched = new Set<CellId>();
  switch (change.type) {
    case "set-cells":
      for (const cell of change.cells) {
        const prev = cells.get(cell.id);
        const same = prev && prev.code === cell.code;
        const result = same ? undefined : analyzeCell(cell.code);
        const node: CellNode = same
          ? { ...prev, config: cell.config }
          : result!.ok
            ? { id: cell.id, code: cell.code, config: cell.config, analysis: result!.analysis }
            : { id: cell.id, code: cell.code, config: cell.config, compileError: result!.error };
        cells.set(cell.id, node);
        if (!order.includes(cell.id)) order.push(cell.id);
        const defs = new Set(node.analysis?.defs ?? []);
        unclaim(cell.id, defs);
        for (const name of defs) {
          const list = claims.get(name) ?? [];
          if (!list.includes(cell.id)) claims.set(name, [...list, cell.id]);
        }
        touched.add(cell.id);
      }
      break;
    case "delete-cell":
      if (!cells.delete(change.id)) return { next: old, changed: { orphaned: [], errored: [], recovered: [] } };
      order = order.filter((c) => c !== change.id);
      unclaim(change.id, new Set());
      touched.add(change.id);
      break;
    case "set-order": {
      const known = change.ids.filter((id) => cells.has(id));
      order = [...known, ...order.filter((id) => !known.includes(id))];
      break;
    }
    case "set-config": {
      const prev = cells.get(change.id);
      if (prev) cells.set(change.id, { ...prev, config: change.config });
      break;
    }
  }
  // A claimant valid before this change and not part of it keeps its names through a new conflict.
  const kept = (id: CellId) => !touched.has(id) && old.cells.has(id) && !old.errors.has(id);
  const next = derive(cells, order, claims, kept);
  const orphaned = new Set<CellId>();
  for (const t of touched) {
    for (const c of old.children.get(t) ?? []) if (!touched.has(c) && next.cells.has(c) && !next.children.get(t)?.has(c)) orphaned.add(c);
  }
  const errored: CellId[] = [];
  const recovered: CellId[] = [];
  for (const id of next.order) {
    const before = old.errors.get(id);
    const after = next.errors.get(id);
    if (after && (!before || JSON.stringify(before) !== JSON.stringify(after) || touched.has(id))) errored.push(id);
    else if (!after && before) recovered.push(id);
  }
  return { next, changed: { orphaned: [...orphaned], errored, recovered } };
}

/** Recomputes owners, edges and errors from cells and claims; `kept` says which claimant survives a conflict. */
function derive(cells: Map<CellId, CellNode>, order: CellId[], claims: Map<string, CellId[]>, kept: (id: CellId) => boolean): Graph {
  const owners = new Map<string, CellId[]>();
  const conflicts: [string, CellId[]][] = [];
  for (const [name, list] of claims) {
    const keep = list.length > 1 ? list.filter(kept) : list;
    // Two kept claimants cannot happen (a conflict needs a changed cell), but one must own the name.
    owners.set(name, keep.length ? keep.slice(0, 1) : list);
    if (list.length > 1) conflicts.push([name, list]);
  }
  const parents = new Map<CellId, Set<CellId>>();
  const children = new Map<CellId, Set<CellId>>();
  for (const id of order) {
    parents.set(id, new Set());
    children.set(id, new Set());
  }
  for (const id of order) {
    for (const ref of cells.get(id)!.analysis?.refs ?? []) {
      for (const owner of owners.get(ref) ?? []) {
        if (owner === id) continue;
        parents.get(id)!.add(owner);
        children.get(owner)!.add(id);
      }
    }
  }
  const errors = new Map<CellId, CellError>();
  for (const id of order) {
    const node = cells.get(id)!;
    if (node.compileError) errors.set(id, node.compileError);
  }
  for (const [name, list] of conflicts) {
    const owner = owners.get(name)!;
    for (const id of list) {
      if (owner.length === 1 && owner[0] === id) continue;
      if (!errors.has(id)) errors.set(id, { kind: "multiple-definition", name, cells: [...list] });
    }
  }
  for (const component of cycles(order, children)) {
    const members = new Set(component);
    const edges = component.flatMap((from) =>
      [...children.get(from)!].filter((to) => members.has(to)).map((to) => ({ from, to, names: sharedNames({ cells, owners }, from, to) })),
    );
    for (const id of component) if (!errors.has(id)) errors.set(id, { kind: "cycle", edges });
  }
  return { cells, order, claims, owners, parents, children, errors };
}

/** Names `from` owns that `to` reads. */
export function sharedNames(g: Pick<Graph, "cells" | "owners">, from: CellId, to: CellId): string[] {
  return (g.cells.get(to)?.analysis?.refs ?? []).filter((r) => g.owners.get(r)?.includes(from));
}

/**
 * The circles of a directed graph: its strongly connected components of more than one node
 * (Tarjan), each listed in `order`'s order. Cells here; the layer test's import graph too.
 */
export function cycles<T>(order: readonly T[], children: ReadonlyMap<T, Iterable<T>>): T[][] {
  const index = new Map<T, number>();
  const low = new Map<T, number>();
  const stack: T[] = [];
  const onStack = new Set<T>();
  const out: T[][] = [];
  let counter = 0;
  const visit = (v: T) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of children.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: T[] = [];
      let w: T;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort((a, b) => order.indexOf(a) - order.indexOf(b)));
    }
  };
  for (const id of order) if (!index.has(id)) visit(id);
  return out;
}

/** Every cell reachable from `ids` along `edges` (excluding `ids` themselves unless reachable). */
function closure(edges: ReadonlyMap<CellId, ReadonlySet<CellId>>, ids: Iterable<CellId>): Set<CellId> {
  const seen = new Set<CellId>();
  const todo = [...ids];
  while (todo.length) {
    for (const next of edges.get(todo.pop()!) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        todo.push(next);
      }
    }
  }
  return seen;
}

/** Transitive children of `ids`. */
export function descendants(g: Graph, ids: Iterable<CellId>): Set<CellId> {
  return closure(g.children, ids);
}

/** Transitive parents of `ids`. */
export function ancestors(g: Graph, ids: Iterable<CellId>): Set<CellId> {
  return closure(g.parents, ids);
}

/** `ids` in dependency order, ties broken by notebook order (Kahn's algorithm on the induced subgraph). */
export function topoSort(g: Graph, ids: Iterable<CellId>): CellId[] {
  const set = new Set(ids);
  const pos = new Map(g.order.map((id, i) => [id, i]));
  const indegree = new Map<CellId, number>();
  for (const id of set) indegree.set(id, [...(g.parents.get(id) ?? [])].filter((p) => set.has(p)).length);
  const ready = [...set].filter((id) => indegree.get(id) === 0);
  const out: CellId[] = [];
  while (ready.length) {
    ready.sort((a, b) => pos.get(a)! - pos.get(b)!);
    const id = ready.shift()!;
    out.push(id);
    for (const c of g.children.get(id) ?? []) {
      if (!set.has(c)) continue;
      indegree.set(c, indegree.get(c)! - 1);
      if (indegree.get(c) === 0) ready.push(c);
    }
  }
  return out; // cells on a cycle never reach indegree 0; they carry CycleError and never run
}

/** Cells that read any of `names` (the readers of a value bound to those names). */
export function readersOf(g: Graph, names: ReadonlySet<string>): CellId[] {
  return g.order.filter((id) => g.cells.get(id)!.analysis?.refs.some((r) => names.has(r)));
}

/** The `variables` event payload: every defined name with its definers and readers. */
export function variables(g: Graph): VariableInfo[] {
  // One pass over every cell's refs (not one pass over the cells per name): it runs on every edit.
  const usedBy = new Map<string, CellId[]>([...g.claims.keys()].map((name) => [name, []]));
  for (const id of g.order) for (const ref of g.cells.get(id)!.analysis?.refs ?? []) usedBy.get(ref)?.push(id);
  return [...g.claims].map(([name, declaredBy]) => ({ name, declaredBy: [...declaredBy], usedBy: usedBy.get(name)! }));
}
