/**
 * The notebook's lifecycle in Chromium, as a user meets it: unsaved edits are never dropped without
 * asking (Save / Discard / Cancel) and autosave writes them; undo stays in its own notebook; a saved
 * notebook opens with the outputs it showed last, marked, and runs (or, with run on open off, says
 * its outputs are stale with one "Run all to recompute").
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import type { AppSettings } from "../electron/protocol.ts";
import { launchBrowser, startApp, type App } from "./harness.ts";

const WAIT_MS = 30_000;
const SHOTS = "/work/helpers/shots";

const A = `// %% [cell id=shared]
const a = "from A";

// %% [cell id=only-a]
a;
`;
const B = `// %% [cell id=shared]
const b = "from B";
`;
const CHARTS = `// %% [cell id=imports hidden]
import { md, plot } from "flowbook";

// %% [cell id=chart]
plot({ data: [{ x: [1, 2, 3], y: [3, 1, 2], type: "scatter" }], layout: { title: "loss" } });

// %% [cell id=note]
md(\`# trained at \${Date.now()}\`);
`;

/** A temp folder with the given notebooks, the app on it (`open` opened) and a Chromium page showing it. */
async function session(files: Record<string, string>, open: string, settings: Partial<AppSettings>, settingsFile?: string) {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-lifecycle-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  let app: App = await startApp({ dir, notebook: join(dir, open), settings, ...(settingsFile ? { settingsFile } : {}) });
  const browser: Browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  // Restart asks first; the user agrees.
  page.on("dialog", (d) => void d.accept());
  const load = async () => {
    await page.goto(app.url);
    await page.waitForSelector('[data-testid="kernel-state"][data-state="idle"], [data-testid="kernel-state"][data-state="busy"]', { timeout: WAIT_MS });
  };
  await load();
  return {
    dir,
    page,
    /** Stops the app and starts it again on the same folder (a restart of Flowbook). */
    async restartApp(next: Partial<AppSettings>) {
      await app.close();
      app = await startApp({ dir, notebook: join(dir, open), settings: next });
      await load();
    },
    async close() {
      await browser.close();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const cell = (page: Page, id: string): Locator => page.locator(`[data-testid="cell"][data-cell-id="${id}"]`);
const code = (page: Page, id: string) => cell(page, id).locator(".cm-content").innerText();
const title = (page: Page) => page.getByTestId("notebook-title").innerText();

/** Types `text` at the end of cell `id`'s code. */
async function typeInto(page: Page, id: string, text: string): Promise<void> {
  await cell(page, id).locator(".cm-content").click();
  await page.keyboard.press("ControlOrMeta+End");
  await page.keyboard.insertText(text);
}

/** Picks `name` in the Open dialog. */
async function chooseOpen(page: Page, name: string): Promise<void> {
  await page.getByTestId("open-notebook").click();
  await page.locator(`[data-testid="notebook-choice"][data-path$="${name}"]`).click();
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `life-save-${name}.png`) });
}

