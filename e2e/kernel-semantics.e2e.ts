/**
 * Reactive rules as the user sees them in Chromium (issue 12): cells that define one name all show
 * the conflict and their reader shows it too, never an old value, until either definer is fixed; a
 * cell that stops parsing makes its readers show the name undefined instead of a value computed
 * from it. Needs `dist/renderer` (the harness builds it).
 */
import { after, before, describe, test } from "node:test";
import type { Locator, Page } from "playwright-core";
import { openNotebookInBrowser, type NotebookSession } from "./harness.ts";

const WAIT_MS = 20_000;

const NOTEBOOK = `// %% [cell id=first]
const x = 1;

// %% [cell id=second]
const x = 2;

// %% [cell id=reader]
x + 10;

// %% [cell id=words]
const words = ["a", "bb", "ccc"];

// %% [cell id=count]
words.length * 100;
`;

const cell = (page: Page, id: string): Locator => page.locator(`[data-testid="cell"][data-cell-id="${id}"]`);

/** Waits until the cell shows an error of `kind` and no output value. */
async function showsError(page: Page, id: string, kind: string): Promise<void> {
  await cell(page, id).locator(`[data-testid="cell-error"][data-error-kind="${kind}"]`).waitFor({ timeout: WAIT_MS });
  await cell(page, id).getByTestId("output-text").waitFor({ state: "detached", timeout: WAIT_MS });
}

/** Waits until the cell shows `text` and no error. */
async function shows(page: Page, id: string, text: string): Promise<void> {
  await cell(page, id).getByTestId("cell-output").filter({ hasText: text }).waitFor({ timeout: WAIT_MS });
  await cell(page, id).getByTestId("cell-error").waitFor({ state: "detached", timeout: WAIT_MS });
}

/** Replaces a cell's code by typing into its editor and runs it with Shift+Enter, as a user would. */
async function editAndRun(page: Page, id: string, code: string): Promise<void> {
  await cell(page, id).locator(".cm-content").click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.insertText(code);
  await page.keyboard.press("Shift+Enter");
}

describe("reactive rules in the notebook", () => {
  let session: NotebookSession;
  let page: Page;

  before(async () => {
    session = await openNotebookInBrowser(NOTEBOOK, { fileName: "semantics.ts", timeoutMs: WAIT_MS });
    ({ page } = session);
    await page.getByTestId("run-all").click();
  });

  after(async () => {
    await session?.close();
  });

  test("two cells defining x: both and the reader show the conflict; fixing either restores both", async () => {
    await showsError(page, "first", "multiple-definition");
    await showsError(page, "second", "multiple-definition");
    await showsError(page, "reader", "multiple-definition");
    await page.screenshot({ path: "/work/helpers/shots/kernel-plan-multiple-definition.png" });

    await editAndRun(page, "second", "const y = 2;");
    await shows(page, "first", "");
    await shows(page, "reader", "11");

    // A duplicate typed later errors alone: x keeps its value (no action at a distance)...
    await editAndRun(page, "second", "const x = 2;");
    await showsError(page, "second", "multiple-definition");
    await shows(page, "reader", "11");
    // ...until the first definer runs again: then both conflict and the reader loses its value.
    await cell(page, "first").getByTestId("run-cell").click();
    await showsError(page, "first", "multiple-definition");
    await showsError(page, "reader", "multiple-definition");

    await cell(page, "second").getByTestId("delete-cell").click();
    await shows(page, "reader", "11");
  });

  test("a cell that stops parsing: its reader re-runs and shows the name undefined", async () => {
    await shows(page, "count", "300");
    await editAndRun(page, "words", 'const words = ["a", "bb",');
    await cell(page, "words").locator('[data-testid="cell-error"][data-error-kind="syntax"]').waitFor({ timeout: WAIT_MS });
    await showsError(page, "count", "reference");
    await cell(page, "count").getByTestId("cell-error").filter({ hasText: "words" }).waitFor({ timeout: WAIT_MS });
    await page.screenshot({ path: "/work/helpers/shots/kernel-plan-syntax-reader.png" });

    await editAndRun(page, "words", 'const words = ["a", "bb"];');
    await shows(page, "count", "200");
  });
});
