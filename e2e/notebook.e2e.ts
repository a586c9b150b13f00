/**
 * The notebook UI end to end, in browser mode: a real host and kernel serve the built renderer and
 * Chromium drives it. Needs `dist/renderer` (npx vite build --config renderer/vite.config.ts).
 * Screenshots go to e2e/artifacts/; with FLOWBOOK_UPDATE_SCREENSHOT=1 the example's also replaces docs/screenshot.png.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Locator, Page } from "playwright-core";
import { launchBrowser, startApp } from "./harness.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const artifacts = join(root, "e2e", "artifacts");
const WAIT_MS = 20_000;

/** A notebook whose cells exercise the behaviours under test; ids are fixed so tests can find them. */
const NOTEBOOK = `// Flowbook e2e notebook.

// %% [cell id=imports]
import { ui } from "flowbook";

// %% [cell id=base]
const base = 2;

// %% [cell id=doubled]
const doubled = base * 10;
doubled;

// %% [cell id=speed]
const speed = ui.slider({ label: "speed", min: 0, max: 10, step: 1, value: 3 });
speed;

// %% [cell id=reader]
const shown = \`speed is \${speed.value}\`;
shown;

// %% [cell id=broken]
const unused = 1;
throw new Error("planned failure");
`;

const cell = (page: Page, id: string): Locator => page.locator(`[data-testid="cell"][data-cell-id="${id}"]`);

/** Waits until the cell's output area contains `text`. */
async function outputContains(page: Page, id: string, text: string): Promise<void> {
  await cell(page, id).getByTestId("cell-output").filter({ hasText: text }).waitFor({ timeout: WAIT_MS });
}

/** The ids of the cells on screen, in order. */
async function cellIds(page: Page): Promise<(string | null)[]> {
  const cells = page.locator('[data-testid="cell"]');
  const ids: (string | null)[] = [];
  for (let i = 0; i < (await cells.count()); i++) ids.push(await cells.nth(i).getAttribute("data-cell-id"));
  return ids;
}

async function statusIs(page: Page, id: string, status: string): Promise<void> {
  await page.waitForSelector(`[data-testid="cell"][data-cell-id="${id}"][data-status="${status}"]`, { timeout: WAIT_MS });
}

/** Replaces a cell's code by typing into its editor, as a user would. */
async function replaceCode(page: Page, id: string, code: string): Promise<void> {
  await cell(page, id).locator(".cm-content").click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.insertText(code);
}

async function editorText(page: Page, id: string): Promise<string> {
  return cell(page, id).locator(".cm-content").innerText();
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(artifacts, `${name}.png`) });
}

