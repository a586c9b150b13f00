import { test } from "node:test";
import assert from "node:assert/strict";
import { formatOutput } from "./format-output.ts";

test("tables print as aligned columns with numbers right-aligned", () => {
  const text = formatOutput({ kind: "table", columns: ["name", "n"], rows: [["alpha", 1], ["b", 123.456789]] });
  assert.equal(text, ["name         n", "─────  ───────", "alpha        1", "b      123.457"].join("\n"));
});

test("markdown, text, plots, widgets and stacks print readably", () => {
  assert.equal(formatOutput({ kind: "markdown", markdown: "# hi" }), "# hi");
  assert.equal(
    formatOutput({
      kind: "stack",
      items: [
        { kind: "text", text: "a" },
        { kind: "plot", figure: { data: [{}], layout: { title: { text: "loss" } } } },
        { kind: "widget", widget: { kind: "slider", id: "w" as never, label: "n", min: 0, max: 9, step: 1, value: 3 } },
      ],
    }),
    "a\n[plot 'loss': 1 trace(s)]\n[slider n: 3]",
  );
});

test("an output over the limit prints the app's notice and where it was saved", () => {
  const notice = { kind: "too-large", outputKind: "markdown", bytes: 50 * 1024 * 1024, limit: 8 * 1024 * 1024, savedAs: "outputs/c1.md" } as const;
  assert.equal(formatOutput(notice, { sessionDir: "/nb/__flowbook__/nb" }), "output too large (50.0 MB > 8.0 MB limit); saved to /nb/__flowbook__/nb/outputs/c1.md");
  assert.equal(formatOutput({ ...notice, savedAs: undefined }), "output too large (50.0 MB > 8.0 MB limit); not saved");
});
