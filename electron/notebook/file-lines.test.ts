/** `common/notebook-lines.ts` against the real serializer: a cell line maps to the file line holding it. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CellId } from "../protocol.ts";
import { fileLineOf, headerLineCount } from "../common/notebook-lines.ts";
import { serializeNotebook } from "./format.ts";

test("each line of each cell is found at the file line computed for it, with and without a header", () => {
  const cells = [
    { id: "a" as CellId, code: "const a = 1;", config: {} },
    { id: "b" as CellId, code: "const b = 2;\nconst c = 3;\n", config: { name: "two" } },
    { id: "c" as CellId, code: "function f() {\n  throw new Error();\n}\nf();", config: {} },
  ];
  for (const header of ["", "// flowbook: output-limit=16MB", "// a title\n// flowbook: output-limit=16MB\n"]) {
    const file = serializeNotebook({ header, cells }).split("\n");
    const codes = cells.map((c) => c.code);
    cells.forEach((cell, index) => {
      cell.code.split("\n").forEach((text, i) => {
        const at = fileLineOf(headerLineCount(header), codes, index, i + 1);
        assert.equal(file[at - 1], text, `cell ${cell.id} line ${i + 1} with header ${JSON.stringify(header)}`);
      });
    });
  }
});
