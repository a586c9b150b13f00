/** Reactive semantics T1–T35 (reactive-semantics.md §4), driven through KernelCommand messages. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { CellId, RunMode } from "../protocol.ts";
import { TestKernel, sleep } from "./test-harness.ts";

const MODES: RunMode[] = ["autorun", "lazy"];

/** Runs `body` once per run mode (marimo's `any_kernel` fixture). */
function each(name: string, body: (k: TestKernel, mode: RunMode) => Promise<void>): void {
  for (const mode of MODES) test(`${name} [${mode}]`, () => body(new TestKernel(mode), mode));
}

describe("graph and order", () => {
  each("T1 edit A re-runs B (autorun) or stales it (lazy); unrelated C untouched", async (k, mode) => {
    await k.init({ a: "const x = 1;", b: "x + 1", c: "const z = 5;" });
    await k.runAll();
    assert.equal(k.value("b"), 2);
    k.clear();
    await k.run({ a: "const x = 2;" });
    assert.equal(k.runs("c"), 0);
    if (mode === "autorun") {
      assert.equal(k.runs("b"), 1);
      assert.equal(k.value("b"), 3);
    } else {
      assert.equal(k.runs("b"), 0);
      assert.equal(k.status("b"), "stale");
    }
  });

  each("T2 chain A->B->C runs in order", async (k) => {
    await k.init({ c: "y + 1", b: "const y = x + 1;", a: "const x = 1;" });
    await k.run(["c"]);
    assert.deepEqual(k.started(), ["a", "b", "c"]);
    assert.equal(k.value("c"), 3);
  });

  each("T3 diamond: D runs once, after B and C", async (k, mode) => {
    await k.init({ a: "const x = 1;", b: "const y = x + 1;", c: "const z = x + 2;", d: "y + z" });
    await k.runAll();
    k.clear();
    await k.run({ a: "const x = 10;" });
    if (mode === "autorun") {
      assert.deepEqual(k.started(), ["a", "b", "c", "d"]);
      assert.equal(k.value("d"), 23);
    } else {
      await k.run(["d"]);
      assert.deepEqual(k.started(), ["a", "b", "c", "d"]);
    }
  });

  each("T4 independent cells run in notebook order", async (k) => {
    await k.init({ c3: "1", c1: "2", c2: "3" });
    await k.run(["c2", "c1", "c3"]);
    assert.deepEqual(k.started(), ["c3", "c1", "c2"]);
    await k.send({ type: "set-cell-order", ids: ["c2", "c3", "c1"] as CellId[] });
    k.clear();
    await k.run(["c1", "c2", "c3"]);
    assert.deepEqual(k.started(), ["c2", "c3", "c1"]);
  });

  test("T5 lazy: edit A stales B and C; running C runs stale B first", async () => {
    const k = new TestKernel("lazy");
    await k.init({ a: "const x = 1;", b: "const y = x * 2;", c: "y + 1" });
    await k.runAll();
    k.clear();
    await k.run({ a: "const x = 5;" });
    assert.deepEqual(k.started(), ["a"]);
    assert.equal(k.status("b"), "stale");
    assert.equal(k.status("c"), "stale");
    k.clear();
    await k.run(["c"]);
    assert.deepEqual(k.started(), ["b", "c"]);
    assert.equal(k.value("c"), 11);
    k.clear();
    await k.send({ type: "run-stale-cells" });
    assert.deepEqual(k.started(), []);
  });

  each("T6 running B with a stale ancestor A runs A first", async (k) => {
    await k.init({ a: "const x = 1;", b: "x + 1" });
    await k.run(["b"]);
    assert.deepEqual(k.started(), ["a", "b"]);
    assert.equal(k.value("b"), 2);
  });
});

