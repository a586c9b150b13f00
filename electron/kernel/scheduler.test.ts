/** The re-run policy as pure decisions over a graph: plans, reactions to changes, blocked cells, state readers. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CellError, CellId, RunMode } from "../protocol.ts";
import { emptyGraph, updateGraph, type Graph } from "./graph.ts";
import { afterChange, blockedBy, planRun, readersToRerun, reenabled, type RunState } from "./scheduler.ts";

const id = (s: string) => s as CellId;
const ids = (...s: string[]) => s.map(id);

function graph(cells: Record<string, string>, base: Graph = emptyGraph): Graph {
  return updateGraph(base, { type: "set-cells", cells: Object.entries(cells).map(([c, code]) => ({ id: id(c), code, config: {} })) }).next;
}

function state(mode: RunMode, over: Partial<RunState> = {}): RunState {
  return { mode, stale: new Set(), failed: new Map(), imported: new Map(), ...over };
}

const chain = { a: "const x = 1;", b: "const y = x + 1;", c: "y + 1", s: "x * 2" };

test("autorun runs roots and descendants in order; lazy marks descendants stale", () => {
  const g = graph(chain);
  assert.deepEqual(planRun(g, ids("a"), [], state("autorun")), { run: ids("a", "b", "c", "s"), markStale: [] });
  assert.deepEqual(planRun(g, ids("a"), [], state("lazy")), { run: ids("a"), markStale: ids("b", "s", "c") });
});

test("stale ancestors run first; their other descendants are left stale, not run", () => {
  const g = graph(chain);
  const plan = planRun(g, ids("c"), [], state("autorun", { stale: new Set(ids("a", "b", "c", "s")) }));
  assert.deepEqual(plan.run, ids("a", "b", "c"));
  assert.deepEqual(plan.markStale, ids("s"));
});

test("an import cell's re-run passes on only to readers of changed bindings, or readers that have not run cleanly", () => {
  const before = graph({ imp: 'import { a, b } from "m";', ra: "a", rb: "b", rc: "c" });
  const imported = new Map([[id("imp"), { a: "m#a", b: "m#b" }]]);
  assert.deepEqual(planRun(before, ids("imp"), [], state("autorun", { imported })).run, ids("imp"));
  const added = graph({ imp: 'import { a, b, c } from "m";' }, before);
  assert.deepEqual(planRun(added, ids("imp"), [], state("autorun", { imported })).run, ids("imp", "rc"));
  const moved = graph({ imp: 'import { a, b } from "n";' }, before);
  assert.deepEqual(planRun(moved, ids("imp"), [], state("autorun", { imported })).run, ids("imp", "ra", "rb"));
  const failed = new Map<CellId, CellError>([[id("rb"), { kind: "interrupted" }]]);
  assert.deepEqual(planRun(before, ids("imp"), [], state("autorun", { imported, failed })).run, ids("imp", "rb"));
  // Never ran: every reader runs.
  assert.deepEqual(planRun(before, ids("imp"), [], state("autorun")).run, ids("imp", "ra", "rb"));
});

test("disabled cells block themselves and descendants; errored cells never run", () => {
  const g = updateGraph(graph(chain), { type: "set-config", id: id("b"), config: { disabled: true } }).next;
  assert.deepEqual(planRun(g, ids("a"), [], state("autorun")), { run: ids("a", "s"), markStale: ids("b", "c") });
  const dup = graph({ n: "const x = 2;" }, graph(chain));
  assert.deepEqual(planRun(dup, ids("n", "b"), [], state("autorun")).run, ids("b", "c"));
  // Enabled again: it and the descendants it blocked run, if they went stale meanwhile.
  assert.deepEqual(reenabled(g, id("b"), new Set(ids("b", "c", "s"))), ids("b", "c"));
});

test("after a change: readers of a cell that stopped parsing, or became a duplicate, are given to re-run", () => {
  const old = graph(chain);
  const broken = updateGraph(old, { type: "set-cells", cells: [{ id: id("a"), code: "const x = ;", config: {} }] });
  assert.deepEqual(afterChange(old, broken.next, broken.changed), { extra: ids("b", "s", "c"), errored: ids("a") });
  const withDup = graph({ n: "const x = 2;" }, old);
  const rerunA = updateGraph(withDup, { type: "set-cells", cells: [{ id: id("a"), code: chain.a, config: {} }] });
  assert.deepEqual(afterChange(withDup, rerunA.next, rerunA.changed).errored, ids("a"));
  assert.deepEqual(new Set(afterChange(withDup, rerunA.next, rerunA.changed).extra), new Set(ids("b", "c", "s")));
  const fixed = updateGraph(rerunA.next, { type: "delete-cell", id: id("n") });
  assert.deepEqual(afterChange(rerunA.next, fixed.next, fixed.changed).extra.sort(), ids("a", "b", "s").sort());
});

test("a reader of a name whose every definer conflicts gets the conflict; a failed or stopped parent blocks", () => {
  const g = graph({ a: "const x = 1;", n: "const x = 2;", b: "x + 1", c: "const z = 1;", d: "z" });
  assert.deepEqual(blockedBy(g, id("b"), new Map(), new Map()), { error: { kind: "multiple-definition", name: "x", cells: ids("a", "n") } });
  assert.equal(blockedBy(g, id("d"), new Map(), new Map()), undefined);
  assert.deepEqual(blockedBy(g, id("d"), new Map([[id("c"), { kind: "interrupted" } as CellError]]), new Map()), {
    error: { kind: "ancestor-failed", cell: "c", name: "z" },
  });
  assert.deepEqual(blockedBy(g, id("d"), new Map(), new Map([[id("c"), id("c")]])), { stoppedBy: "c" });
});

test("state readers: those that started after the setter call are skipped, and so is the setter's cell", () => {
  const g = graph({ s: "const [get, set] = f();", w: "set(1);", r1: "get()", r2: "get()" });
  const started = new Map([[id("w"), 2], [id("r1"), 1], [id("r2"), 3]]);
  assert.deepEqual(readersToRerun(g, [{ names: new Set(["get"]), at: 2 }], started), ids("r1"));
  assert.deepEqual(readersToRerun(g, [{ names: new Set(["get"]), at: Infinity, except: id("r1") }], started), ids("r2"));
});
