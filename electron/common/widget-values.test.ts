import { test } from "node:test";
import assert from "node:assert/strict";
import type { WidgetSpec } from "../protocol.ts";
import { base64Size, filesTooLarge, isIsoDate, widgetInputProblem } from "./widget-values.ts";

const w = (spec: Record<string, unknown>) => ({ id: "w", label: "", ...spec }) as unknown as WidgetSpec;
const ok = (spec: WidgetSpec, input: unknown) => assert.equal(widgetInputProblem(spec, input), undefined, JSON.stringify(input));
const bad = (spec: WidgetSpec, input: unknown, why: RegExp) => assert.match(widgetInputProblem(spec, input) ?? "accepted", why);

test("numbers: finite and within min..max", () => {
  const slider = w({ kind: "slider", min: 0, max: 10, step: 1, value: 0 });
  ok(slider, 10);
  bad(slider, 11, /11 is above the maximum 10/);
  bad(slider, -1, /below the minimum 0/);
  bad(slider, "5", /not a finite number/);
  bad(slider, Number.NaN, /not a finite number/);
  ok(w({ kind: "number", value: 0 }), -1e9);
});

test("range slider: [low, high] inside the range, low not above high", () => {
  const range = w({ kind: "range-slider", min: 0, max: 10, step: 1, value: [0, 10] });
  ok(range, [2, 2]);
  bad(range, [3, 2], /low 3 is above high 2/);
  bad(range, [0, 11], /above the maximum/);
  bad(range, [1], /expected \[low, high\]/);
});

test("text and text area: strings within maxLength", () => {
  ok(w({ kind: "text", value: "" }), "anything");
  bad(w({ kind: "textarea", rows: 4, maxLength: 3, value: "" }), "abcd", /4 characters; at most 3/);
  bad(w({ kind: "text", value: "" }), 1, /not a string/);
});

test("choices: dropdown and radio take an option or null; multiselect distinct options up to maxSelections", () => {
  const radio = w({ kind: "radio", options: ["a", "b"], inline: false, value: null });
  ok(radio, "a");
  ok(radio, null);
  bad(radio, "c", /'c' is not one of the options/);
  bad(w({ kind: "dropdown", options: ["a"], value: "a" }), 0, /not one of the options/);
  const multi = w({ kind: "multiselect", options: ["a", "b", "c"], maxSelections: 2, value: [] });
  ok(multi, []);
  ok(multi, ["c", "a"]);
  bad(multi, ["a", "b", "c"], /at most 2/);
  bad(multi, ["a", "a"], /chosen twice/);
  bad(multi, ["z"], /'z' is not one of the options/);
  bad(multi, "a", /expected a list/);
});

test("booleans, buttons and run buttons", () => {
  ok(w({ kind: "switch", value: false }), true);
  bad(w({ kind: "checkbox", value: false }), "true", /not true or false/);
  ok(w({ kind: "button", value: 0 }), 3);
  bad(w({ kind: "button", value: 0 }), -1, /not a click count/);
  ok(w({ kind: "run-button", value: false }), true);
  bad(w({ kind: "run-button", value: false }), false, /only true/);
});

test("dates: real calendar days, within start..stop", () => {
  assert.equal(isIsoDate("2024-02-29"), true);
  assert.equal(isIsoDate("2023-02-29"), false);
  assert.equal(isIsoDate("0001-01-01"), true);
  assert.equal(isIsoDate("2024-1-01"), false);
  const date = w({ kind: "date", start: "2024-01-01", stop: "2024-12-31", value: "2024-06-01" });
  ok(date, "2024-12-31");
  bad(date, "2025-01-01", /after 2024-12-31/);
  bad(date, "2023-12-31", /before 2024-01-01/);
  bad(date, "2024-13-01", /not a date/);
  ok(w({ kind: "date", value: "2024-06-01" }), "1999-01-01");
});

test("files: base64 bytes, one unless multiple, within maxBytes together, with the sizes in the message", () => {
  assert.equal(base64Size(""), 0);
  assert.equal(base64Size("AA=="), 1);
  assert.equal(base64Size("AAE="), 2);
  assert.equal(base64Size("AAEC"), 3);
  const one = w({ kind: "file", accept: [], multiple: false, maxBytes: 3, value: [] });
  ok(one, []);
  ok(one, [{ name: "a.txt", type: "text/plain", base64: "AAEC" }]);
  bad(one, [{ name: "a", type: "", base64: "" }, { name: "b", type: "", base64: "" }], /one file/);
  bad(one, [{ name: "a.txt", type: "text/plain", base64: "AAECAw==" }], /a.txt is 4 B; this input takes at most 3 B/);
  bad(one, [{ name: "a.txt", type: "text/plain", base64: "not base64!" }], /not base64/);
  bad(one, [{ name: "", type: "", base64: "" }], /needs a name/);
  const many = w({ kind: "file", accept: [], multiple: true, maxBytes: 4, value: [] });
  bad(many, [{ name: "a", type: "", base64: "AAEC" }, { name: "b", type: "", base64: "AAEC" }], /these 2 files are 6 B/);
  assert.equal(filesTooLarge([{ name: "big.csv", size: 12 * 1024 * 1024 }], 10 * 1024 * 1024), "big.csv is 12.0 MB; this input takes at most 10.0 MB");
});

test("table selection: distinct row indexes, one unless multiple", () => {
  const table = w({ kind: "table-select", columns: ["x"], rows: [[1], [2]], multiple: false, value: [] });
  ok(table, [1]);
  bad(table, [0, 1], /only one row/);
  bad(table, [2], /2 is not a row index/);
});

test("composites check the element an input is for: form its element, array and dictionary { index, value }", () => {
  const slider = w({ kind: "slider", min: 0, max: 5, step: 1, value: 0 });
  const form = w({ kind: "form", submitLabel: "Submit", element: slider, value: null });
  ok(form, { inputs: [] });
  ok(form, { inputs: [1, 5] });
  bad(form, { inputs: [1, 6] }, /above the maximum 5/);
  bad(form, 5, /expected \{ inputs: \[\.\.\.\] \}/);
  const dict = w({ kind: "dictionary", keys: ["s", "t"], elements: [slider, w({ kind: "text", value: "" })], value: {} });
  ok(dict, { index: 1, value: "hi" });
  bad(dict, { index: 0, value: 9 }, /^element 0: 9 is above the maximum 5$/);
  bad(dict, { index: 2, value: 1 }, /not an element index/);
  bad(dict, 1, /expected \{ index, value \}/);
  const nested = w({ kind: "array", elements: [dict], value: [] });
  ok(nested, { index: 0, value: { index: 1, value: "x" } });
  bad(nested, { index: 0, value: { index: 0, value: -1 } }, /element 0: element 0: -1 is below/);
});
