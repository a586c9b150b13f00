/** Graph case table: edges, ownership, errors and recovery, order (pure updates). */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CellId } from "../protocol.ts";
import { ancestors, descendants, emptyGraph, topoSort, updateGraph, variables, type Graph, type GraphChange } from "./graph.ts";

const id = (s: string) => s as CellId;
const set = (cell: string, code: string): GraphChange => together({ [cell]: code });
/** Cells set in one change (opened together, or one run request). */
const together = (cells: Record<string, string>): GraphChange => ({
  type: "set-cells",
  cells: Object.entries(cells).map(([cell, code]) => ({ id: id(cell), code, config: {} })),
});

function build(changes: GraphChange[]): { g: Graph; last: ReturnType<typeof updateGraph>["changed"] } {
  let g = emptyGraph;
  let last = { orphaned: [] as CellId[], errored: [] as CellId[], recovered: [] as CellId[] };
  for (const c of changes) ({ next: g, changed: last } = updateGraph(g, c));
  return { g, last };
}

interface Case {
  changes: GraphChange[];
  parents?: Record<string, string[]>;
  errors?: Record<string, string>;
  order?: string[];
  orphaned?: string[];
  recovered?: string[];
}

const cases: Record<string, Case> = {
  "edge from definer to reader; self refs make none": {
    changes: [set("a", "const x = 1; x"), set("b", "x + 1")],
    parents: { a: [], b: ["a"] },
  },
  "diamond sorts parents first": {
    changes: [set("d", "y + z"), set("b", "const y = x;"), set("c", "const z = x;"), set("a", "const x = 1;")],
    order: ["a", "b", "c", "d"],
  },
  "newcomer gets MultipleDefinition, old definer keeps x": {
    changes: [set("a", "const x = 1;"), set("b", "x"), set("n", "const x = 2;")],
    errors: { n: "multiple-definition" },
    parents: { b: ["a"] },
  },
  "definers set together all get MultipleDefinition; readers depend on both": {
    changes: [together({ a: "const x = 1;", b: "x", n: "const x = 2;" })],
    errors: { a: "multiple-definition", n: "multiple-definition" },
    parents: { b: ["a", "n"] },
  },
  "setting the kept definer again while the duplicate exists errors it too": {
    changes: [set("a", "const x = 1;"), set("b", "x"), set("n", "const x = 2;"), set("a", "const x = 1;")],
    errors: { a: "multiple-definition", n: "multiple-definition" },
    parents: { b: ["a", "n"] },
  },
  "renaming either definer of a conflict recovers the other": {
    changes: [together({ a: "const x = 1;", n: "const x = 2;" }), set("n", "const w = 2;")],
    errors: {},
    recovered: ["a", "n"],
  },
  "deleting the owner hands the name to the newcomer": {
    changes: [set("a", "const x = 1;"), set("n", "const x = 2;"), { type: "delete-cell", id: id("a") }],
    errors: {},
    recovered: ["n"],
  },
  "cycle errors every member": {
    changes: [set("a", "const x = y;"), set("b", "const y = x;"), set("c", "const z = 1;")],
    errors: { a: "cycle", b: "cycle" },
  },
  "breaking the cycle recovers": {
    changes: [set("a", "const x = y;"), set("b", "const y = x;"), set("b", "const y = 1;")],
    errors: {},
    recovered: ["a", "b"],
  },
  "syntax error unregisters names and orphans readers": {
    changes: [set("a", "const x = 1;"), set("b", "x"), set("a", "const x = ;")],
    errors: { a: "syntax" },
    parents: { b: [] },
    orphaned: ["b"],
  },
  "edit that stops defining x orphans readers": {
    changes: [set("a", "const x = 1;"), set("b", "x"), set("a", "const w = 1;")],
    orphaned: ["b"],
  },
  "set-order changes tie-breaking": {
    changes: [set("a", "1"), set("b", "2"), set("c", "3"), { type: "set-order", ids: [id("c"), id("a"), id("b")] }],
    order: ["c", "a", "b"],
  },
};

for (const [name, c] of Object.entries(cases)) {
  test(name, () => {
    const { g, last } = build(c.changes);
    for (const [cell, ps] of Object.entries(c.parents ?? {})) assert.deepEqual([...(g.parents.get(id(cell)) ?? [])], ps, `parents of ${cell}`);
    if (c.errors) assert.deepEqual(Object.fromEntries([...g.errors].map(([k, v]) => [k, v.kind])), c.errors);
    if (c.order) assert.deepEqual(topoSort(g, g.order), c.order);
    if (c.orphaned) assert.deepEqual(last.orphaned, c.orphaned);
    if (c.recovered) assert.deepEqual(last.recovered, c.recovered);
  });
}

test("descendants, ancestors and variables", () => {
  const { g } = build([set("a", "const x = 1;"), set("b", "const y = x;"), set("c", "y + x")]);
  assert.deepEqual([...descendants(g, [id("a")])].sort(), ["b", "c"]);
  assert.deepEqual([...ancestors(g, [id("c")])].sort(), ["a", "b"]);
  assert.deepEqual(variables(g), [
    { name: "x", declaredBy: ["a"], usedBy: ["b", "c"] },
    { name: "y", declaredBy: ["b"], usedBy: ["c"] },
  ]);
});

test("updates are pure: the old graph is unchanged", () => {
  const { g } = build([set("a", "const x = 1;")]);
  const before = JSON.stringify(variables(g));
  updateGraph(g, set("b", "const x = 2;"));
  updateGraph(g, { type: "delete-cell", id: id("a") });
  assert.equal(JSON.stringify(variables(g)), before);
  assert.equal(g.errors.size, 0);
});
