/**
 * Widgets in a real in-process kernel with the real runtime: the value shapes cells read, an input
 * re-running the readers (and a bad one dropped), a run button true only in the pass its click
 * started, a form changing on submit only, arrays and dictionaries of copies, file bytes, and
 * initial values from notebook parameters.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CellSource, Output, WidgetId, WidgetSpec } from "../../protocol.ts";
import { setNotebookParams } from "./args.ts";
import { cell, runtimeKernel } from "./test-kernel.ts";
import { setScriptMode } from "./ui.ts";

const IMPORTS = cell("imp", 'import { ui, stop } from "flowbook";');

/** A kernel on `cells`, all run once; `output(id)` is a cell's latest output, `set` sends an input and waits for its pass. */
async function notebook(cells: CellSource[]) {
  const all = [IMPORTS, ...cells];
  const t = await runtimeKernel(all);
  await t.kernel.handle({ type: "execute-cells", cells: all, requestedAt: Date.now() });
  await t.kernel.idle();
  const output = (id: string): Output | null | undefined => {
    const events = t.events.filter((e) => e.type === "cell-output" && e.id === id);
    const last = events.at(-1);
    return last?.type === "cell-output" ? (last.error ? ({ kind: "text", text: `error: ${last.error.kind === "exception" ? last.error.message : last.error.kind}` } as Output) : last.output) : undefined;
  };
  const json = (id: string): unknown => {
    const o = output(id);
    return o?.kind === "json" ? o.value : o?.kind === "text" ? o.text : o;
  };
  const spec = (id: string): WidgetSpec => {
    const o = output(id);
    assert.equal(o?.kind, "widget", `cell ${id} shows a widget`);
    return (o as Extract<Output, { kind: "widget" }>).widget;
  };
  const set = async (id: string, value: unknown) => {
    await t.kernel.handle({ type: "set-ui-value", id: id as WidgetId, value });
    await t.kernel.idle();
  };
  return { ...t, output, json, spec, set };
}

test("value shapes: each widget starts with marimo's value for it", async () => {
  const nb = await notebook([
    cell("a", 'const r = ui.rangeSlider({ min: 1, max: 9 }); const m = ui.multiselect({ options: ["x", "y"] }); const o = ui.radio({ options: ["x", "y"] });'),
    cell("b", 'const sw = ui.switch(); const ta = ui.textarea({ value: "hi" }); const d = ui.date({ start: "2024-03-01", stop: "2024-03-31" }); const f = ui.file();'),
    cell("c", 'const rb = ui.runButton(); const fo = ui.form(ui.slider({ value: 4 }));'),
    cell("show", "[r.value, m.value, o.value, sw.value, ta.value, d.value, f.value, rb.value, fo.value]"),
    cell("today", "ui.date().value"),
  ]);
  try {
    assert.deepEqual(nb.json("show"), [[1, 9], [], null, false, "hi", "2024-03-01", [], false, null]);
    assert.match(String(nb.json("today")), /^\d{4}-\d{2}-\d{2}$/);
  } finally {
    await nb.close();
  }
});

test("an input re-runs the readers with the new value; one that does not fit is dropped", async () => {
  const nb = await notebook([
    cell("w", 'const pick = ui.multiselect({ options: ["a", "b", "c"], maxSelections: 2 });\npick'),
    cell("reader", 'pick.value.join("+") || "none"'),
  ]);
  try {
    assert.equal(nb.json("reader"), "none");
    const id = nb.spec("w").id;
    await nb.set(id, ["c", "a"]);
    assert.equal(nb.json("reader"), "c+a");
    await nb.set(id, ["a", "b", "c"]);
    assert.equal(nb.json("reader"), "c+a", "over maxSelections: the value stays");
    await nb.set(id, ["zzz"]);
    assert.equal(nb.json("reader"), "c+a", "not an option: the value stays");
  } finally {
    await nb.close();
  }
});

