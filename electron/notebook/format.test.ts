import { test } from "node:test";
import assert from "node:assert/strict";
import type { CellId } from "../protocol.ts";
import { NotebookFormatError, newCellId, parseNotebook, serializeNotebook, withCells, type Notebook } from "./index.ts";

const id = (s: string) => s as CellId;

const sample: Notebook = {
  header: "// my notebook\n\n",
  cells: [
    { id: id("a1b2c3"), code: 'import { md } from "flowbook";\nconst x = 1;', config: { name: "load data", hideCode: true } },
    { id: id("d4e5f6"), code: "", config: { disabled: true } },
    { id: id("g7"), code: "// %% not a marker\n// %%% also not\nx + 1;\n", config: { name: 'quote " and ] bracket' } },
    { id: id("h8"), code: "  indented\n\n\nblank lines kept", config: {}, extra: { future: true, color: "red", note: "two words" } },
  ],
};

test("serialize then parse gives the notebook back", () => {
  const text = serializeNotebook(sample);
  assert.deepEqual(parseNotebook(text), sample);
});

test("a file the writer produced round-trips byte for byte", () => {
  const text = serializeNotebook(sample);
  assert.equal(serializeNotebook(parseNotebook(text)), text);
  assert.match(text, /^\/\/ %% \[cell id=a1b2c3 name="load data" hidden\]$/m);
  assert.match(text, /^\/\/ %% \[cell id=h8 future color=red note="two words"\]$/m);
});

test("code lines that look like markers are escaped, never parsed as cells", () => {
  const nb = parseNotebook(serializeNotebook(sample));
  assert.equal(nb.cells.length, 4);
  assert.equal(nb.cells[2].code, "// %% not a marker\n// %%% also not\nx + 1;\n");
});

test("text before the first marker and files without markers are kept", () => {
  assert.deepEqual(parseNotebook("just a header\n"), { header: "just a header\n", cells: [] });
  assert.equal(serializeNotebook(parseNotebook("no markers, no newline")), "no markers, no newline");
  const nb = parseNotebook("head\n// %% [cell id=x1]\ncode");
  assert.equal(nb.header, "head\n");
  assert.equal(nb.cells[0].code, "code");
});

test("hand-written files without blank separators parse", () => {
  const nb = parseNotebook("// %% [cell id=a]\nconst a = 1;\n// %% [cell id=b]   \nconst b = a;\n");
  assert.deepEqual(
    nb.cells.map((c) => c.code),
    ["const a = 1;", "const b = a;"],
  );
});

test("code that is not valid TypeScript is kept verbatim", () => {
  const nb = parseNotebook("// %% [cell id=bad]\nconst = = ;(\n");
  assert.equal(nb.cells[0].code, "const = = ;(");
});

function formatError(text: string): NotebookFormatError {
  try {
    parseNotebook(text, "nb.ts");
  } catch (err) {
    assert.ok(err instanceof NotebookFormatError, String(err));
    return err;
  }
  assert.fail("expected a NotebookFormatError");
}

test("malformed markers name their line", () => {
  const cases: [string, number, RegExp][] = [
    ["// %% [cell id=a]\nx\n// %% oops\n", 3, /malformed cell marker/],
    ["// %%\n", 1, /malformed/],
    ["h\n// %% [cell name=\"n\"]\n", 2, /no id/],
    ["// %% [cell id=a]\n// %% [cell id=a]\n", 2, /duplicate cell id 'a'/],
    ["// %% [cell id=a id=b]\n", 1, /given twice/],
    ["// %% [cell id=a hidden=yes]\n", 1, /flag/],
    ["// %% [cell id=a name=\"unterminated]\n", 1, /cannot read cell option/],
    ["// %% [cell id=a/b]\n", 1, /cannot read|bad cell id/],
    ["// %% [cell id=a =x]\n", 1, /cannot read cell option/],
  ];
  for (const [text, line, message] of cases) {
    const err = formatError(text);
    assert.equal(err.line, line, text);
    assert.match(err.message, message, text);
    assert.match(err.message, new RegExp(`^nb\\.ts:${line}:`));
  }
});

test("the writer refuses a header that would become a cell", () => {
  assert.throws(
    () => serializeNotebook({ header: "// %% [cell id=x]\n", cells: [{ id: id("y"), code: "", config: {} }] }),
    NotebookFormatError,
  );
});

test("withCells keeps the header and unknown options of surviving cells", () => {
  const next = withCells(sample, [{ id: id("h8"), code: "changed", config: {} }, { id: id("new1"), code: "", config: {} }]);
  assert.equal(next.header, sample.header);
  assert.deepEqual(next.cells[0].extra, sample.cells[3].extra);
  assert.equal(next.cells[1].extra, undefined);
});

test("newCellId gives short distinct ids accepted by the format", () => {
  const ids = new Set(Array.from({ length: 500 }, () => newCellId()));
  assert.equal(ids.size, 500);
  for (const i of ids) assert.match(i, /^[a-z0-9]{8}$/);
  const taken = new Set(ids);
  assert.ok(!taken.has(newCellId(taken)));
});
