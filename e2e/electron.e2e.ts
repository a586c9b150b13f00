/**
 * The desktop app end to end through Playwright's Electron driver: the window loads the renderer,
 * the preload bridge is the page's only privilege, and the host answers over IPC. Runs only where
 * the `electron` optional dependency's binary is installed; elsewhere it is reported as skipped.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { _electron } from "playwright-core";
import { electronBinary } from "../electron/cli/electron-binary.ts";
import { bundleElectron, ELECTRON_MAIN } from "../electron/cli/electron-bundle.ts";

const binary = electronBinary();
const skip = binary ? false : "electron binary not installed (optionalDependency could not download here)";

test("the desktop window opens a notebook over IPC with a sandboxed, isolated page", { skip }, async () => {
  await bundleElectron();
  const dir = mkdtempSync(join(tmpdir(), "flowbook-electron-"));
  const nb = join(dir, "nb.ts");
  writeFileSync(nb, "// %% [cell id=one]\nconst one = 1;\none;\n");
  // A fresh profile per launch (userData lives under HOME/XDG_CONFIG_HOME), so window state and
  // permissions from other runs do not leak in.
  const app = await _electron.launch({
    executablePath: binary!,
    args: [ELECTRON_MAIN, `--flowbook-dir=${dir}`, `--flowbook-notebook=${nb}`],
    env: { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, "config") },
  });
  try {
    const page = await app.firstWindow();
    await page.waitForSelector('[data-testid="cell"][data-cell-id="one"]', { timeout: 30_000 });
    const exposed = await page.evaluate(() => {
      const w = globalThis as unknown as Record<string, unknown>;
      return { flowbook: typeof w.flowbook, require: typeof w.require, process: typeof w.process };
    });
    assert.deepEqual(exposed, { flowbook: "object", require: "undefined", process: "undefined" });
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const wc = BrowserWindow.getAllWindows()[0].webContents as unknown as { getLastWebPreferences(): Record<string, unknown> };
      const p = wc.getLastWebPreferences();
      return { contextIsolation: p.contextIsolation, sandbox: p.sandbox, nodeIntegration: p.nodeIntegration };
    });
    assert.deepEqual(prefs, { contextIsolation: true, sandbox: true, nodeIntegration: false });
    const popup = await page.evaluate(() => (globalThis as unknown as { open(u: string): unknown }).open("https://example.com") === null);
    assert.equal(popup, true);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