test("a run button is true only in the pass its click started; its readers do not run it before", async () => {
  const nb = await notebook([
    cell("btn", "const train = ui.runButton({ label: 'Train' });\ntrain"),
    cell("n", "const n = ui.number({ value: 1 });\nn"),
    cell("gated", 'stop(!train.value, "click Train");\n`trained with ${n.value}`'),
    cell("seen", "`${train.value}:${n.value}`"),
  ]);
  try {
    assert.equal(nb.json("gated"), "click Train");
    assert.deepEqual(nb.spec("btn"), { kind: "run-button", id: "btn-0", label: "Train", value: false });
    await nb.set("btn-0", true);
    assert.equal(nb.json("gated"), "trained with 1");
    assert.equal(nb.json("seen"), "true:1");
    // Another input re-runs the readers: the click is over.
    await nb.set("n-0", 2);
    assert.equal(nb.json("gated"), "click Train");
    assert.equal(nb.json("seen"), "false:2");
    await nb.set("btn-0", true);
    assert.equal(nb.json("gated"), "trained with 2");
  } finally {
    await nb.close();
  }
});

test("in lazy mode a click marks the readers stale and stays true until they run", async () => {
  const nb = await notebook([cell("btn", "const train = ui.runButton();\ntrain"), cell("gated", 'stop(!train.value, "click");\n"ran"')]);
  try {
    await nb.kernel.handle({ type: "set-run-mode", mode: "lazy" });
    await nb.set("btn-0", true);
    assert.equal(nb.json("gated"), "click", "only marked stale");
    await nb.kernel.handle({ type: "run-stale-cells" });
    await nb.kernel.idle();
    assert.equal(nb.json("gated"), "ran");
  } finally {
    await nb.close();
  }
});

test("under flowbook run (script mode) a run button reads as clicked", async () => {
  const nb = await notebook([]);
  // The runtime sets the mode when it is built; `flowbook run` builds it with `script: true`.
  setScriptMode(true);
  try {
    const cells = [IMPORTS, cell("btn", "const train = ui.runButton();"), cell("gated", 'stop(!train.value, "click");\n"ran"')];
    await nb.kernel.handle({ type: "execute-cells", cells, requestedAt: Date.now() });
    await nb.kernel.idle();
    assert.equal(nb.json("gated"), "ran");
  } finally {
    setScriptMode(false);
    await nb.close();
  }
});

test("a form's value changes only on submit, and the widget it wraps is a copy", async () => {
  const nb = await notebook([
    cell("w", 'const name = ui.text({ value: "ada" });\nconst f = ui.form(name, { submitLabel: "Go" });\nf'),
    cell("reader", "JSON.stringify([f.value, name.value])"),
  ]);
  try {
    const spec = nb.spec("w");
    assert.equal(spec.kind, "form");
    // As the renderer gets it (JSON).
    assert.deepEqual(JSON.parse(JSON.stringify(spec)), { kind: "form", id: spec.id, label: "", submitLabel: "Go", element: { kind: "text", id: `${spec.id}-0`, label: "", value: "ada" }, value: null });
    assert.equal(nb.json("reader"), '[null,"ada"]');
    await nb.set(spec.id, { inputs: ["grace"] });
    assert.equal(nb.json("reader"), '["grace","ada"]');
    await nb.set(spec.id, { inputs: [42] });
    assert.equal(nb.json("reader"), '["grace","ada"]', "not a string: dropped");
  } finally {
    await nb.close();
  }
});

test("a form around a dictionary submits every element changed since the last submit", async () => {
  const nb = await notebook([
    cell("w", 'const hp = ui.form(ui.dictionary({ lr: ui.slider({ max: 10 }), opt: ui.radio({ options: ["adam", "sgd"] }) }));\nhp'),
    cell("reader", "JSON.stringify(hp.value)"),
  ]);
  try {
    assert.equal(nb.json("reader"), "null");
    const id = nb.spec("w").id;
    await nb.set(id, { inputs: [{ index: 0, value: 3 }, { index: 1, value: "sgd" }, { index: 0, value: 4 }] });
    assert.equal(nb.json("reader"), '{"lr":4,"opt":"sgd"}');
    await nb.set(id, { inputs: [] });
    assert.equal(nb.json("reader"), '{"lr":4,"opt":"sgd"}', "a submit without changes keeps the value");
  } finally {
    await nb.close();
  }
});