describe("definitions", () => {
  each("T7 a new cell redefining x errors alone; old x still usable", async (k) => {
    await k.init({ a: "const x = 1;", b: "x + 1" });
    await k.runAll();
    k.clear();
    await k.run({ n: "const x = 2;" });
    assert.equal(k.error("n")?.kind, "multiple-definition");
    assert.equal(k.error("a"), undefined);
    assert.equal(k.runs("n"), 0);
    await k.run(["b"]);
    assert.equal(k.value("b"), 2);
  });

  each("T8 renaming the duplicate clears the error and runs both", async (k) => {
    await k.init({ a: "const x = 1;", b: "x + 1" });
    await k.runAll();
    await k.run({ n: "const x = 2;" });
    k.clear();
    await k.run({ n: "const w = 2; w" });
    assert.equal(k.value("n"), 2);
    assert.equal(k.error("n"), undefined);
    await k.run(["a", "b"]);
    assert.equal(k.value("b"), 2);
  });

  each("T9 mutual references are a cycle on both; deleting one clears it", async (k, mode) => {
    await k.init({ a: "const x = y + 1;", b: "const y = x + 1;" });
    await k.runAll();
    assert.equal(k.error("a")?.kind, "cycle");
    assert.equal(k.error("b")?.kind, "cycle");
    assert.equal(k.runs("a") + k.runs("b"), 0);
    const err = k.error("a");
    assert.ok(err?.kind === "cycle" && err.edges.some((e) => e.from === "a" && e.to === "b" && e.names.includes("x")));
    await k.send({ type: "delete-cell", id: "b" as CellId });
    if (mode === "lazy") await k.send({ type: "run-stale-cells" });
    assert.equal(k.error("a")?.kind, "reference");
  });

  each("T10 deleting A removes x; B fails with a ReferenceError naming A", async (k, mode) => {
    await k.init({ a: "const x = 1;", b: "x + 1" });
    await k.runAll();
    k.clear();
    await k.send({ type: "delete-cell", id: "a" as CellId });
    if (mode === "lazy") {
      assert.equal(k.runs("b"), 0);
      assert.equal(k.status("b"), "stale");
      await k.send({ type: "run-stale-cells" });
    }
    assert.deepEqual(k.error("b"), { kind: "reference", name: "x", expectedCell: "a" });
  });

  each("T11 editing A to stop defining x re-runs or stales B, which fails", async (k, mode) => {
    await k.init({ a: "const x = 1;", b: "x + 1" });
    await k.runAll();
    k.clear();
    await k.run({ a: "const w = 1;" });
    if (mode === "lazy") {
      assert.equal(k.status("b"), "stale");
      await k.send({ type: "run-stale-cells" });
    }
    assert.deepEqual(k.error("b"), { kind: "reference", name: "x", expectedCell: "a" });
  });
});

describe("definitions together, imports, partial runs", () => {
  each("T36 definers of one name opened together all show the conflict; readers get it, not a value; renaming one restores both", async (k, mode) => {
    await k.init({ a: "const x = 1;", n: "const x = 2;", b: "x + 1" });
    await k.runAll();
    const conflict = { kind: "multiple-definition", name: "x", cells: ["a", "n"] };
    assert.deepEqual(k.error("a"), conflict);
    assert.deepEqual(k.error("n"), conflict);
    assert.deepEqual(k.error("b"), conflict);
    assert.equal(k.runs("a") + k.runs("n"), 0);
    await k.run({ n: "const w = 2;" });
    if (mode === "lazy") await k.send({ type: "run-stale-cells" });
    assert.equal(k.error("a"), undefined);
    assert.equal(k.error("n"), undefined);
    assert.equal(k.value("b"), 2);
  });

  each("T37 re-running the kept definer while a duplicate exists errors both and empties readers; deleting the duplicate restores", async (k, mode) => {
    await k.init({ a: "const x = 1;", b: "x + 1" });
    await k.runAll();
    await k.run({ n: "const x = 2;" });
    assert.equal(k.error("a"), undefined, "no action at a distance");
    k.clear();
    await k.run(["a"]);
    const conflict = { kind: "multiple-definition", name: "x", cells: ["a", "n"] };
    assert.deepEqual(k.error("a"), conflict);
    if (mode === "lazy") {
      assert.equal(k.status("b"), "stale");
      await k.run(["b"]);
    }
    assert.deepEqual(k.error("b"), conflict);
    assert.equal(k.output("b"), null);
    await k.send({ type: "delete-cell", id: "n" as CellId });
    if (mode === "lazy") await k.send({ type: "run-stale-cells" });
    assert.equal(k.error("a"), undefined);
    assert.equal(k.value("b"), 2);
  });

  each("T38 re-running an import cell or adding a name re-runs only readers of changed bindings", async (k, mode) => {
    await k.init({ imp: 'import { probe } from "flowbook";', r: 'probe.push("r");', u: "typeof state" });
    await k.runAll();
    assert.equal(k.value("u"), "undefined");
    k.clear();
    await k.run(["imp"]);
    assert.deepEqual(k.started(), ["imp"]);
    await k.run({ imp: 'import { probe, state } from "flowbook";' });
    assert.equal(k.runs("r"), 0);
    assert.notEqual(k.status("r"), "stale");
    if (mode === "lazy") {
      assert.equal(k.status("u"), "stale");
      await k.send({ type: "run-stale-cells" });
    }
    assert.equal(k.value("u"), "function");
    assert.deepEqual(k.probe, ["r"]);
  });

  each("T39 running one cell of an unrun notebook runs its stale ancestors, not their other descendants", async (k) => {
    await k.init({ a: "const x = 1;", b: "x + 1", c: 'import { probe } from "flowbook";\nprobe.push("c"); x + 2' });
    await k.run(["b"]);
    assert.deepEqual(k.started(), ["a", "b"]);
    assert.equal(k.value("b"), 2);
    assert.equal(k.status("c"), "stale");
    assert.deepEqual(k.probe, []);
  });
});

