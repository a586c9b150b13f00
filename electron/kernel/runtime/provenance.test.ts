import { test } from "node:test";
import assert from "node:assert/strict";
import type { CellId, CellSource } from "../../protocol.ts";
import { parseNotebook } from "../../notebook/index.ts";
import { MAX_TAG_VAL_LENGTH } from "../../tracking/client/index.ts";
import { kernelProvenance, OMITTED_KEY, upstreamTag, upstreamValues } from "./provenance.ts";

const cell = (id: string, code: string, name?: string): CellSource => ({ id: id as CellId, code, config: name ? { name } : {} });
const ids = (text: string) => parseNotebook(text).cells.map((c) => c.id);

test("the snapshot is the kernel's cells in the notebook format, read back exactly", () => {
  let cells = [cell("a", "const a = 1;", "first"), cell("b", "// %% not a marker\nb;")];
  const p = kernelProvenance("/nb/my\ntrain.ts", () => cells);
  const nb = parseNotebook(p.notebookText());
  assert.deepEqual(nb.cells.map(({ id, code, config }) => ({ id, code, config })), cells);
  assert.equal(nb.header, "// The notebook /nb/my train.ts as Flowbook ran it (a run's snapshot).\n\n");
  // Read when asked: a later change of the kernel's cells shows in the next snapshot.
  cells = [cell("b", "b;")];
  assert.deepEqual(ids(p.notebookText()), ["b"]);
  assert.equal(p.codeOf("b" as CellId), "b;");
  assert.equal(p.codeOf("a" as CellId), undefined);
});

test("upstream values keep primitives and widget values, and drop everything else", async () => {
  const { ui } = await import("./ui.ts");
  const { cellStorage } = await import("./context.ts");
  // A widget needs a running cell to be created in; this one only registers it.
  const ctx = { cellId: "k", nextId: () => 0, registerWidget: () => undefined } as unknown as Parameters<typeof cellStorage.run>[0];
  const slider = cellStorage.run(ctx, () => ui.slider({ value: 4 }));
  const values = upstreamValues({ lr: 0.5, name: "adam", on: false, slider, bad: NaN, big: Infinity, list: [1], fn: () => 1, nothing: null });
  assert.deepEqual(values, { lr: 0.5, name: "adam", on: false, slider: 4, bad: "NaN", big: "Infinity" });
});

test("the upstream tag stays within MLflow's tag limit and says what it left out", () => {
  assert.equal(upstreamTag({}), "{}");
  assert.deepEqual(JSON.parse(upstreamTag({ b: 1, a: "x".repeat(300) })), { a: "x".repeat(200) + "…", b: 1 });
  const many: Record<string, number> = {};
  for (let i = 0; i < 1000; i++) many[`value_${String(i).padStart(4, "0")}`] = i + 0.123456789;
  const tag = upstreamTag(many);
  assert.ok(tag.length <= MAX_TAG_VAL_LENGTH, `tag is ${tag.length} characters`);
  const parsed = JSON.parse(tag) as Record<string, unknown>;
  const kept = Object.keys(parsed).filter((k) => k !== OMITTED_KEY);
  assert.ok(kept.length > 100 && kept.length < 1000);
  assert.equal(kept[0], "value_0000");
  const note = String(parsed[OMITTED_KEY]);
  assert.match(note, new RegExp(`^omitted: value_${String(kept.length).padStart(4, "0")}, `));
  const listed = note.split(" (+")[0].split(", ").length;
  assert.match(note, new RegExp(`\\(\\+${1000 - kept.length - listed} more\\)$`));
});
