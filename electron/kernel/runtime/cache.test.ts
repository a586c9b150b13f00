import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CellId, CellOutput } from "../../protocol.ts";
import { sessionDir } from "../../notebook/index.ts";
import { createCaches } from "./cache.ts";
import { cellStorage, type CellContext } from "./context.ts";
import { cell, runtimeKernel } from "./test-kernel.ts";

/** A cell run as the cache sees it: its id and the values it read from other cells. */
const inCell = <T>(cellId: string, inputs: Record<string, unknown>, fn: () => T): T =>
  cellStorage.run({ cellId: cellId as CellId, inputs } as unknown as CellContext, fn);

function sessions() {
  const dir = mkdtempSync(join(tmpdir(), "fb-cache-"));
  const notebookPath = join(dir, "nb.ts");
  const code = new Map<string, string>([["c", "const f = persistentCache('sq', (x) => x * x);"]]);
  const open = () => createCaches({ notebookPath, codeOf: (id) => code.get(id) }, () => new Set());
  return { dir, notebookPath, code, open, close: () => rmSync(dir, { recursive: true, force: true }) };
}

test("cache memoises by arguments, structurally, and does not keep failures", async () => {
  const s = sessions();
  try {
    const { cache } = s.open();
    let calls = 0;
    const double = cache((x: { n: number; tags: string[] }) => (calls++, x.n * 2));
    assert.equal(double({ n: 2, tags: ["a"] }), 4);
    assert.equal(double({ tags: ["a"], n: 2 }), 4);
    assert.equal(calls, 1, "equal data in another key order is the same entry");
    double({ n: 2, tags: ["b"] });
    assert.equal(calls, 2);
    let attempts = 0;
    const flaky = cache(async () => {
      attempts++;
      if (attempts === 1) throw new Error("first try fails");
      return "ok";
    });
    await assert.rejects(flaky(), /first try fails/);
    assert.equal(await flaky(), "ok");
    assert.equal(await flaky(), "ok");
    assert.equal(attempts, 2);
  } finally {
    s.close();
  }
});

test("a cache made in a cell is keyed by the cell's code and the values it read from other cells", () => {
  const s = sessions();
  try {
    const { cache } = s.open();
    let calls = 0;
    // The function reaches `k` only through another function of the cell, as `scale` does here.
    const make = (inputs: Record<string, unknown>) => {
      const scale = (x: number) => x * (inputs.k as number);
      return inCell("c", inputs, () => cache((x: number) => (calls++, scale(x))));
    };
    assert.equal(make({ k: 2 })(5), 10);
    // The same cell re-run with the same inputs (a new closure each run) finds the entry.
    assert.equal(make({ k: 2 })(5), 10);
    assert.equal(calls, 1);
    assert.equal(make({ k: 3 })(5), 15, "a changed upstream value is a new entry, even one the function does not name");
    assert.equal(calls, 2);
    s.code.set("c", "// edited\nconst f = cache((x) => x * k);");
    make({ k: 2 })(5);
    assert.equal(calls, 3, "a changed cell never reads the old entry");
  } finally {
    s.close();
  }
});

test("persistentCache keeps results on disk for the next session, never across a code change", async () => {
  const s = sessions();
  try {
    let calls = 0;
    const sq = (caches: ReturnType<typeof s.open>) => inCell("c", {}, () => caches.persistentCache("sq", async (x: number) => (calls++, { x, sq: x * x, at: new Date(0), big: 2n ** 70n, nan: NaN })));
    const first = await sq(s.open())(4);
    assert.equal(calls, 1);
    const files = readdirSync(join(sessionDir(s.notebookPath), "cache", "sq"));
    assert.equal(files.length, 1);
    assert.match(files[0]!, /^[0-9a-f]{64}\.json$/);
    // A new session (a restarted kernel) reads it from disk: same value, types kept, still a promise.
    const again = sq(s.open())(4);
    assert.ok(again instanceof Promise);
    assert.deepEqual(await again, first);
    assert.equal(calls, 1);
    await sq(s.open())(5);
    assert.equal(calls, 2, "other arguments compute");
    s.code.set("c", "const f = persistentCache('sq', (x) => x * x * 1);");
    await sq(s.open())(4);
    assert.equal(calls, 3, "the edited cell computes again");
  } finally {
    s.close();
  }
});

test("persistentCache refuses keys it cannot keep on disk, naming the value", () => {
  const s = sessions();
  try {
    const { persistentCache } = s.open();
    class Model {}
    assert.throws(() => inCell("c", { model: new Model() }, () => persistentCache("m", () => 1)), /persistentCache\('m'\): 'model' \(read from another cell\) is a Model object, which cannot be part of a key kept on disk; pass what it needs as an argument/);
    // A function read from another cell is keyed by its source.
    assert.doesNotThrow(() => inCell("c", { helper: (x: number) => x + 1 }, () => persistentCache("h", () => 1)));
    const keep = inCell("c", {}, () => persistentCache("fn", () => Symbol("not data")));
    assert.throws(() => keep(), /persistentCache\('fn'\): the result is a symbol, which cannot be kept on disk/);
    const byArg = inCell("c", {}, () => persistentCache("arg", (m: unknown) => String(m)));
    assert.throws(() => byArg(new Model()), /an argument\[0\] is a Model object/);
    assert.throws(() => persistentCache("../out", () => 1), /the key must be 1–100 letters/);
    assert.equal(existsSync(join(sessionDir(s.notebookPath), "cache", "fn")), false, "nothing half-written");
  } finally {
    s.close();
  }
});

test("cells import cache and persistentCache; an edited cell recomputes", async () => {
  const imports = cell("imp", 'import { cache, persistentCache } from "flowbook";');
  const def = cell("def", "const counter = { n: 0 };\nconst slow = cache((x: number) => { counter.n++; return x * 10; });");
  const use = cell("use", "[slow(1), slow(1), slow(2), counter.n];");
  const t = await runtimeKernel([imports, def, use]);
  try {
    const last = () => t.events.filter((e): e is CellOutput => e.type === "cell-output" && e.id === "use").at(-1)?.output;
    await t.kernel.handle({ type: "execute-cells", cells: [imports, def, use], requestedAt: Date.now() });
    await t.kernel.idle();
    assert.deepEqual(last(), { kind: "json", value: [10, 10, 20, 2] });
    const edited = { ...def, code: def.code.replace("x * 10", "x * 100") };
    await t.kernel.handle({ type: "execute-cells", cells: [edited], requestedAt: Date.now() });
    await t.kernel.idle();
    assert.deepEqual(last(), { kind: "json", value: [100, 100, 200, 2] });
  } finally {
    await t.close();
  }
});
