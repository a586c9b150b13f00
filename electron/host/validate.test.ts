import { test } from "node:test";
import assert from "node:assert/strict";
import type { Output, WidgetId, WidgetSpec } from "../protocol.ts";
import { findWidget, LIMITS, parseServerUrl, validateHostCommand } from "./validate.ts";

const cell = (id: string, code = "1") => ({ id, code, config: {} });

test("accepts every well-formed command kind", () => {
  const good = [
    { type: "execute-cells", cells: [cell("a"), cell("b")], requestedAt: 1 },
    { type: "run-stale-cells" },
    { type: "delete-cell", id: "a" },
    { type: "set-cell-order", ids: ["a", "b"] },
    { type: "set-cell-config", id: "a", config: { name: "n", hideCode: true } },
    { type: "set-ui-value", id: "w1", value: 3 },
    { type: "set-run-mode", mode: "lazy" },
    { type: "interrupt" },
    { type: "set-output-limits", limits: { outputBytes: 16 * 1024 * 1024 } },
    { type: "set-output-limits", limits: { consoleLines: 20_000, consoleBytes: 1024 * 1024 } },
    { type: "open-notebook", requestId: "r", path: "nb.ts" },
    { type: "new-notebook", requestId: "r", path: "nb.ts" },
    { type: "open-notebook-text", requestId: "r", path: "nb.run-1.ts", text: "// %% [cell id=a]\n1;\n" },
    { type: "save-notebook", requestId: "r", cells: [cell("a")] },
    { type: "list-notebooks", requestId: "r" },
    { type: "restart-kernel", requestId: "r" },
    { type: "tracking-call", requestId: "r", method: "searchRuns", args: [{}] },
    { type: "tracking-call", requestId: "r", method: "searchRuns", args: [{}], store: "view" },
    { type: "set-view-source", requestId: "r", source: { kind: "local" } },
    { type: "set-view-source", requestId: "r", source: { kind: "remote", url: "https://mlflow.example.com:8443/team/mlflow/" } },
    { type: "test-view-source", requestId: "r", url: "http://127.0.0.1:5000" },
    { type: "set-app-settings", requestId: "r", settings: { autosave: false } },
    { type: "set-app-settings", requestId: "r", settings: { autosave: true, runOnOpen: false } },
    { type: "set-app-settings", requestId: "r", settings: { trackingUri: "postgresql://team:***@db.lan:5432/mlflow" } },
    { type: "export-html", requestId: "r", cells: [cell("a")], includeCode: false },
  ];
  const shown = findWidget([{ kind: "widget", widget: { kind: "slider", id: "w1" as WidgetId, label: "", min: 0, max: 9, step: 1, value: 0 } }], "w1" as WidgetId);
  for (const cmd of good) assert.deepEqual(validateHostCommand(cmd, () => shown), { ok: true, command: cmd }, cmd.type);
});

test("refuses non-objects and unknown types without a requestId", () => {
  assert.deepEqual(validateHostCommand("x"), { ok: false, error: "a command must be a JSON object" });
  assert.deepEqual(validateHostCommand(null), { ok: false, error: "a command must be a JSON object" });
  const r = validateHostCommand({ type: "format-disk" });
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.error : "", /unknown command type 'format-disk'/);
});

test("keeps a readable requestId so the refusal can be answered", () => {
  const r = validateHostCommand({ type: "open-notebook", requestId: "r7", path: 42 });
  assert.deepEqual(r, { ok: false, error: "invalid 'open-notebook': 'path' must be a string", requestId: "r7" });
});

test("a request command without a requestId is refused", () => {
  const r = validateHostCommand({ type: "list-notebooks" });
  assert.equal(r.ok, false);
});

test("refuses tracking methods the store contract does not carry, naming the method", () => {
  for (const method of ["close", "onChange", "getMetricHistoryJson", "constructor", "__proto__", "hasOwnProperty", 42]) {
    const r = validateHostCommand({ type: "tracking-call", requestId: "r", method, args: [] });
    assert.equal(r.ok, false, String(method));
    assert.match(!r.ok ? r.error : "", new RegExp(`unknown tracking method '${String(method)}'`));
  }
});