describe("scoping", () => {
  each("T12 _private names: no conflict, no edge, gone after the run", async (k) => {
    await k.init({ a: "const _tmp = 1; const x = _tmp + 1;", b: "const _tmp = 2; _tmp", c: "typeof _tmp" });
    await k.runAll();
    assert.equal(k.error("a"), undefined);
    assert.equal(k.value("b"), 2);
    assert.equal(k.value("c"), "undefined");
    const vars = k.events.findLast((e) => e.type === "variables");
    assert.ok(vars?.type === "variables" && !vars.variables.some((v) => v.name === "_tmp"));
  });

  each("T13 a closure over _tmp keeps it alive", async (k) => {
    await k.init({ a: "const _tmp = 41; const f = () => _tmp + 1;", b: "f()" });
    await k.runAll();
    assert.equal(k.value("b"), 42);
  });

  each("T14 a bare block defines nothing", async (k) => {
    await k.init({ a: "{ const y = 1; }", b: "typeof y", c: "y" });
    await k.runAll();
    assert.equal(k.value("b"), "undefined");
    assert.deepEqual(k.error("c"), { kind: "reference", name: "y" });
  });

  each("T15 destructuring defines every bound name", async (k) => {
    await k.init({ a: "const o = { a: 1, b: [2] };", b: "const { a, b: [c] } = o;", d: "a + c" });
    await k.runAll();
    assert.equal(k.value("d"), 3);
  });

  each("T16 a parameter or local named x is not a ref", async (k) => {
    await k.init({ a: "const x = 1;", b: "function g(x: number) { const y = x * 2; return y; }\ng(4)" });
    await k.runAll();
    k.clear();
    await k.run({ a: "const x = 2;" });
    assert.equal(k.runs("b"), 0);
  });

  each("T17 assigning another cell's name is a compile error", async (k) => {
    await k.init({ a: "let x = 1;", b: "x = 2;", c: "x++;" });
    await k.runAll();
    assert.equal(k.error("b")?.kind, "invalid");
    assert.match((k.error("b") as { message: string }).message, /Assignment to external variable 'x'/);
    assert.equal(k.error("c")?.kind, "invalid");
  });

  each("T18 mutating another cell's value re-runs nothing", async (k) => {
    await k.init({ a: "const xs: number[] = [];", b: "xs.push(1);", c: "xs.length" });
    await k.runAll();
    k.clear();
    await k.run(["b"]);
    assert.deepEqual(k.started(), ["b"]);
  });

  each("T19 types define nothing and make no edges", async (k) => {
    await k.init({ a: "type T = number; interface I { a: T }", b: "type T = string; const v: T = 'v'; v" });
    await k.runAll();
    assert.equal(k.error("b"), undefined);
    assert.equal(k.value("b"), "v");
    const vars = k.events.findLast((e) => e.type === "variables");
    assert.ok(vars?.type === "variables");
    assert.deepEqual(vars.variables.map((v) => v.name), ["v"]);
  });

  each("T20 an unused import still defines its binding", async (k) => {
    await k.init({ a: 'import { readFileSync } from "node:fs";', b: "typeof readFileSync" });
    await k.runAll();
    assert.equal(k.value("b"), "function");
  });

  each("T21 redeclaring a host global is an error", async (k) => {
    await k.init({ a: "const console = 1;" });
    await k.runAll();
    assert.equal(k.error("a")?.kind, "invalid");
  });
});

