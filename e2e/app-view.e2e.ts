/**
 * `flowbook app` end to end, in Chromium on a real app host, kernels and HTTP server: the page shows
 * outputs and widgets without code or editing controls, a widget re-runs its reader, each page has
 * its own kernel, and edit, save and run commands sent over the WebSocket are refused.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { createAppHost, type AppHost } from "../electron/host/app-host.ts";
import { startHttpServer, type RunningServer } from "../electron/host/http-server.ts";
import { launchBrowser } from "./harness.ts";

const WAIT_MS = 30_000;
const ARTIFACTS = fileURLToPath(new URL("./artifacts/", import.meta.url));
const NOTEBOOK = `// %% [cell id=imp]
import { md, ui } from "flowbook";

// %% [cell id=intro]
md("# Squares\\nMove the slider.");

// %% [cell id=pick]
const n = ui.slider({ label: "n", name: "n", min: 1, max: 10, value: 2 });
n;

// %% [cell id=show]
// Code a page must never see: SECRET_CODE_MARKER
md(\`**squared:** \${n.value * n.value}\`);
`;

const appCell = (page: Page, id: string) => page.locator(`[data-testid="app-cell"][data-cell-id="${id}"]`);

/** Sends raw commands over a fresh WebSocket from the page (its own session) and collects the replies by request id. */
async function overSocket(page: Page, url: string, commands: object[], replies: number): Promise<Record<string, { error?: { message: string; code?: string }; result?: unknown }>> {
  const wsUrl = url.replace(/^http:\/\/([^/]+)\//, "ws://$1/ws");
  return page.evaluate(
    ({ wsUrl, commands, replies }) =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(wsUrl);
        const got: Record<string, unknown> = {};
        ws.onopen = () => commands.forEach((c) => ws.send(JSON.stringify(c)));
        ws.onmessage = (m) => {
          const e = JSON.parse(String(m.data)) as { type: string; requestId?: string };
          if (e.type !== "reply" || !e.requestId) return;
          got[e.requestId] = e;
          if (Object.keys(got).length === replies) {
            ws.close();
            resolve(got as never);
          }
        };
        ws.onerror = () => reject(new Error("socket failed"));
      }),
    { wsUrl, commands, replies },
  );
}

describe("app view", () => {
  let dir: string;
  let nb: string;
  let host: AppHost;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), "flowbook-app-e2e-"));
    nb = join(dir, "squares.ts");
    writeFileSync(nb, NOTEBOOK);
    host = await createAppHost({ notebookPath: nb, params: { n: "3" }, maxSessions: 2 });
    server = await startHttpServer({ host, port: 0, rest: false });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    await page.goto(server.url);
    await page.getByTestId("app-view").waitFor({ timeout: WAIT_MS });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("shows outputs and widgets without code or editing controls; the widget re-runs its reader", async () => {
    await appCell(page, "show").filter({ hasText: "squared: 9" }).waitFor({ timeout: WAIT_MS });
    await appCell(page, "intro").getByRole("heading", { name: "Squares" }).waitFor();
    assert.equal(await page.locator('[data-testid="cell"], .cm-editor, [data-testid="toolbar"], [data-testid="add-cell"]').count(), 0);
    const text = await page.locator("body").innerText();
    assert.doesNotMatch(text, /SECRET_CODE_MARKER|ui\.slider|import \{/);
    assert.equal(await page.getByTestId("app-title").innerText(), "squares");
    const slider = appCell(page, "pick").locator('[data-testid="widget"] input[type="range"]');
    assert.equal(await slider.inputValue(), "3", "the -P parameter sets the slider's start");
    await slider.fill("7");
    await appCell(page, "show").filter({ hasText: "squared: 49" }).waitFor({ timeout: WAIT_MS });
    await page.screenshot({ path: join(ARTIFACTS, "app-view.png") });
  });

  test("another page gets its own kernel, its widget where the notebook starts it; one more than the bound is told to wait; a page that goes closes its kernel", async () => {
    const other = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    const third = await browser.newPage({ viewport: { width: 1100, height: 400 } });
    try {
      await other.goto(server.url);
      await appCell(other, "show").filter({ hasText: "squared: 9" }).waitFor({ timeout: WAIT_MS });
      assert.equal(await appCell(page, "show").innerText().then((t) => t.includes("squared: 49")), true);
      assert.equal(host.sessions(), 2);
      await third.goto(server.url);
      await third.getByTestId("notice").filter({ hasText: "serves 2 sessions at once, all in use" }).waitFor({ timeout: WAIT_MS });
      assert.equal(await third.getByTestId("app-view").count(), 1, "the app layout, not the editor");
      await third.screenshot({ path: join(ARTIFACTS, "app-view-full.png") });
    } finally {
      await third.close();
      await other.close();
    }
    // The server hears the closed page's socket go a moment later; its kernel is closed then.
    for (const end = Date.now() + WAIT_MS; host.sessions() > 1; ) {
      assert.ok(Date.now() < end, "the closed page's session was not closed");
      await new Promise((done) => setTimeout(done, 20));
    }
  });

  test("save, edit, open and run commands over the WebSocket are refused; tracking reads pass; no REST API", async () => {
    const replies = await overSocket(
      page,
      server.url,
      [
        { type: "save-notebook", requestId: "save", cells: [{ id: "imp", code: "// overwritten", config: {} }] },
        { type: "open-notebook", requestId: "open", path: nb },
        { type: "open-notebook-text", requestId: "text", path: join(dir, "x.ts"), text: "// %% [cell id=a]\n1" },
        { type: "restart-kernel", requestId: "restart" },
        { type: "tracking-call", requestId: "write", method: "createExperiment", args: ["from the app"] },
        { type: "tracking-call", requestId: "read", method: "searchExperiments", args: [{}] },
      ],
      6,
    );
    for (const id of ["save", "open", "text", "restart", "write"]) assert.equal(replies[id]?.error?.code, "PERMISSION_DENIED", id);
    assert.match(replies.save?.error?.message ?? "", /read-only/);
    assert.equal(replies.read?.error, undefined);
    assert.equal(readFileSync(nb, "utf8"), NOTEBOOK, "the notebook file is untouched");
    assert.equal((await host.store.searchExperiments({})).items.some((e) => e.name === "from the app"), false);
    const rest = await fetch(new URL("/api/2.0/mlflow/experiments/search?max_results=10", server.url));
    assert.equal(rest.status, 404);
  });
});
