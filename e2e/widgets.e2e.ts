/**
 * Value widgets end to end, in Chromium on a real host and kernel: each test moves a widget as a
 * user would (mouse or keyboard) and waits for the cell reading it to re-run with the new value.
 * The existing number, text, dropdown, checkbox, button and table selection, and the newer
 * multiselect, radio, switch, text area, date and range slider. Forms, run buttons, files, arrays
 * and dictionaries are in widgets-composite.e2e.ts.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import type { NotebookSession } from "./harness.ts";
import { openWidgetNotebook, shot, shows, widget } from "./widgets-page.ts";

const CELLS: [string, string][] = [
  ["num", 'const n = ui.number({ label: "n", min: 0, max: 100, value: 5 });\nn'],
  ["num_r", "`n=${n.value}`"],
  ["txt", 'const name = ui.text({ label: "name", placeholder: "who?" });\nname'],
  ["txt_r", "`hello ${name.value || 'nobody'}`"],
  ["dd", 'const opt = ui.dropdown({ label: "optimizer", options: ["adam", "sgd", "rmsprop"] });\nopt'],
  ["dd_r", "`opt=${opt.value}`"],
  ["cb", 'const shuffle = ui.checkbox({ label: "shuffle" });\nshuffle'],
  ["cb_r", "`shuffle=${shuffle.value}`"],
  ["btn", 'const more = ui.button({ label: "more" });\nmore'],
  ["btn_r", "`clicks=${more.value}`"],
  ["tbl", 'const pick = ui.tableSelect({ label: "runs", columns: ["run", "acc"], rows: [["a", 0.9], ["b", 0.8], ["c", 0.7]] });\npick'],
  ["tbl_r", "`rows=${pick.value.join(',') || 'none'}`"],
  ["ms", 'const metrics = ui.multiselect({ label: "metrics", options: ["loss", "acc", "f1"], maxSelections: 2 });\nmetrics'],
  ["ms_r", "`metrics=${metrics.value.join('+') || 'none'}`"],
  ["rd", 'const size = ui.radio({ label: "size", options: ["small", "medium", "large"], value: "small", inline: true });\nsize'],
  ["rd_r", "`size=${size.value}`"],
  ["sw", 'const gpu = ui.switch({ label: "use GPU" });\ngpu'],
  ["sw_r", "`gpu=${gpu.value}`"],
  ["ta", 'const notes = ui.textarea({ label: "notes", rows: 3 });\nnotes'],
  ["ta_r", "`notes=${JSON.stringify(notes.value)}`"],
  ["dt", 'const day = ui.date({ label: "from", start: "2024-01-01", stop: "2024-12-31", value: "2024-06-01" });\nday'],
  ["dt_r", "`day=${day.value}`"],
  ["rs", 'const window_ = ui.rangeSlider({ label: "epochs", min: 0, max: 10, value: [2, 8] });\nwindow_'],
  ["rs_r", "`window=${window_.value.join('..')}`"],
];

describe("value widgets re-run their readers", () => {
  let session: NotebookSession;
  let page: Page;

  before(async () => {
    session = await openWidgetNotebook(CELLS);
    page = session.page;
    await shows(page, "rs_r", "window=2..8");
    await shot(page, "values");
  });
  after(async () => {
    await session?.close();
  });

  test("number: typing a value and Enter, any fraction, held to its bounds", async () => {
    await shows(page, "num_r", "n=5");
    await widget(page, "num").getByLabel("n").fill("42");
    await widget(page, "num").getByLabel("n").press("Enter");
    await shows(page, "num_r", "n=42");
    await widget(page, "num").getByLabel("n").fill("2.5");
    await widget(page, "num").getByLabel("n").press("Enter");
    await shows(page, "num_r", "n=2.5");
    // Past the maximum it is held to it.
    await widget(page, "num").getByLabel("n").fill("500");
    await widget(page, "num").getByLabel("n").press("Tab");
    await shows(page, "num_r", "n=100");
    assert.equal(await widget(page, "num").getByLabel("n").inputValue(), "100");
  });

  test("text: typing and Enter", async () => {
    await shows(page, "txt_r", "hello nobody");
    const input = widget(page, "txt").getByLabel("name");
    await input.fill("Ada");
    await input.press("Enter");
    await shows(page, "txt_r", "hello Ada");
  });

  test("dropdown: choosing an option", async () => {
    await shows(page, "dd_r", "opt=adam");
    await widget(page, "dd").getByLabel("optimizer").selectOption("sgd");
    await shows(page, "dd_r", "opt=sgd");
  });

  test("checkbox: clicking it", async () => {
    await shows(page, "cb_r", "shuffle=false");
    await widget(page, "cb").getByLabel("shuffle").click();
    await shows(page, "cb_r", "shuffle=true");
  });

  test("button: each click counts", async () => {
    await shows(page, "btn_r", "clicks=0");
    const button = widget(page, "btn").getByRole("button", { name: "more" });
    await button.click();
    await shows(page, "btn_r", "clicks=1");
    await button.press("Enter");
    await shows(page, "btn_r", "clicks=2");
  });

  test("table selection: ticking rows", async () => {
    await shows(page, "tbl_r", "rows=none");
    const rows = widget(page, "tbl").getByTestId("table-row");
    await rows.nth(2).locator("input").check();
    await shows(page, "tbl_r", "rows=2");
    await rows.nth(0).locator("input").check();
    await shows(page, "tbl_r", "rows=0,2");
  });

  test("multiselect: ticking options, in the options' order, and no more than maxSelections", async () => {
    await shows(page, "ms_r", "metrics=none");
    const group = widget(page, "ms").getByRole("group", { name: /metrics/ });
    await group.getByLabel("f1").check();
    await shows(page, "ms_r", "metrics=f1");
    await group.getByLabel("loss").check();
    await shows(page, "ms_r", "metrics=loss+f1");
    assert.equal(await group.getByLabel("acc").isDisabled(), true, "a third option is disabled at maxSelections 2");
    await shot(page, "multiselect", "ms");
    await group.getByLabel("f1").uncheck();
    await shows(page, "ms_r", "metrics=loss");
  });

  test("radio: clicking an option, then the arrow keys", async () => {
    await shows(page, "rd_r", "size=small");
    const group = widget(page, "rd").getByRole("group", { name: "size" });
    await group.getByLabel("medium").check();
    await shows(page, "rd_r", "size=medium");
    await group.getByLabel("medium").press("ArrowRight");
    await shows(page, "rd_r", "size=large");
  });

  test("switch: Space flips it", async () => {
    await shows(page, "sw_r", "gpu=false");
    const toggle = widget(page, "sw").getByRole("switch", { name: "use GPU" });
    await toggle.focus();
    await page.keyboard.press("Space");
    await shows(page, "sw_r", "gpu=true");
    assert.equal(await toggle.isChecked(), true);
    await shot(page, "switch", "sw");
  });

  test("text area: Enter is a new line, Ctrl+Enter sends", async () => {
    await shows(page, "ta_r", 'notes=""');
    const area = widget(page, "ta").getByLabel("notes");
    await area.click();
    await page.keyboard.type("line one");
    await page.keyboard.press("Enter");
    await page.keyboard.type("line two");
    await page.keyboard.press("Control+Enter");
    await shows(page, "ta_r", 'notes="line one\\nline two"');
  });

  test("date: picking a day within the bounds", async () => {
    await shows(page, "dt_r", "day=2024-06-01");
    const input = widget(page, "dt").getByLabel("from");
    assert.equal(await input.getAttribute("min"), "2024-01-01");
    await input.fill("2024-03-15");
    await shows(page, "dt_r", "day=2024-03-15");
  });

  test("range slider: moving either end, the keyboard included", async () => {
    await shows(page, "rs_r", "window=2..8");
    await widget(page, "rs").getByTestId("widget-input-low").fill("4");
    await shows(page, "rs_r", "window=4..8");
    const high = widget(page, "rs").getByRole("slider", { name: "epochs (to)" });
    await high.focus();
    await page.keyboard.press("ArrowLeft");
    await shows(page, "rs_r", "window=4..7");
    // The low end cannot pass the high one.
    await widget(page, "rs").getByTestId("widget-input-low").fill("9");
    await shows(page, "rs_r", "window=7..7");
    await shot(page, "range-slider", "rs");
  });
});
