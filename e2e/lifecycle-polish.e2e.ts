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