describe("async and errors", () => {
  each("T22 a top-level-await cell finishes before dependents see the value", async (k) => {
    await k.init({ a: "const v = await new Promise<number>((r) => setTimeout(() => r(5), 20));", b: "v * 2" });
    await k.runAll();
    assert.equal(k.value("b"), 10);
  });

  each("T23 a throwing cell cancels descendants, clears their defs; siblings run", async (k, mode) => {
    await k.init({ a: "const x = 1;", b: "const y = x + 1;", c: "const z = 3;" });
    await k.runAll();
    k.clear();
    await k.run({ a: 'const x: number = (() => { throw new Error("boom"); })();', c: "const z = 4;" });
    assert.equal(k.error("a")?.kind, "exception");
    assert.equal((k.error("a") as { line?: number }).line, 1);
    if (mode === "lazy") await k.run(["b"]);
    assert.equal(k.runs("b"), 0);
    assert.deepEqual(k.error("b"), { kind: "ancestor-failed", cell: "a", name: "x" });
    assert.equal(k.runs("c"), 1);
  });

  each("T24 fixing A re-runs B", async (k, mode) => {
    await k.init({ a: 'throw new Error("boom");\nconst x = 1;', b: "x + 1" });
    await k.runAll();
    assert.equal(k.error("b")?.kind, "ancestor-failed");
    k.clear();
    await k.run({ a: "const x = 1;" });
    if (mode === "lazy") await k.send({ type: "run-stale-cells" });
    assert.equal(k.value("b"), 2);
  });

  each("T25 a syntax error unregisters A; its readers re-run showing x undefined (lazy: stale); the rest fine", async (k, mode) => {
    await k.init({ a: "const x = 1;", b: "x + 1", c: "const z = 1; z" });
    await k.runAll();
    assert.equal(k.value("b"), 2);
    k.clear();
    await k.run({ a: "const x = ;" });
    const err = k.error("a");
    assert.equal(err?.kind, "syntax");
    assert.equal((err as { line: number }).line, 1);
    if (mode === "autorun") {
      assert.equal(k.runs("b"), 1);
      assert.deepEqual(k.error("b"), { kind: "reference", name: "x", expectedCell: "a" });
      assert.equal(k.output("b"), null, "no value computed from the former x is left");
    } else {
      assert.equal(k.status("b"), "stale");
      assert.equal(k.runs("b"), 0);
    }
    assert.equal(k.runs("c"), 0);
    await k.run(["c"]);
    assert.equal(k.value("c"), 1);
  });

  each("T26 console output after an await lands in the right cell", async (k) => {
    await k.init({
      a: 'console.log("a1"); await new Promise((r) => setTimeout(r, 5)); console.log("a2"); setTimeout(() => console.log("a-late"), 30);',
      b: 'console.log("b1"); await new Promise((r) => setTimeout(r, 50)); console.error("b2");',
    });
    await k.runAll();
    await sleep(30);
    assert.equal(k.consoleText("a"), "a1\na2\na-late\n");
    assert.equal(k.consoleText("b"), "b1\nb2\n");
    const consoleBeforeIdle = k.events.findIndex((e) => e.type === "cell-console" && e.id === "a");
    const idle = k.events.findIndex((e) => e.type === "cell-status" && e.id === "a" && e.status === "idle");
    assert.ok(consoleBeforeIdle < idle);
  });

  each("T27 output is the last expression; none with void", async (k) => {
    await k.init({ a: "const x = 2;\nx * 3", b: "const y = 1;\nvoid y;", c: "const s = 'hi'; s", d: "({ a: [1, 2] })", e: "const q = 1;" });
    await k.runAll();
    assert.equal(k.value("a"), 6);
    assert.equal(k.output("b"), null);
    assert.deepEqual(k.output("c"), { kind: "text", text: "hi" });
    assert.deepEqual(k.output("d"), { kind: "json", value: { a: [1, 2] } });
    assert.equal(k.output("e"), null);
  });
});

