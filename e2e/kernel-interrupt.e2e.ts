/**
 * Stop and stop() as the user sees them in Chromium (issue 12 items 1, 2, 3, 9): Stop ends a loop
 * that swallows its interrupts, and a synchronous loop, in place ("Interrupted." under the cell)
 * with every other cell keeping its value, output and console, nothing stale and the kernel
 * answering at once; a cell calling `stop()` shows its output while its reader shows a quiet
 * "Not run" notice, not an error; an exception's header names the notebook file's line and column.
 * Needs `dist/renderer` (the harness builds it).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { openNotebookInBrowser, type NotebookSession } from "./harness.ts";

const WAIT_MS = 20_000;
const SHOTS = "/work/helpers/shots";

const NOTEBOOK = `// %% [cell id=imports]
import { stop } from "flowbook";

// %% [cell id=model]
const weights = Array.from({ length: 100_000 }, (_, i) => i * 2);
weights.length;

// %% [cell id=summary]
console.log("summary printed");
weights[99_999];

// %% [cell id=gate]
const ready = false;
stop(!ready, "waiting for data");
const data = [1, 2, 3];

// %% [cell id=consumer]
data.length;

// %% [cell id=boom]
const k: number = 3;
function explode(n: number): never {
  throw new Error("exploded " + n);
}
explode(k);

// %% [cell id=work]
const idle = 0;

// %% [cell id=probe]
const answer = 1;
`;

const cell = (page: Page, id: string): Locator => page.locator(`[data-testid="cell"][data-cell-id="${id}"]`);

/** Waits until the cell's output shows `text`. */
async function shows(page: Page, id: string, text: string): Promise<void> {
  await cell(page, id).getByTestId("cell-output").filter({ hasText: text }).waitFor({ timeout: WAIT_MS });
}

/** Replaces a cell's code by typing into its editor and runs it with Shift+Enter, as a user would. */
async function editAndRun(page: Page, id: string, code: string): Promise<void> {
  await cell(page, id).locator(".cm-content").click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.insertText(code);
  await page.keyboard.press("Shift+Enter");
}

/** Runs `code` in the `work` cell, waits until it runs, clicks Stop; ms until "Interrupted." shows under it. */
async function stopLoop(page: Page, code: string): Promise<number> {
  await editAndRun(page, "work", code);
  await page.waitForSelector('[data-cell-id="work"][data-status="running"]', { timeout: WAIT_MS });
  await page.waitForTimeout(300); // the loop is well under way
  const t0 = Date.now();
  await page.getByTestId("interrupt").click();
  await cell(page, "work").getByTestId("interrupted").waitFor({ timeout: WAIT_MS });
  return Date.now() - t0;
}

/** Runs `probe` with new code and returns ms until its output shows `expected`. */
async function answerMs(page: Page, code: string, expected: string): Promise<number> {
  const t0 = Date.now();
  await editAndRun(page, "probe", code);
  await shows(page, "probe", expected);
  return Date.now() - t0;
}

describe("Stop and stop() in the notebook", () => {
  let session: NotebookSession;
  let page: Page;

  before(async () => {
    session = await openNotebookInBrowser(NOTEBOOK, { fileName: "interrupt.ts", timeoutMs: WAIT_MS });
    ({ page } = session);
    await page.getByTestId("run-all").click();
    await shows(page, "summary", "199998");
  });

  after(async () => {
    await session?.close();
  });

  test("item 1: Stop ends a loop that swallows its interrupts; the kernel answers the next command within 1 s", async () => {
    const stopMs = await stopLoop(page, "while (true) {\n  try { await new Promise((r) => setTimeout(r, 10)); } catch {}\n}");
    await page.waitForSelector('[data-testid="kernel-state"][data-state="idle"]', { timeout: WAIT_MS });
    const ms = await answerMs(page, "41 + 1", "42");
    process.stdout.write(`# swallowing loop: Interrupted shown ${stopMs} ms after Stop; next command answered in ${ms} ms\n`);
    assert.ok(ms < 1000, `the next command took ${ms} ms`);
    assert.equal(await page.getByTestId("restart-reason").count(), 0, "no restart");
  });

  test("item 2: Stop ends a synchronous loop in place; every other cell keeps its value, output and console; nothing stale", async () => {
    const stopMs = await stopLoop(page, "let spins = 0;\nwhile (true) { spins++; }");
    await page.waitForSelector('[data-testid="kernel-state"][data-state="idle"]', { timeout: WAIT_MS });
    await page.screenshot({ path: `${SHOTS}/kernel-stop-sync-loop.png` });
    process.stdout.write(`# sync loop: Interrupted shown ${stopMs} ms after Stop\n`);
    assert.ok(stopMs < 1000, `Stop took ${stopMs} ms`);
    assert.equal(await page.locator('[data-testid="cell"][data-status="stale"]').count(), 0, "no cell went stale");
    assert.equal(await page.getByTestId("restart-reason").count(), 0, "no restart");
    await shows(page, "model", "100000");
    await shows(page, "summary", "199998");
    assert.match(await cell(page, "summary").getByTestId("cell-console").innerText(), /summary printed/);
    // The values are still in the kernel: a new cell reads them.
    await answerMs(page, "weights[12] + weights.length", "100024");
  });

  test("item 3: a cell calling stop() shows its output; its reader is not run, quietly, not as an error", async () => {
    await shows(page, "gate", "waiting for data");
    assert.equal(await cell(page, "gate").getByTestId("cell-error").count(), 0);
    const notice = cell(page, "consumer").getByTestId("not-run-stopped");
    await notice.waitFor({ timeout: WAIT_MS });
    assert.equal((await notice.innerText()).trim(), "Not run: cell 4 stopped.");
    assert.equal(await cell(page, "consumer").getByTestId("cell-error").count(), 0, "not an error");
    assert.notEqual(await cell(page, "consumer").getAttribute("data-status"), "error");
    await cell(page, "gate").screenshot({ path: `${SHOTS}/kernel-stop-stop-gate.png` });
    await editAndRun(page, "gate", "const ready = true;\nstop(!ready, \"waiting for data\");\nconst data = [1, 2, 3];");
    await shows(page, "consumer", "3");
    assert.equal(await cell(page, "consumer").getByTestId("not-run-stopped").count(), 0);
  });

  test("item 9: an exception's header names the notebook file's line and column of the user's code", async () => {
    const error = cell(page, "boom").getByTestId("cell-error");
    await error.waitFor({ timeout: WAIT_MS });
    // The throw is line 23 of interrupt.ts (line 3 of the cell), column 9 (`new Error`).
    assert.equal((await error.getByTestId("error-line").innerText()).trim(), "(interrupt.ts:23:9)");
    assert.match(await error.innerText(), /Error: exploded 3/);
  });
});
