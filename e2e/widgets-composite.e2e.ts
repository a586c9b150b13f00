/**
 * Widgets that gate or gather, end to end in Chromium on a real host and kernel: a run button runs
 * its readers only when clicked (moving another input they read does not), a form's value changes
 * on submit only, a file input hands cells name, type and bytes and refuses a file over its limit
 * with the sizes, and arrays and dictionaries of widgets change one element at a time. An example
 * notebook run in full logs nothing until its run button is pressed.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { launchBrowser, startApp, type NotebookSession } from "./harness.ts";
import { cell, openWidgetNotebook, shot, shows, WAIT_MS, widget } from "./widgets-page.ts";

const CELLS: [string, string][] = [
  ["knob", 'const units = ui.slider({ label: "units", min: 8, max: 64, step: 8, value: 16 });\nunits'],
  ["train", 'const train = ui.runButton({ label: "Train" });\ntrain'],
  ["gated", 'stop(!train.value, "press Train to train");\n`trained with ${units.value} units`'],
  ["fm", 'const lr = ui.form(ui.slider({ label: "learning rate", min: 1, max: 9, value: 3 }), { submitLabel: "Apply" });\nlr'],
  ["fm_r", "`lr=${lr.value}`"],
  ["fm2", 'const who = ui.form(ui.text({ label: "who" }));\nwho'],
  ["fm2_r", "`who=${who.value}`"],
  ["up", 'const upload = ui.file({ label: "data", accept: [".csv"], maxBytes: 64 });\nupload'],
  ["up_r", "upload.value.map((f) => `${f.name}|${f.type}|${f.bytes.length}|${new TextDecoder().decode(f.bytes)}`).join(';') || 'no file'"],
  ["arr", 'const layers = ui.array([ui.number({ label: "layer 1", value: 32 }), ui.switch({ label: "dropout" })], { label: "layers" });\nlayers'],
  ["arr_r", "`layers=${JSON.stringify(layers.value)}`"],
  ["dict", 'const hp = ui.dictionary({ epochs: ui.slider({ min: 1, max: 9, value: 2 }), optimizer: ui.radio({ options: ["adam", "sgd"], value: "adam" }) });\nhp'],
  ["dict_r", "`hp=${JSON.stringify(hp.value)}`"],
  ["fd", 'const batch = ui.form(ui.dictionary({ size: ui.number({ value: 32 }), shuffle: ui.checkbox() }));\nbatch'],
  ["fd_r", "`batch=${JSON.stringify(batch.value)}`"],
];

describe("composite widgets re-run their readers", () => {
  let session: NotebookSession;
  let page: Page;

  before(async () => {
    session = await openWidgetNotebook(CELLS);
    page = session.page;
    await shows(page, "fd_r", "batch=null");
  });
  after(async () => {
    await session?.close();
  });

  test("run button: its readers run only when it is clicked", async () => {
    await shows(page, "gated", "press Train to train");
    await widget(page, "knob").getByLabel("units").fill("32");
    // The slider re-runs the gated cell, which stops again: no click, no training.
    await shows(page, "gated", "press Train to train");
    await widget(page, "train").getByRole("button", { name: "Train" }).click();
    await shows(page, "gated", "trained with 32 units");
    await shot(page, "run-button", "gated");
    await widget(page, "knob").getByLabel("units").fill("48");
    await shows(page, "gated", "press Train to train");
    await widget(page, "train").getByRole("button", { name: "Train" }).press("Enter");
    await shows(page, "gated", "trained with 48 units");
  });

  test("form: moving the element changes nothing until Apply", async () => {
    await shows(page, "fm_r", "lr=null");
    const form = widget(page, "fm").getByRole("form");
    await form.getByLabel("learning rate").fill("7");
    await form.getByTestId("widget-pending").waitFor();
    await shot(page, "form-pending", "fm");
    assert.equal(await cell(page, "fm_r").getByTestId("cell-output").innerText(), "lr=null");
    await form.getByRole("button", { name: "Apply" }).click();
    await shows(page, "fm_r", "lr=7");
    await form.getByTestId("widget-pending").waitFor({ state: "detached" });
  });

  test("form around a text input: Enter submits what was typed", async () => {
    const input = widget(page, "fm2").getByLabel("who");
    await input.fill("Grace");
    await input.press("Enter");
    await shows(page, "fm2_r", "who=Grace");
  });

  test("file: name, type and bytes reach the reader; a file over the limit is refused with its size", async () => {
    await shows(page, "up_r", "no file");
    const input = widget(page, "up").getByLabel("data");
    await input.setInputFiles({ name: "tiny.csv", mimeType: "text/csv", buffer: Buffer.from("a,b\n1,2\n") });
    await shows(page, "up_r", "tiny.csv|text/csv|8|a,b\n1,2");
    await widget(page, "up").getByTestId("widget-files").filter({ hasText: "tiny.csv (8 B)" }).waitFor();
    await input.setInputFiles({ name: "big.csv", mimeType: "text/csv", buffer: Buffer.alloc(100, 0x61) });
    const error = widget(page, "up").getByRole("alert");
    await error.waitFor();
    assert.equal(await error.innerText(), "big.csv is 100 B; this input takes at most 64 B");
    await shot(page, "file-too-large", "up");
    assert.match(await cell(page, "up_r").getByTestId("cell-output").innerText(), /^tiny\.csv/, "the reader keeps the last good file");
  });

  test("array: each element's input changes its place in the value", async () => {
    await shows(page, "arr_r", "layers=[32,false]");
    const array = widget(page, "arr");
    await array.getByLabel("layer 1").fill("64");
    await array.getByLabel("layer 1").press("Enter");
    await shows(page, "arr_r", "layers=[64,false]");
    await array.getByRole("switch", { name: "dropout" }).click();
    await shows(page, "arr_r", "layers=[64,true]");
  });

  test("dictionary: elements are labelled by their keys", async () => {
    await shows(page, "dict_r", 'hp={"epochs":2,"optimizer":"adam"}');
    const dict = widget(page, "dict");
    await dict.getByLabel("epochs").fill("5");
    await shows(page, "dict_r", 'hp={"epochs":5,"optimizer":"adam"}');
    await dict.getByRole("group", { name: "optimizer" }).getByLabel("sgd").check();
    await shows(page, "dict_r", 'hp={"epochs":5,"optimizer":"sgd"}');
    await shot(page, "dictionary", "dict");
  });

  test("form around a dictionary: every element changed before Submit arrives together", async () => {
    const form = widget(page, "fd").getByRole("form");
    await form.getByLabel("size").fill("64");
    await form.getByLabel("size").press("Tab");
    await form.getByLabel("shuffle").check();
    assert.equal(await cell(page, "fd_r").getByTestId("cell-output").innerText(), "batch=null");
    await shot(page, "form-dictionary", "fd");
    await form.getByRole("button", { name: "Submit" }).click();
    await shows(page, "fd_r", 'batch={"size":64,"shuffle":true}');
  });
});

test("the tracking example logs runs only when Log runs is pressed, not when it is opened and run", async () => {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const dir = mkdtempSync(join(tmpdir(), "flowbook-example-"));
  const app = await startApp({ notebook: join(root, "notebooks", "tracking_basics.ts"), dir });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(app.url);
    await page.waitForSelector('[data-testid="kernel-state"][data-state="idle"]', { timeout: WAIT_MS });
    await page.getByTestId("run-all").click();
    await shows(page, "log", "Press Log runs to log 3 runs.");
    await page.waitForSelector('[data-testid="cell"][data-status="running"], [data-testid="cell"][data-status="queued"]', { state: "detached", timeout: WAIT_MS });
    const experiment = await app.host.store.getExperimentByName("flowbook-tracking-basics");
    assert.equal((await app.host.store.searchRuns({ experiment_ids: [experiment!.experiment_id] })).items.length, 0, "running the notebook logged no run");
    await widget(page, "logButton").getByRole("button", { name: "Log runs" }).click();
    await cell(page, "runs").getByTestId("table-row").nth(2).waitFor({ timeout: WAIT_MS });
    assert.equal((await app.host.store.searchRuns({ experiment_ids: [experiment!.experiment_id] })).items.length, 3);
  } finally {
    await browser.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
