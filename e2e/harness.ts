/**
 * Starts Flowbook for end-to-end tests: the real host, store, kernel and HTTP/WebSocket server, in
 * this process, on a temp directory and a free port; and a Chromium driven by playwright-core.
 * Tests open `app.url` (it carries the per-launch token) exactly as a user would.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { createHost, type Host } from "../electron/host/host.ts";
import type { AppSettings } from "../electron/protocol.ts";
import { startHttpServer } from "../electron/host/http-server.ts";

/** A running app: open `url` in a browser; `close` stops the server, kernel and store. */
export interface App {
  url: string;
  host: Host;
  close(): Promise<void>;
}

/** Where Debian installs Chromium; the only browser the e2e tests use. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/**
 * Starts the app in browser mode on `dir` (a fresh temp dir when absent, removed on close) with
 * `notebook` open when given, and the notebook parameters `params` (`flowbook edit -P`). The tracking
 * store is `dir/flowbook.db`, or the one `trackingUri` names. Tests get a notebook that neither runs on
 * open nor autosaves, so what they do is all that happens, unless `settings` (the app's defaults when
 * `{}`) say otherwise; settings persist in `settingsFile` when given.
 */
export async function startApp(
  opts: {
    notebook?: string;
    dir?: string;
    trackingUri?: string;
    settings?: Partial<AppSettings>;
    settingsFile?: string;
    params?: Record<string, string>;
  } = {},
): Promise<App> {
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "flowbook-app-"));
  const settings = opts.settings ?? { autosave: false, runOnOpen: false };
  const host = await createHost({
    notebookDir: dir,
    notebookPath: opts.notebook,
    trackingUri: opts.trackingUri,
    settings,
    ...(opts.settingsFile ? { settingsFile: opts.settingsFile } : {}),
    ...(opts.params ? { params: opts.params } : {}),
  });
  try {
    const server = await startHttpServer({ host, port: 0 });
    return {
      url: server.url,
      host,
      async close() {
        await server.close();
        await host.close();
        if (ownDir) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await host.close();
    throw err;
  }
}

/**
 * Launches headless Chromium, installing it with apt-get first when running as root without it.
 * `args` adds switches (e.g. `--enable-precise-memory-info` for heap readings).
 */
export async function launchBrowser(opts: { args?: string[] } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) installChromium();
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", ...(opts.args ?? [])],
  });
}

function installChromium(): void {
  const command = "apt-get install -y chromium";
  const root = process.getuid?.() === 0;
  const apt = existsSync("/usr/bin/apt-get");
  if (!root || !apt) {
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH}; install it with: ${root ? "" : "sudo "}${command}`);
  }
  execFileSync("apt-get", ["install", "-y", "chromium"], { stdio: "inherit" });
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`'${command}' ran but ${CHROMIUM_PATH} is still missing`);
}

/** A notebook open in Chromium, as a user has it; `close` stops the browser and the app and removes `dir`. */
export interface NotebookSession {
  app: App;
  browser: Browser;
  page: Page;
  /** The temp folder holding the notebook and its store. */
  dir: string;
  notebookPath: string;
  close(): Promise<void>;
}

/**
 * Writes `text` as `fileName` in a fresh temp folder, starts the app on it and opens it in Chromium,
 * waiting until the kernel is idle. `onPage` runs before the page loads (e.g. to answer dialogs).
 */
export async function openNotebookInBrowser(
  text: string,
  opts: { fileName?: string; viewport?: { width: number; height: number }; onPage?: (page: Page) => void; timeoutMs?: number; params?: Record<string, string> } = {},
): Promise<NotebookSession> {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-e2e-"));
  const notebookPath = join(dir, opts.fileName ?? "notebook.ts");
  writeFileSync(notebookPath, text);
  const app = await startApp({ dir, notebook: notebookPath, ...(opts.params ? { params: opts.params } : {}) });
  const browser = await launchBrowser();
  const close = async () => {
    await browser.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const page = await browser.newPage({ viewport: opts.viewport ?? { width: 1280, height: 900 } });
    opts.onPage?.(page);
    await page.goto(app.url);
    await page.waitForSelector('[data-testid="kernel-state"][data-state="idle"]', { timeout: opts.timeoutMs ?? 30_000 });
    return { app, browser, page, dir, notebookPath, close };
  } catch (err) {
    await close();
    throw err;
  }
}
