/**
 * What the widget e2e files share: a notebook built from `[id, code]` cells opened in Chromium and
 * run, locators for a cell's widget, a wait for a reader's output, and screenshots (e2e/artifacts/
 * widgets-*.png, for a person to look at; not compared).
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Locator, Page } from "playwright-core";
import { openNotebookInBrowser, type NotebookSession } from "./harness.ts";

export const WAIT_MS = 30_000;
const artifacts = join(dirname(fileURLToPath(import.meta.url)), "artifacts");

/** Opens a notebook of `cells` (after an import of `ui` and `stop`) and runs them all. */
export async function openWidgetNotebook(cells: [id: string, code: string][]): Promise<NotebookSession> {
  mkdirSync(artifacts, { recursive: true });
  const text = [["imports", 'import { ui, stop } from "flowbook";'], ...cells].map(([id, code]) => `// %% [cell id=${id}]\n${code}\n`).join("\n");
  const session = await openNotebookInBrowser(text, { fileName: "widgets.ts", viewport: { width: 1280, height: 1000 }, timeoutMs: WAIT_MS });
  try {
    await session.page.getByTestId("run-all").click();
    const last = cells.at(-1)![0];
    await session.page.locator(`[data-testid="cell"][data-cell-id="${last}"] [data-testid="cell-output"] > *`).first().waitFor({ timeout: WAIT_MS });
    await session.page.waitForSelector('[data-testid="cell"][data-status="running"], [data-testid="cell"][data-status="queued"]', { state: "detached", timeout: WAIT_MS });
    return session;
  } catch (err) {
    await session.close();
    throw err;
  }
}

/** The cell `id`. */
export const cell = (page: Page, id: string): Locator => page.locator(`[data-testid="cell"][data-cell-id="${id}"]`);

/** The widget the cell `id` shows. */
export const widget = (page: Page, id: string): Locator => cell(page, id).getByTestId("widget");

/** Waits until the cell `id`'s output reads exactly `text` (a reader re-ran with the new value). */
export async function shows(page: Page, id: string, text: string): Promise<void> {
  await cell(page, id)
    .getByTestId("cell-output")
    .filter({ hasText: new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*$`) })
    .waitFor({ timeout: WAIT_MS });
}

/** A screenshot of the cell `id` (or the page) as e2e/artifacts/widgets-<name>.png. */
export async function shot(page: Page, name: string, id?: string): Promise<void> {
  const path = join(artifacts, `widgets-${name}.png`);
  if (id) await cell(page, id).screenshot({ path });
  else await page.screenshot({ path, fullPage: true });
}
