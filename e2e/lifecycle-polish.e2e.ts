/**
 * Issue 13's readable-state and polish items in Chromium against the real app: plots whose traces
 * need WebGL still draw (headless Chromium has none), icons are SVG, not font glyphs, the help
 * explains the notebook's states, and a cell's state (edited, error, interrupted, stale) reads true.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { cellText } from "./console-flood.ts";
import { openNotebookInBrowser } from "./harness.ts";

const WAIT_MS = 30_000;
const SHOTS = process.env.FLOWBOOK_SHOTS;

const cell = (page: Page, id: string): Locator => page.locator(`[data-testid="cell"][data-cell-id="${id}"]`);

async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

test("plots whose traces need WebGL draw without it: parcoords as SVG, scattergl, 3-D and surface in 2-D", { timeout: 120_000 }, async () => {
  const notebook = [
    cellText("imports", 'import { plot } from "flowbook";'),
    cellText(
      "pc",
      'plot([{ type: "parcoords", line: { color: [0.5, 0.3, 0.2] }, dimensions: [{ label: "lr", values: [0.1, 0.01, 0.001] }, { label: "loss", values: [0.5, 0.3, 0.2] }] }]);',
    ),
    cellText("gl", 'plot([{ type: "scattergl", mode: "markers", x: [1, 2, 3, 4], y: [4, 1, 3, 2] }]);'),
    cellText("s3d", 'plot([{ type: "scatter3d", mode: "markers", x: [1, 2, 3], y: [3, 1, 2], z: [0, 5, 9] }]);'),
    cellText("surf", "plot([{ type: \"surface\", z: [[1, 2, 3], [2, 3, 4], [3, 4, 6]] }]);"),
  ].join("\n");
  const s = await openNotebookInBrowser(notebook);
  try {
    const { page } = s;
    await page.getByTestId("run-all").click();
    await cell(page, "pc").locator('[data-testid="pc-line"]').nth(2).waitFor({ state: "attached", timeout: WAIT_MS });
    assert.equal(await cell(page, "pc").locator('[data-testid="pc-line"]').count(), 3);
    assert.deepEqual(await cell(page, "pc").locator(".tr-pc-label").allTextContents(), ["lr", "loss"]);
    await cell(page, "gl").locator(".scatterlayer .point").nth(3).waitFor({ timeout: WAIT_MS });
    await cell(page, "s3d").locator(".scatterlayer .point").nth(2).waitFor({ timeout: WAIT_MS });
    assert.match(await cell(page, "s3d").getByTestId("plot-notes").innerText(), /3-D scatter drawn from above/);
    await cell(page, "surf").locator(".contourlayer path").first().waitFor({ timeout: WAIT_MS });
    await shot(page, "life-polish-webgl");
    assert.doesNotMatch(await page.locator("body").innerText(), /WebGL is not supported/);
  } finally {
    await s.close();
  }
});

test("toolbar and cell icons are inline SVG, never emoji or symbol glyphs", { timeout: 60_000 }, async () => {
  const s = await openNotebookInBrowser(cellText("a", "const a = 1;"));
  try {
    const { page } = s;
    for (const id of ["run-all", "interrupt", "restart-kernel", "theme-toggle"]) {
      assert.equal(await page.getByTestId(id).locator("svg.icon-svg").count(), 1, `${id} has an SVG icon`);
    }
    for (const id of ["run-cell", "add-above", "add-below", "move-up", "move-down", "delete-cell"]) {
      assert.equal(await cell(page, "a").getByTestId(id).locator("svg.icon-svg").count(), 1, `${id} has an SVG icon`);
    }
    const text = await page.locator("body").innerText();
    assert.doesNotMatch(text, /[\u2190-\u21ff\u2600-\u27bf\u25a0-\u25ff]|\p{Extended_Pictographic}/u, "no symbol glyphs as icons");
  } finally {
    await s.close();
  }
});

/** The badge beside a cell's code. */
const badge = (page: Page, id: string) => cell(page, id).getByTestId("cell-status");

async function badgeIs(page: Page, id: string, status: string): Promise<void> {
  await cell(page, id).locator(`[data-testid="cell-status"][data-status="${status}"]`).waitFor({ state: "attached", timeout: WAIT_MS });
}