test("refuses ill-typed tracking arguments with the method, the argument and what it must be", () => {
  const refused: [string, unknown, RegExp][] = [
    ["getRun", [42], /getRun: argument 1 must be a string, got number/],
    ["getRun", [], /getRun: argument 1 must be a string, got undefined/],
    ["getRun", ["a", "b"], /getRun takes at most 1 arguments, got 2/],
    ["searchRuns", ["exp"], /searchRuns: argument 1 must be an object, got string/],
    ["searchRuns", [[]], /searchRuns: argument 1 must be an object, got array/],
    ["createExperiment", ["e", 9], /createExperiment: argument 2 must be string or absent, got number/],
    ["transitionModelVersionStage", ["m", "1", "Production", "yes"], /argument 4 must be a boolean, got string/],
    ["logInputs", ["r", null], /logInputs: argument 2 must be an array, got null/],
    ["getRun", "r", /getRun: 'args' must be an array/],
  ];
  for (const [method, args, why] of refused) {
    const r = validateHostCommand({ type: "tracking-call", requestId: "r", method, args });
    assert.equal(r.ok, false, `${method} ${JSON.stringify(args)}`);
    assert.match(!r.ok ? r.error : "", why);
    assert.equal(!r.ok && r.requestId, "r", "the refusal answers the request");
  }
  // Optional arguments may be left out, or sent as null (JSON's spelling of undefined in an array).
  for (const args of [["e"], ["e", null, [{ key: "k", value: "v" }]]]) {
    assert.equal(validateHostCommand({ type: "tracking-call", requestId: "r", method: "createExperiment", args }).ok, true);
  }
});

test("checks cell shapes, ids and sizes", () => {
  const bad = [
    { type: "execute-cells", cells: [{ id: "a b", code: "", config: {} }], requestedAt: 1 },
    { type: "execute-cells", cells: [cell("a"), cell("a")], requestedAt: 1 },
    { type: "execute-cells", cells: [cell("a", "x".repeat(LIMITS.codeChars + 1))], requestedAt: 1 },
    { type: "execute-cells", cells: [cell("a")], requestedAt: Number.NaN },
    { type: "execute-cells", cells: "a", requestedAt: 1 },
    { type: "set-cell-config", id: "a", config: { hideCode: "yes" } },
    { type: "set-run-mode", mode: "eager" },
    { type: "set-ui-value", id: "w" },
    { type: "save-notebook", requestId: "r", path: "", cells: [] },
    { type: "open-notebook", requestId: "r", path: "a\0b.ts" },
    { type: "open-notebook-text", requestId: "r", path: "nb.ts", text: 42 },
    { type: "open-notebook-text", requestId: "r", path: "nb.ts", text: "x".repeat(LIMITS.notebookChars + 1) },
    { type: "open-notebook-text", path: "nb.ts", text: "" },
    { type: "tracking-call", requestId: "r", method: "getRun", args: ["a", "b"] },
  ];
  for (const cmd of bad) assert.equal(validateHostCommand(cmd).ok, false, JSON.stringify(cmd).slice(0, 80));
});