describe("notebook UI", () => {
  let browser: Browser;
  let app: Awaited<ReturnType<typeof startApp>>;
  let page: Page;
  let dir: string;
  let notebookPath: string;

  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), "flowbook-e2e-"));
    notebookPath = join(dir, "e2e.ts");
    writeFileSync(notebookPath, NOTEBOOK);
    app = await startApp({ notebook: notebookPath, dir });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(app.url);
    await page.waitForSelector('[data-testid="connection"][data-connected="yes"]', { timeout: WAIT_MS });
    await page.waitForSelector('[data-testid="cell"][data-cell-id="broken"]', { timeout: WAIT_MS });
    await page.waitForSelector('[data-testid="kernel-state"][data-state="idle"]', { timeout: WAIT_MS });
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("opens the notebook and runs every cell", async () => {
    assert.equal(await page.locator('[data-testid="cell"]').count(), 6);
    await page.getByTestId("run-all").click();
    await outputContains(page, "doubled", "20");
    await outputContains(page, "reader", "speed is 3");
    await shot(page, "run-all");
  });

  test("shows an error with its message and line", async () => {
    await statusIs(page, "broken", "error");
    const error = cell(page, "broken").getByTestId("cell-error");
    const text = await error.innerText();
    assert.match(text, /planned failure/);
    // Line 2 of the cell is line 23 of the file.
    assert.match(text, /\(e2e\.ts:23:7\)/);
    await cell(page, "broken").scrollIntoViewIfNeeded();
    await shot(page, "error");
  });

  test("editing a cell re-runs its dependent", async () => {
    await replaceCode(page, "base", "const base = 5;");
    await page.waitForSelector('[data-testid="dirty-marker"]', { timeout: WAIT_MS });
    await page.keyboard.press("Shift+Enter");
    await outputContains(page, "doubled", "50");
    assert.equal(await editorText(page, "base"), "const base = 5;");
    await shot(page, "edit-rerun");
  });

  test("moving the slider re-runs its readers", async () => {
    const slider = cell(page, "speed").locator('[data-testid="widget"][data-widget-kind="slider"] input[type="range"]');
    await slider.waitFor({ timeout: WAIT_MS });
    await slider.fill("7");
    await outputContains(page, "reader", "speed is 7");
    assert.equal(await cell(page, "speed").getByTestId("widget-value").innerText(), "7");
    await shot(page, "slider");
  });

  test("saves, and reopening gives the same notebook", async () => {
    const before = await Promise.all(["imports", "base", "doubled", "speed", "reader", "broken"].map((id) => editorText(page, id)));
    await page.keyboard.press("ControlOrMeta+S");
    await page.waitForSelector('[data-testid="dirty-marker"]', { state: "detached", timeout: WAIT_MS });
    assert.match(readFileSync(notebookPath, "utf8"), /const base = 5;/);

    await page.getByTestId("open-notebook").click();
    await page.locator(`[data-testid="notebook-choice"]`).first().waitFor({ timeout: WAIT_MS });
    await shot(page, "open-dialog");
    const choice = page.locator(`[data-testid="notebook-choice"][data-path$="e2e.ts"]`).first();
    await choice.click();
    await page.waitForSelector('[data-testid="open-dialog"]', { state: "detached", timeout: WAIT_MS });
    await page.waitForSelector('[data-testid="cell"][data-cell-id="broken"]', { timeout: WAIT_MS });

    assert.deepEqual(await cellIds(page), ["imports", "base", "doubled", "speed", "reader", "broken"]);
    const after = await Promise.all(["imports", "base", "doubled", "speed", "reader", "broken"].map((id) => editorText(page, id)));
    assert.deepEqual(after, before);
    assert.equal(await page.getByTestId("dirty-marker").count(), 0);
  });

  test("interrupting a cell blocked outside its own loops restarts the kernel, leaves cells stale and says why", async () => {
    await page.getByTestId("run-all").click();
    await outputContains(page, "doubled", "50");
    await cell(page, "broken").getByTestId("add-below").click();
    const loop = page.locator('[data-testid="cell"]').last();
    const loopId = await loop.getAttribute("data-cell-id");
    assert.ok(loopId);
    // A loop of the cell stops in place (kernel-interrupt.e2e.ts); a blocking call only a kill ends.
    await replaceCode(page, loopId, "Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);");
    await page.keyboard.press("Shift+Enter");
    await statusIs(page, loopId, "running");
    await shot(page, "loop-running");

    await page.getByTestId("interrupt").click();
    // The call never returns, so the kernel is killed and restarted; then nothing holds a value.
    await page.waitForSelector('[data-testid="kernel-state"][data-state="idle"]', { timeout: WAIT_MS });
    await statusIs(page, "doubled", "stale");
    await statusIs(page, "base", "stale");
    // The status bar, each stale cell's badge and the blocked cell say why.
    const why = /^The kernel was restarted to stop cell \w+, which did not stop when interrupted; every cell must re-run$/;
    const bar = page.getByTestId("restart-reason");
    assert.equal(await bar.innerText(), "Kernel restarted: every cell is stale");
    assert.match((await bar.getAttribute("title")) ?? "", why);
    assert.match((await cell(page, "base").getByTestId("cell-status").getAttribute("title")) ?? "", /every cell must re-run/);
    assert.match(await cell(page, loopId).getByTestId("interrupted").innerText(), /Interrupted\. The kernel was restarted/);
    assert.notEqual(await cell(page, loopId).getAttribute("data-status"), "running");
    await shot(page, "interrupted");

    // The notebook still works after the restart.
    await cell(page, loopId).getByTestId("delete-cell").click();
    await page.getByTestId("run-all").click();
    await outputContains(page, "doubled", "50");
  });
});

describe("example notebook", () => {
  const examples = existsSync(join(root, "notebooks"))
    ? readdirSync(join(root, "notebooks")).filter((f) => f.endsWith(".ts")).sort()
    : [];

  test("opens, runs, and is screenshotted for the README", { skip: examples.length === 0 && "no example notebook" }, async () => {
    mkdirSync(artifacts, { recursive: true });
    const dir = mkdtempSync(join(tmpdir(), "flowbook-example-"));
    const app = await startApp({ notebook: join(root, "notebooks", examples[0]), dir });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1500 } });
      await page.goto(app.url);
      await page.waitForSelector('[data-testid="cell"]', { timeout: WAIT_MS });
      await page.waitForSelector('[data-testid="kernel-state"][data-state="idle"]', { timeout: WAIT_MS });
      await page.getByTestId("run-all").click();
      await page.waitForSelector('[data-testid="cell-output"] > *', { timeout: WAIT_MS });
      // Every cell settles (idle, or an error the example meant to show) within the timeout.
      await page.waitForSelector('[data-testid="cell"][data-status="running"], [data-testid="cell"][data-status="queued"]', {
        state: "detached",
        timeout: 60_000,
      });
      assert.equal(await page.locator('[data-testid="cell"][data-status="error"]').count(), 0, "no cell of the example fails");
      // Plotly loads with the first chart; wait for its drawing before the screenshot.
      if ((await page.getByTestId("output-plot").count()) > 0) await page.locator(".plot .main-svg").first().waitFor({ timeout: WAIT_MS });
      await shot(page, "example");
      // The README's picture is refreshed on request only, so a test run never edits tracked files.
      if (process.env.FLOWBOOK_UPDATE_SCREENSHOT === "1") {
        mkdirSync(join(root, "docs"), { recursive: true });
        await page.screenshot({ path: join(root, "docs", "screenshot.png") });
      }
    } finally {
      await browser.close();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