describe("interrupt and live values", () => {
  test("T28 interrupting an async loop stops it; queued cells interrupted; older requests dropped", async () => {
    const k = new TestKernel("autorun");
    await k.init({
      a: 'import { probe } from "flowbook";\nlet i = 0;\nwhile (true) { await new Promise((r) => setTimeout(r, 2)); probe.push(i++); }\nconst x = i;',
      b: "x + 1",
    });
    const requestedAt = Date.now();
    const done = k.kernel.handle({ type: "execute-cells", cells: [], requestedAt });
    const running = k.run(["a", "b"]);
    await sleep(40);
    await k.kernel.handle({ type: "interrupt" });
    await running;
    await done;
    assert.equal(k.error("a")?.kind, "interrupted");
    assert.equal(k.error("b")?.kind, "interrupted");
    assert.ok(k.events.some((e) => e.type === "interrupted"));
    const count = k.probe.length;
    await sleep(20);
    assert.equal(k.probe.length, count, "the loop stopped at its next await");
    k.clear();
    await k.send({ type: "execute-cells", cells: [{ id: "b" as CellId, code: "x + 1", config: {} }], requestedAt });
    assert.deepEqual(k.started(), []);
  });

  test("T41 an older run's late console never reaches the host once a newer run began", async () => {
    const k = new TestKernel("autorun");
    await k.init({
      a: 'import { cell } from "flowbook";\nconst _n = cell().runNumber;\nsetTimeout(() => console.log(`late from run ${_n}`), 150);\nawait new Promise((r) => setTimeout(r, 100));',
    });
    await k.runAll();
    await k.run(["a"]);
    await sleep(250);
    const second = k.events.findIndex((e) => e.type === "cell-status" && e.id === "a" && e.status === "running" && e.runNumber === 2);
    const after = k.events.slice(second).filter((e) => e.type === "cell-console");
    assert.deepEqual(after.map((e) => e.type === "cell-console" && [e.runNumber, e.text]), [[2, "late from run 2\n"]]);
  });

  each("T30 a re-run aborts the previous run's signal", async (k) => {
    await k.init({
      a: 'import { cell, probe } from "flowbook";\nconst _t = setInterval(() => {}, 1000);\ncell().signal.addEventListener("abort", () => { clearInterval(_t); probe.push("aborted"); });',
    });
    await k.runAll();
    assert.deepEqual(k.probe, []);
    await k.run(["a"]);
    assert.deepEqual(k.probe, ["aborted"]);
    await k.send({ type: "delete-cell", id: "a" as CellId });
    assert.deepEqual(k.probe, ["aborted", "aborted"]);
  });

  each("T31 a setter re-runs getter readers, not its own cell (unless self loops allowed)", async (k, mode) => {
    await k.init({
      s: 'import { state } from "flowbook";\nconst [count, setCount] = state(0);',
      r: "count()",
      w: "const n = count(); if (n < 1) setCount(n + 1);",
    });
    await k.runAll();
    if (mode === "lazy") await k.send({ type: "run-stale-cells" });
    assert.equal(k.value("r"), 1);
    assert.equal(k.runs("w"), 1, "the setter's own cell does not re-run");
    assert.equal(k.runs("s"), 1);

    const loop = new TestKernel(mode);
    await loop.init({
      s: 'import { state } from "flowbook";\nconst [count, setCount] = state(0, { allowSelfLoops: true });',
      w: "const n = count(); if (n < 3) setCount(n + 1);\nn",
    });
    await loop.runAll();
    if (mode === "lazy") for (let i = 0; i < 3; i++) await loop.send({ type: "run-stale-cells" });
    assert.equal(loop.value("w"), 3);
  });

  each("T40 a reader that ran after the setter was called, in the same pass, is not re-run", async (k, mode) => {
    await k.init({
      s: 'import { state } from "flowbook";\nconst [count, setCount] = state(0);',
      w: "setCount(1);",
      r: 'import { probe } from "flowbook";\nprobe.push(count());',
    });
    await k.runAll();
    assert.deepEqual(k.probe, [1], "its side effects happen once");
    assert.equal(k.runs("r"), 1);
    assert.notEqual(k.status("r"), "stale");
    if (mode === "lazy") await k.send({ type: "run-stale-cells" });
    assert.deepEqual(k.probe, [1]);
  });

  each("T32 a setter called from a background task schedules a run", async (k, mode) => {
    await k.init({
      s: 'import { state } from "flowbook";\nconst [get, set] = state("start");',
      r: "get()",
      bg: 'setTimeout(() => set("later"), 20);',
    });
    await k.runAll();
    assert.equal(k.value("r"), "start");
    await sleep(40);
    await k.kernel.idle();
    if (mode === "lazy") {
      assert.equal(k.status("r"), "stale");
      await k.send({ type: "run-stale-cells" });
    }
    assert.equal(k.value("r"), "later");
  });

  test("T33 100 rapid metric updates: bounded re-runs ending on the last value", async () => {
    const k = new TestKernel("autorun");
    await k.init({ chart: 'import { metric } from "flowbook";\nmetric()' });
    await k.runAll();
    k.clear();
    for (let i = 1; i <= 100; i++) {
      k.store.value = i;
      await k.kernel.handle({ type: "tracking-changed", change: { type: "metrics", run_id: "r", experiment_id: "0", metrics: [{ key: "loss", value: i, step: i, timestamp: 0 }] } });
      if (i % 10 === 0) await sleep(15);
    }
    await sleep(150);
    await k.kernel.idle();
    const runs = k.runs("chart");
    assert.ok(runs >= 1 && runs <= 4, `ran ${runs} times`);
    assert.equal(k.value("chart"), 100);
    k.clear();
    await k.kernel.handle({ type: "tracking-changed", change: { type: "run", run_id: "r", experiment_id: "0" } });
    await sleep(120);
    assert.equal(k.runs("chart"), 0, "non-matching changes are ignored");
  });

  each("T34 a UI value change re-runs readers, not the defining cell", async (k, mode) => {
    await k.init({ a: 'import { ui } from "flowbook";\nconst s = ui.slider({ min: 0, max: 10, value: 3 });\ns', b: "s.value * 2" });
    await k.runAll();
    assert.deepEqual(k.output("a"), { kind: "widget", widget: { kind: "slider", id: "a-0", label: "", min: 0, max: 10, step: 1, value: 3 } });
    assert.equal(k.value("b"), 6);
    k.clear();
    void k.kernel.handle({ type: "set-ui-value", id: "a-0" as never, value: 5 });
    await k.setUi("a-0", 7); // a burst: last write wins
    assert.equal(k.runs("a"), 0);
    if (mode === "lazy") {
      assert.equal(k.status("b"), "stale");
      await k.send({ type: "run-stale-cells" });
    }
    assert.equal(k.runs("b"), 1);
    assert.equal(k.value("b"), 14);
  });

  test("T35 variables event lists declaredBy/usedBy", async () => {
    const k = new TestKernel("autorun");
    await k.init({ a: "const x = 1; const y = 2;", b: "x + y", c: "const z = x;" });
    const vars = k.events.findLast((e) => e.type === "variables");
    assert.ok(vars?.type === "variables");
    assert.deepEqual(vars.variables, [
      { name: "x", declaredBy: ["a"], usedBy: ["b", "c"] },
      { name: "y", declaredBy: ["a"], usedBy: ["b"] },
      { name: "z", declaredBy: ["c"], usedBy: [] },
    ]);
  });
});
