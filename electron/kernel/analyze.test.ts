/** Cell analysis case table: defs, refs, output, await, and the errors that keep a cell out. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeCell } from "./analyze.ts";

interface Case {
  code: string;
  defs?: string[];
  refs?: string[];
  output?: boolean;
  usesAwait?: boolean;
  error?: { kind: string; message?: RegExp; line?: number };
}

const cases: Record<string, Case> = {
  "const/let/var and expression refs": { code: "const x = 1; let y = x; var z = w + v;", defs: ["x", "y", "z"], refs: ["w", "v"] },
  "destructuring patterns": { code: "const { a, b: [c, ...d], e = f } = o;", defs: ["a", "c", "d", "e"], refs: ["f", "o"] },
  "function and class declarations": { code: "function g(p) { return p + q; }\nclass K extends Base { m() { return this; } }", defs: ["g", "K"], refs: ["q", "Base"] },
  "params, locals, catch params are not refs": { code: "const f = (x, { y }) => { let z = x + y; try {} catch (err) { z = err; } return z; };", defs: ["f"], refs: [] },
  "inner var hoists to its function": { code: "function h() { if (1) { var t = 1; } return t; }", defs: ["h"], refs: [] },
  "bare block keeps names local": { code: "{ const y = 1; }", defs: [], refs: [] },
  "private names are cell-local": { code: "const _tmp = 1; const x = _tmp + _other;", defs: ["x"], refs: [] },
  "host globals are not refs": { code: "console.log(Math.max(1, 2), JSON.stringify({}));", defs: [], refs: [], output: true },
  "types erase, making no edges": { code: "type T = Foo; interface I { a: Bar } const v: T = 1 as unknown as T;", defs: ["v"], refs: [] },
  "import bindings, including unused ones": { code: 'import d, { f as g } from "m"; import * as ns from "n";', defs: ["d", "g", "ns"], refs: [] },
  "import type defines nothing": { code: 'import type { T } from "m"; const v: T = 1;', defs: ["v"], refs: [] },
  "enum and namespace define values": { code: "enum Color { Red }\nnamespace N { export const q = 1; }", defs: ["Color", "N"], refs: [], output: false },
  "property mutation is a ref, not a write": { code: "xs.push(1); o.a = 2;", refs: ["xs", "o"] },
  "last expression is the output": { code: "const x = 1;\nx + 1", output: true },
  "void suppresses the output": { code: "const x = 1;\nvoid x;", output: false },
  "void of a literal suppresses it too": { code: "f();\nvoid 0;", output: false },
  "top-level await": { code: "const r = await fetchIt();", usesAwait: true },
  "await inside a function is not top-level": { code: "const f = async () => await g();", usesAwait: false },
  "for await at top level": { code: "for await (const x of it) {}", usesAwait: true },
  "export is rejected": { code: "export const a = 1;", error: { kind: "invalid", message: /export/ } },
  "assigning another cell's name": { code: "x = 2;", error: { kind: "invalid", message: /Assignment to external variable 'x'/ } },
  "incrementing another cell's name": { code: "\n\nx++;", error: { kind: "invalid", line: 3 } },
  "destructuring assignment to an outside name": { code: "[a] = [1];", error: { kind: "invalid", message: /'a'/ } },
  "assignment inside a function to an outside name": { code: "function f() { x = 1; }", error: { kind: "invalid" } },
  "redeclaring a host global": { code: "const Math = 1;", error: { kind: "invalid", message: /host global 'Math'/ } },
  "syntax error maps to the TS line": { code: "const a: number = 1;\nconst b = ;", error: { kind: "syntax", line: 2 } },
};

for (const [name, c] of Object.entries(cases)) {
  test(name, () => {
    const result = analyzeCell(c.code);
    if (c.error) {
      assert.equal(result.ok, false, "expected an error");
      if (result.ok) return;
      assert.equal(result.error.kind, c.error.kind);
      if (c.error.message) assert.match((result.error as { message: string }).message, c.error.message);
      if (c.error.line) assert.equal((result.error as { line?: number }).line, c.error.line);
      return;
    }
    assert.ok(result.ok, result.ok ? "" : JSON.stringify(result.error));
    const a = result.analysis;
    if (c.defs) assert.deepEqual(a.defs, c.defs);
    if (c.refs) assert.deepEqual(a.refs, c.refs);
    if (c.output !== undefined) assert.equal(!!a.output, c.output);
    if (c.usesAwait !== undefined) assert.equal(a.usesAwait, c.usesAwait);
  });
}