/** Waits until `read()` is true, checking every 100 ms (the file system has no event to wait on here). */
async function until(read: () => boolean, what: string): Promise<void> {
  const end = Date.now() + WAIT_MS;
  while (!read()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("notebook lifecycle", { timeout: 180_000 }, () => {
  test("Open and New with unsaved edits ask Save / Discard / Cancel, and each does what it says", async () => {
    const s = await session({ "a.ts": A, "b.ts": B }, "a.ts", { autosave: false, runOnOpen: false });
    const { page, dir } = s;
    try {
      await typeInto(page, "only-a", " // edit 1");
      await page.getByTestId("dirty-marker").waitFor();

      // Cancel: nothing changes, the edit stays.
      await chooseOpen(page, "b.ts");
      await page.getByTestId("leave-dialog").waitFor();
      await shot(page, "unsaved-dialog");
      await page.getByTestId("leave-cancel").click();
      await page.getByTestId("leave-dialog").waitFor({ state: "detached" });
      assert.match(await title(page), /^a\.ts/);
      assert.equal(await page.getByTestId("dirty-marker").count(), 1);
      assert.match(await code(page, "only-a"), /edit 1/);

      // Discard: B opens, A's file is as it was.
      await chooseOpen(page, "b.ts");
      await page.getByTestId("leave-discard").click();
      await cell(page, "shared").filter({ hasText: "from B" }).waitFor();
      assert.equal(readFileSync(join(dir, "a.ts"), "utf8"), A);

      // Save: B's edit is written before A opens.
      await typeInto(page, "shared", " // kept");
      await chooseOpen(page, "a.ts");
      await page.getByTestId("leave-save").click();
      await cell(page, "only-a").waitFor();
      assert.match(readFileSync(join(dir, "b.ts"), "utf8"), /const b = "from B"; \/\/ kept/);
      assert.equal(await page.getByTestId("dirty-marker").count(), 0);

      // New asks too; Escape cancels.
      await typeInto(page, "only-a", " // edit 2");
      await page.getByTestId("new-notebook").click();
      await page.getByTestId("new-notebook-path").fill("c.ts");
      await page.getByTestId("create-notebook").click();
      await page.getByTestId("leave-dialog").waitFor();
      await page.keyboard.press("Escape");
      await page.getByTestId("leave-dialog").waitFor({ state: "detached" });
      assert.match(await code(page, "only-a"), /edit 2/);
      assert.match(await title(page), /^a\.ts/);
    } finally {
      await s.close();
    }
  });

  test("autosave writes edits a moment later; turned off in Settings (kept app-wide) it leaves them to the user", async () => {
    const configDir = mkdtempSync(join(tmpdir(), "flowbook-config-"));
    const settingsFile = join(configDir, "settings.json");
    const s = await session({ "a.ts": A }, "a.ts", { runOnOpen: false }, settingsFile);
    const { page, dir } = s;
    try {
      await typeInto(page, "only-a", " // autosaved");
      await until(() => readFileSync(join(dir, "a.ts"), "utf8").includes("// autosaved"), "the autosave");
      await page.getByTestId("dirty-marker").waitFor({ state: "detached" });
      // Saved atomically (temp file, then rename): no temp file is left beside the notebook.
      assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith(".tmp")), []);

      await page.getByTestId("settings").click();
      await page.getByTestId("setting-autosave").uncheck();
      await until(() => {
        try {
          return JSON.parse(readFileSync(settingsFile, "utf8")).autosave === false;
        } catch {
          return false;
        }
      }, "the settings file");
      await shot(page, "settings");
      await page.keyboard.press("Escape");
      await typeInto(page, "only-a", " // not yet");
      // Three times the autosave delay: a save would have happened by now.
      await page.waitForTimeout(3000);
      assert.doesNotMatch(readFileSync(join(dir, "a.ts"), "utf8"), /not yet/);
      assert.equal(await page.getByTestId("dirty-marker").count(), 1);
    } finally {
      await s.close();
      rmSync(configDir, { recursive: true, force: true });
    }
  });

  test("undo stays in its notebook: Ctrl+Z in B never brings back A's code", async () => {
    const s = await session({ "a.ts": A, "b.ts": B }, "a.ts", { autosave: false, runOnOpen: false });
    const { page } = s;
    try {
      await typeInto(page, "shared", " // typed in A");
      await page.getByTestId("save").click();
      await page.getByTestId("dirty-marker").waitFor({ state: "detached" });
      await chooseOpen(page, "b.ts");
      await cell(page, "shared").filter({ hasText: "from B" }).waitFor();
      await cell(page, "shared").locator(".cm-content").click();
      for (let i = 0; i < 5; i++) await page.keyboard.press("ControlOrMeta+z");
      assert.equal(await code(page, "shared"), 'const b = "from B";');
      assert.equal(await page.getByTestId("dirty-marker").count(), 0);
      // B's own edits still undo.
      await typeInto(page, "shared", " // typed in B");
      await page.keyboard.press("ControlOrMeta+z");
      assert.equal(await code(page, "shared"), 'const b = "from B";');
      await shot(page, "undo-in-b");
    } finally {
      await s.close();
    }
  });

  test("a saved notebook opens with its last outputs: run on open replaces them, off they show as stale with one Run all", async () => {
    const s = await session({ "charts.ts": CHARTS, "other.ts": B }, "charts.ts", {});
    const { page, dir } = s;
    try {
      // The app's default runs the notebook on open.
      await cell(page, "chart").locator(".main-svg").first().waitFor({ timeout: WAIT_MS });
      const firstNote = await cell(page, "note").getByTestId("cell-output").innerText();
      assert.match(firstNote, /trained at \d+/);
      assert.equal(await page.getByTestId("last-session-banner").count(), 0);

      // Restarted with run on open off: last outputs at once, marked, stale, and one banner.
      await s.restartApp({ runOnOpen: false, autosave: false });
      await cell(page, "chart").locator(".main-svg").first().waitFor({ timeout: WAIT_MS });
      assert.equal(await cell(page, "note").getByTestId("cell-output").innerText().then((t) => t.includes(firstNote.trim())), true);
      await cell(page, "note").getByTestId("last-session").waitFor();
      assert.equal(await page.getByTestId("last-session-banner").count(), 1);
      assert.equal(await cell(page, "note").getAttribute("data-status"), "stale");
      await shot(page, "last-session-stale");

      // A reload keeps them; switching away and back shows them again.
      await page.reload();
      await cell(page, "note").getByTestId("last-session").waitFor();
      await chooseOpen(page, "other.ts");
      await cell(page, "shared").filter({ hasText: "from B" }).waitFor();
      await chooseOpen(page, "charts.ts");
      await cell(page, "note").getByTestId("last-session").waitFor();
      assert.match(await cell(page, "note").getByTestId("cell-output").innerText(), new RegExp(firstNote.trim().replace(/\s+/g, "\\s+")));

      // One click recomputes everything: the marks and the banner go.
      await page.getByTestId("run-all-recompute").click();
      await page.getByTestId("last-session-banner").waitFor({ state: "detached" });
      await cell(page, "note").getByTestId("last-session").waitFor({ state: "detached" });
      const recomputed = await cell(page, "note").getByTestId("cell-output").innerText();
      assert.notEqual(recomputed.trim(), firstNote.trim());
      assert.equal(await page.locator('[data-testid="last-session"]').count(), 0);

      // A restart of the kernel keeps what is on screen (stale, not blank).
      await page.getByTestId("restart-kernel").click();
      await page.waitForSelector('[data-testid="kernel-state"][data-state="idle"]', { timeout: WAIT_MS });
      assert.equal(await cell(page, "note").getByTestId("cell-output").innerText(), recomputed);
      await shot(page, "recomputed");
      assert.equal(readFileSync(join(dir, "charts.ts"), "utf8"), CHARTS, "outputs never go into the notebook");
    } finally {
      await s.close();
    }
  });
});