test("a cell's badge reads true: interrupted, error, edited; Run stale leaves nothing stale in one click", { timeout: 120_000 }, async () => {
  const notebook = [
    cellText("imports", 'import { ui } from "flowbook";'),
    cellText("a", "const s = ui.slider({ min: 0, max: 10, value: 3 });\ns"),
    cellText("b", "const b = s.value * 2;"),
    cellText("c", "const c = b + 1;\nc"),
    cellText("bad", "const oops = ;"),
    cellText("slow", "await new Promise((r) => setTimeout(r, 60_000));"),
  ].join("\n");
  const s = await openNotebookInBrowser(notebook);
  try {
    const { page } = s;
    await page.getByTestId("run-all").click();
    await page.locator('[data-cell-id="slow"][data-status="running"]').waitFor({ timeout: WAIT_MS });
    await page.getByTestId("interrupt").click();
    await badgeIs(page, "slow", "interrupted");
    assert.equal(await badge(page, "slow").innerText(), "interrupted");
    await badgeIs(page, "bad", "error");
    assert.equal(await badge(page, "bad").innerText(), "error");
    await cell(page, "c").getByText("7", { exact: true }).waitFor({ timeout: WAIT_MS });

    // An edit not yet run is marked; running nothing else changes that.
    await cell(page, "c").locator(".cm-content").click();
    await page.keyboard.press("End");
    await page.keyboard.type(" * 10");
    await badgeIs(page, "c", "edited");
    assert.equal(await badge(page, "c").innerText(), "edited");

    // Lazy mode: a slider move makes its reader stale; one Run stale runs it, what it feeds, and the edit.
    await page.getByTestId("mode-toggle").uncheck();
    await cell(page, "a").getByTestId("widget-input").fill("5");
    await badgeIs(page, "b", "stale");
    await shot(page, "life-polish-states");
    await page.getByTestId("run-stale").click();
    await cell(page, "c").getByText("110", { exact: true }).waitFor({ timeout: WAIT_MS });
    for (const id of ["a", "b", "c"]) await badgeIs(page, id, "idle");
    assert.equal(await page.locator('[data-testid="cell-status"][data-status="stale"], [data-testid="cell-status"][data-status="edited"]').count(), 0);
    // The syntax error stays an error, never "stale", even when a restart makes every other cell stale.
    await badgeIs(page, "bad", "error");
    page.once("dialog", (d) => void d.accept());
    await page.getByTestId("restart-kernel").click();
    await badgeIs(page, "c", "stale");
    await page.locator('[data-testid="kernel-state"][data-state="idle"]').waitFor({ timeout: WAIT_MS });
    await badgeIs(page, "bad", "error");
  } finally {
    await s.close();
  }
});

test("Stop during training the cell did not await: the bar says stopped, the catch and stray rejections print under the cell", { timeout: 180_000 }, async () => {
  const notebook = [
    cellText("imports", 'import { loadTf, mlflow } from "flowbook";'),
    cellText(
      "train",
      [
        "const tf = await loadTf();",
        "const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 1 })] });",
        'model.compile({ optimizer: "sgd", loss: "meanSquaredError" });',
        "const x = tf.randomNormal([4000, 4]);",
        "const y = tf.randomNormal([4000, 1]);",
        "const fitConfig = { epochs: 500, batchSize: 4 };",
        "const training = model.fit(x, y, { ...fitConfig, callbacks: [await mlflow.tfjs.callback(model, fitConfig)] });",
        'training.catch((e) => console.error("training ended:", e.message));',
      ].join("\n"),
    ),
    cellText("stray", 'void setTimeout(() => Promise.reject(new Error("nobody caught me")), 10);'),
  ].join("\n");
  const s = await openNotebookInBrowser(notebook, { timeoutMs: 60_000 });
  try {
    const { page } = s;
    await page.getByTestId("run-all").click();
    await cell(page, "stray").getByText(/Uncaught \(in promise\) Error: nobody caught me/).waitFor({ timeout: 60_000 });
    const bar = cell(page, "train").getByTestId("output-progress");
    await bar.waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => Number(document.querySelector('[data-cell-id="train"] progress')?.getAttribute("value")) > 0, null, { timeout: 60_000 });
    await page.getByTestId("interrupt").click();
    await cell(page, "train").getByTestId("progress-stopped").waitFor({ timeout: WAIT_MS });
    assert.equal(await bar.getAttribute("data-stopped"), "true");
    await cell(page, "train").getByText(/training ended: /).waitFor({ timeout: WAIT_MS });
    await shot(page, "life-polish-stopped");
  } finally {
    await s.close();
  }
});

test("help explains stale, edited, interrupted, autorun/lazy, hidden and disabled cells, and the shortcuts", { timeout: 60_000 }, async () => {
  const s = await openNotebookInBrowser(cellText("a", "const a = 1;"));
  try {
    const { page } = s;
    await page.locator("body").click({ position: { x: 5, y: 300 } });
    await page.keyboard.press("?");
    const help = page.getByTestId("help-panel");
    await help.waitFor({ timeout: WAIT_MS });
    const text = await help.innerText();
    for (const word of [/stale/, /edited/, /interrupted/, /Autorun/, /lazy/, /Hide/, /Disable/, /Shift\+Enter/, /Run stale/]) assert.match(text, word);
    await shot(page, "life-polish-help");
  } finally {
    await s.close();
  }
});

test("line numbers stay clear of the code when a long line scrolls sideways", { timeout: 60_000 }, async () => {
  const s = await openNotebookInBrowser(cellText("long", `const line = "${"x".repeat(400)}";`));
  try {
    const { page } = s;
    const scroller = cell(page, "long").locator(".cm-scroller");
    await scroller.evaluate((el) => (el.scrollLeft = 25));
    const gap = await cell(page, "long").locator(".cm-gutters").evaluate((gutters) => {
      const number = gutters.querySelector(".cm-lineNumbers .cm-gutterElement:not([style*='visibility'])")!;
      const range = document.createRange();
      range.selectNodeContents(number);
      const style = getComputedStyle(gutters);
      return { space: gutters.getBoundingClientRect().right - range.getBoundingClientRect().right, rule: style.borderRightWidth, bg: style.backgroundColor };
    });
    assert.ok(gap.space >= 8, `${gap.space}px between a line number and the scrolled code`);
    assert.equal(gap.rule, "1px", "a rule separates numbers from code");
    assert.notEqual(gap.bg, "rgba(0, 0, 0, 0)", "the gutter hides the code scrolled under it");
    await cell(page, "long").locator(".editor").screenshot({ path: `${SHOTS ?? "/tmp"}/life-polish-gutter.png` });
  } finally {
    await s.close();
  }
});