test("view sources take only an http(s) server root, and say what is wrong with anything else", () => {
  const bad: [unknown, RegExp][] = [
    ["ftp://host/x", /expected an http:\/\/ or https:\/\/ URL, not ftp:/],
    ["localhost:5000", /expected an http:\/\/ or https:\/\/ URL/],
    ["not a url", /is not a URL/],
    ["http://user:pw@host:5000", /user names and passwords/],
    ["http://host:5000/?x=1", /\?query or #fragment/],
    ["http://" + "h".repeat(LIMITS.urlChars), /longer than/],
    [42, /must be a string/],
  ];
  for (const [url, why] of bad) {
    const r = validateHostCommand({ type: "test-view-source", requestId: "r", url });
    assert.equal(r.ok, false, String(url));
    assert.match(!r.ok ? r.error : "", why, String(url));
    assert.equal(validateHostCommand({ type: "set-view-source", requestId: "r", source: { kind: "remote", url } }).ok, false, String(url));
  }
  assert.equal(validateHostCommand({ type: "set-view-source", requestId: "r", source: { kind: "elsewhere" } }).ok, false);
  assert.equal(validateHostCommand({ type: "set-view-source", requestId: "r" }).ok, false);
  assert.equal(validateHostCommand({ type: "test-view-source", url: "http://h:1" }).ok, false);
  assert.equal(validateHostCommand({ type: "tracking-call", requestId: "r", method: "getRun", args: [], store: "remote" }).ok, false);
  assert.deepEqual(parseServerUrl(" http://Host:5000/base// "), { url: "http://host:5000/base" });
});

test("output limits must be known keys with whole numbers within bounds, and say which is wrong", () => {
  const bad: [unknown, RegExp][] = [
    [undefined, /'limits': limits must be an object/],
    [{ outputBytes: -1 }, /outputBytes must be between 1\.0 KB and 128\.0 MB/],
    [{ outputBytes: 0.5 }, /outputBytes must be a whole number/],
    [{ outputBytes: Number.POSITIVE_INFINITY }, /whole number/],
    [{ outputBytes: 1e12 }, /between/],
    [{ consoleLines: "10" }, /consoleLines must be a whole number/],
    [{ consoleBytes: 10 }, /consoleBytes must be between/],
    [{ outputbytes: 1 }, /unknown limit 'outputbytes'/],
  ];
  for (const [limits, why] of bad) {
    const r = validateHostCommand({ type: "set-output-limits", limits });
    assert.equal(r.ok, false, JSON.stringify(limits));
    assert.match(!r.ok ? r.error : "", why, JSON.stringify(limits));
  }
});

test("refuses settings it does not know or that are not switches, and an export without its fields", () => {
  const bad: [unknown, RegExp][] = [
    [{ type: "set-app-settings", requestId: "r", settings: { theme: "dark" } }, /unknown setting 'theme'/],
    [{ type: "set-app-settings", requestId: "r", settings: { runOnOpen: 1 } }, /'runOnOpen' must be true or false/],
    [{ type: "set-app-settings", requestId: "r", settings: { trackingUri: "http://127.0.0.1:5000" } }, /'settings': unsupported tracking store 'http:\/\/127\.0\.0\.1:5000'/],
    [{ type: "set-app-settings", settings: {} }, /needs a 'requestId'/],
    [{ type: "export-html", requestId: "r", cells: [cell("a")] }, /'includeCode' must be a boolean/],
    [{ type: "export-html", requestId: "r", cells: "all", includeCode: true }, /'cells' must be an array/],
  ];
  for (const [cmd, why] of bad) {
    const r = validateHostCommand(cmd);
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.error : "", why);
  }
});

const w = (spec: Record<string, unknown>) => ({ label: "", ...spec }) as unknown as WidgetSpec;
const SHOWN: Output[] = [
  { kind: "text", text: "hello" },
  {
    kind: "stack",
    items: [
      { kind: "widget", widget: w({ kind: "radio", id: "c-0", options: ["a", "b"], inline: false, value: null }) },
      { kind: "widget", widget: w({ kind: "array", id: "c-1", elements: [w({ kind: "switch", id: "c-1-0", value: false })], value: [false] }) },
      { kind: "widget", widget: w({ kind: "file", id: "c-2", accept: [], multiple: false, maxBytes: 4, value: [] }) },
    ],
  },
];
/** Why a command was refused. */
const refusal = (v: ReturnType<typeof validateHostCommand>) => (v.ok ? "accepted" : v.error);
const setUi = (id: string, value: unknown) => validateHostCommand({ type: "set-ui-value", id, value }, (wid) => findWidget(SHOWN, wid));

test("a widget input is checked against the shown widget's spec, nested in stacks", () => {
  assert.equal(setUi("c-0", "b").ok, true);
  assert.equal(setUi("c-0", null).ok, true);
  assert.equal(refusal(setUi("c-0", "z")), "invalid 'set-ui-value': 'value' for the radio 'c-0': 'z' is not one of the options");
  assert.equal(setUi("c-1", { index: 0, value: true }).ok, true);
  assert.equal(refusal(setUi("c-1", { index: 1, value: true })), "invalid 'set-ui-value': 'value' for the array 'c-1': 1 is not an element index");
  assert.equal(setUi("c-2", [{ name: "a.bin", type: "", base64: "AAEC" }]).ok, true, "3 bytes fit in 4");
  assert.equal(refusal(setUi("c-2", [{ name: "a.bin", type: "", base64: "AAECAwQ=" }])), "invalid 'set-ui-value': 'value' for the file 'c-2': a.bin is 5 B; this input takes at most 4 B");
});

test("an input for a widget that is not shown, or for an element by its own id, is refused", () => {
  assert.equal(refusal(setUi("c-9", 1)), "invalid 'set-ui-value': no widget 'c-9' is shown");
  assert.equal(setUi("c-1-0", true).ok, false, "elements take inputs through their array");
  assert.equal(refusal(validateHostCommand({ type: "set-ui-value", id: "c-0", value: "a" })), "invalid 'set-ui-value': no widget 'c-0' is shown");
  assert.equal(validateHostCommand({ type: "set-ui-value", id: "c-0" }, (wid) => findWidget(SHOWN, wid)).ok, false, "value is required");
});