test("arrays and dictionaries: an input for one element changes that element of the value", async () => {
  const nb = await notebook([
    cell("w", 'const s = ui.slider({ min: 0, max: 5, value: 1 });\nconst arr = ui.array([s, ui.switch()]);\nconst dict = ui.dictionary({ lr: s, opt: ui.dropdown({ options: ["adam", "sgd"] }) });\n[arr, dict]'),
    cell("reader", "JSON.stringify([arr.value, dict.value, s.value])"),
  ]);
  try {
    assert.equal(nb.json("reader"), '[[1,false],{"lr":1,"opt":"adam"},1]');
    // Ids count the widgets the cell made: s w-0, the switch w-1, arr w-2, the dropdown w-3, dict w-4.
    const [arrId, dictId] = ["w-2", "w-4"];
    await nb.set(arrId, { index: 1, value: true });
    await nb.set(dictId, { index: 1, value: "sgd" });
    await nb.set(dictId, { index: 0, value: 4 });
    assert.equal(nb.json("reader"), '[[1,true],{"lr":4,"opt":"sgd"},1]');
    await nb.set(dictId, { index: 0, value: 9 });
    assert.equal(nb.json("reader"), '[[1,true],{"lr":4,"opt":"sgd"},1]', "out of range: dropped");
  } finally {
    await nb.close();
  }
});

test("a file input gives cells name, type and bytes; the spec shows only sizes", async () => {
  const nb = await notebook([
    cell("w", 'const up = ui.file({ accept: [".csv"], maxBytes: 16 });\nup'),
    cell("reader", "up.value.map((f) => `${f.name}|${f.type}|${new TextDecoder().decode(f.bytes)}`).join(',')"),
  ]);
  try {
    const id = nb.spec("w").id;
    await nb.set(id, [{ name: "a.csv", type: "text/csv", base64: Buffer.from("x,y\n1,2").toString("base64") }]);
    assert.equal(nb.json("reader"), "a.csv|text/csv|x,y\n1,2");
    await nb.set(id, [{ name: "big.csv", type: "text/csv", base64: Buffer.alloc(17).toString("base64") }]);
    assert.equal(nb.json("reader"), "a.csv|text/csv|x,y\n1,2", "over maxBytes: dropped");
  } finally {
    await nb.close();
  }
});

test("a widget with a name starts at the notebook parameter; one that does not fit fails the cell naming it", async () => {
  const nb = await notebook([]);
  try {
    setNotebookParams({ epochs: "7", opt: "sgd", span: "2,4", when: "2024-05-06", bad: "99" });
    const cells = [
      IMPORTS,
      cell("ok", 'JSON.stringify([ui.slider({ name: "epochs", max: 10 }).value, ui.radio({ name: "opt", options: ["adam", "sgd"] }).value, ui.rangeSlider({ name: "span", max: 5 }).value, ui.date({ name: "when" }).value])'),
      cell("bad", 'ui.slider({ name: "bad", max: 10 }).value'),
    ];
    await nb.kernel.handle({ type: "execute-cells", cells, requestedAt: Date.now() });
    await nb.kernel.idle();
    assert.equal(nb.json("ok"), '[7,"sgd",[2,4],"2024-05-06"]');
    assert.equal(nb.json("bad"), "error: parameter 'bad': 99 is above the maximum 10");
  } finally {
    setNotebookParams(undefined);
    await nb.close();
  }
});

test("constructors refuse what cannot work, with a readable error", async () => {
  const nb = await notebook([
    cell("d", 'ui.date({ start: "2024-05-01", stop: "2024-04-01" })'),
    cell("f", "ui.file({ maxBytes: 64 * 1024 * 1024 })"),
    cell("a", "ui.array([3 as never])"),
    cell("r", 'ui.radio({ options: ["a"], value: "b" })'),
  ]);
  try {
    assert.equal(nb.json("d"), "error: ui.date: stop 2024-04-01 is before start 2024-05-01");
    assert.match(String(nb.json("f")), /maxBytes must be a whole number from 1 to 33554432/);
    assert.match(String(nb.json("a")), /ui.array \(element 0\) takes UI elements made by ui\.\*/);
    assert.equal(nb.json("r"), "error: ui.radio: 'b' is not one of the options");
  } finally {
    await nb.close();
  }
});

