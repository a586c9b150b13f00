import { test } from "node:test";
import assert from "node:assert/strict";
import type { CellOutput } from "../../protocol.ts";
import type { Run } from "../../tracking/types.ts";
import { args, paramInitial, setNotebookParams } from "./args.ts";
import { cell, runtimeKernel } from "./test-kernel.ts";

const IMPORTS = cell("imp", 'import { args, ui, mlflow } from "flowbook";');
const paramsOf = (run: Run) => Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));

test("args() gives the parameters as strings; number and boolean convert them, or fall back, or say why not", () => {
  setNotebookParams({ lr: "0.01", epochs: "5", fast: "yes", name: "adam", bad: "ten" });
  try {
    assert.deepEqual(args(), { lr: "0.01", epochs: "5", fast: "yes", name: "adam", bad: "ten" });
    assert.equal(args.number("lr", 1), 0.01);
    assert.equal(args.number("missing", 3), 3);
    assert.equal(args.number("missing"), undefined);
    assert.equal(args.boolean("fast", false), true);
    assert.equal(args.string("name"), "adam");
    assert.equal(args.string("other", "sgd"), "sgd");
    assert.throws(() => args.number("bad", 1), /parameter 'bad' is 'ten', which is not a number/);
    assert.throws(() => args.boolean("name", true), /parameter 'name' is 'adam', which is not true or false/);
    // A parameter named like an Object method is not confused with it.
    assert.equal(args.string("toString"), undefined);
  } finally {
    setNotebookParams({});
  }
});

test("a widget's initial value is read as the type of its default", () => {
  setNotebookParams({ n: "7", on: "false", text: "hi", rows: "0, 2", list: '["a","b"]' });
  try {
    assert.equal(paramInitial("n", 1), 7);
    assert.equal(paramInitial("on", true), false);
    assert.equal(paramInitial("text", ""), "hi");
    assert.equal(paramInitial("text", null), "hi");
    assert.deepEqual(paramInitial("rows", [] as number[]), [0, 2]);
    assert.deepEqual(paramInitial("list", [] as string[]), ["a", "b"]);
    assert.equal(paramInitial("absent", 4), 4);
    assert.equal(paramInitial(undefined, 4), 4);
    assert.throws(() => paramInitial("text", 1), /parameter 'text' is 'hi', which is not a number/);
  } finally {
    setNotebookParams({});
  }
});

test("cells read parameters, a named slider starts at its parameter, and runs record them unless the cell logged the key", async () => {
  const cells = [
    IMPORTS,
    cell("read", "const lr = args.number('lr', 0.5);\nconst all = args();"),
    cell("widgets", "const epochs = ui.slider({ name: 'epochs', min: 1, max: 10, value: 2 });\nconst plain = ui.slider({ min: 0, max: 10, value: 3 });"),
    cell("show", "[epochs, plain];"),
    cell("train", "await mlflow.startRun({ runName: 'r' });\nawait mlflow.logParam('lr', 0.2);\nawait mlflow.endRun();\nlr;"),
  ];
  const t = await runtimeKernel(cells, { params: { lr: "0.01", epochs: "5", note: "x" } });
  try {
    await t.kernel.handle({ type: "execute-cells", cells, requestedAt: Date.now() });
    await t.kernel.idle();
    const shown = t.events.find((e): e is CellOutput => e.type === "cell-output" && e.id === "show");
    assert.deepEqual(shown?.output, { kind: "json", value: [{ id: "widgets-0", value: 5 }, { id: "widgets-1", value: 3 }] });
    const train = t.events.find((e): e is CellOutput => e.type === "cell-output" && e.id === "train");
    assert.deepEqual(train?.output, { kind: "json", value: 0.01 });
    const [run] = await t.runs();
    // The cell's own lr (0.2) wins; the other parameters are recorded as given.
    assert.deepEqual(paramsOf(run), { lr: "0.2", epochs: "5", note: "x" });
  } finally {
    await t.close();
  }
});
