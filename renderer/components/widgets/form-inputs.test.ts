import { test } from "node:test";
import assert from "node:assert/strict";
import type { WidgetSpec } from "../../../electron/protocol.ts";
import { addInput } from "./form-inputs.ts";

const w = (spec: Record<string, unknown>) => ({ id: "w", label: "", ...spec }) as unknown as WidgetSpec;
const slider = w({ kind: "slider", min: 0, max: 9, step: 1, value: 0 });
const text = w({ kind: "text", value: "" });

test("a leaf's inputs collapse to the last one: a slider dragged for a minute submits one value", () => {
  let inputs: unknown[] = [];
  for (let v = 0; v < 600; v++) inputs = addInput(slider, inputs, v % 10);
  assert.deepEqual(inputs, [9]);
});

test("an array's or dictionary's inputs count per element, the last per leaf element", () => {
  const dict = w({ kind: "dictionary", keys: ["a", "b"], elements: [slider, text], value: {} });
  let inputs: unknown[] = [];
  inputs = addInput(dict, inputs, { index: 0, value: 1 });
  inputs = addInput(dict, inputs, { index: 1, value: "x" });
  inputs = addInput(dict, inputs, { index: 0, value: 2 });
  assert.deepEqual(inputs, [{ index: 1, value: "x" }, { index: 0, value: 2 }]);
  const nested = w({ kind: "array", elements: [dict], value: [] });
  inputs = [];
  inputs = addInput(nested, inputs, { index: 0, value: { index: 0, value: 1 } });
  inputs = addInput(nested, inputs, { index: 0, value: { index: 1, value: "y" } });
  inputs = addInput(nested, inputs, { index: 0, value: { index: 0, value: 3 } });
  assert.deepEqual(inputs, [{ index: 0, value: { index: 1, value: "y" } }, { index: 0, value: { index: 0, value: 3 } }]);
});

test("a form's submits inside a form all count", () => {
  const inner = w({ kind: "form", submitLabel: "ok", element: slider, value: null });
  assert.deepEqual(addInput(inner, [{ inputs: [1] }], { inputs: [2] }), [{ inputs: [1] }, { inputs: [2] }]);
});
