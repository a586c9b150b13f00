/**
 * Browser mode end to end: the page loads with its CSP, the WebSocket opens only with the launch
 * token and the server's own Origin, and the host greets it with `host-status`. The REST API is
 * mounted on the same origin for Python `mlflow` clients.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, startApp, type App } from "./harness.ts";
import { createHost } from "../electron/host/host.ts";
import { startHttpServer } from "../electron/host/http-server.ts";
import { upgradeStatus } from "../electron/host/test-http.ts";

const NOTEBOOK = "// %% [cell id=one]\nconst one = 1;\n";
const WAIT_MS = 20_000;
/** What a page the host no longer accepts says. */
const ENDED = "This session has ended, or the link lacks its token";

describe("browser mode host", () => {
  let app: App;
  let browser: Browser;
  let page: Page;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "flowbook-host-e2e-"));
    writeFileSync(join(dir, "nb.ts"), NOTEBOOK);
    app = await startApp({ notebook: join(dir, "nb.ts"), dir });
    browser = await launchBrowser();
    page = await browser.newPage();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("serves the page with the CSP and a tokened URL", async () => {
    const url = new URL(app.url);
    assert.equal(url.hostname, "127.0.0.1");
    assert.ok((url.searchParams.get("token") ?? "").length >= 32);
    const res = await page.goto(app.url);
    assert.equal(res?.status(), 200);
    assert.match(res?.headers()["content-security-policy"] ?? "", /script-src 'self' 'wasm-unsafe-eval'/);
  });

  test("the page's WebSocket connects and receives host-status then the notebook", async () => {
    const wsUrl = app.url.replace(/^http:\/\/([^/]+)\//, "ws://$1/ws");
    const events = await page.evaluate(
      (wsUrl) =>
        new Promise<{ type: string; path?: string; trackingUri?: string; restUrl?: string }[]>((resolve, reject) => {
          const ws = new WebSocket(wsUrl);
          const seen: { type: string }[] = [];
          ws.onmessage = (m) => {
            seen.push(JSON.parse(String(m.data)));
            if (seen.length === 2) {
              ws.close();
              resolve(seen);
            }
          };
          ws.onerror = () => reject(new Error("socket failed"));
        }),
      wsUrl,
    );
    assert.equal(events[0].type, "host-status");
    assert.match(events[0].trackingUri ?? "", /^sqlite:\/\/\/.*flowbook\.db$/);
    assert.equal(events[0].restUrl, new URL(app.url).origin);
    assert.equal(events[1].type, "notebook-opened");
    assert.equal(events[1].path, join(dir, "nb.ts"));
  });

  test("a socket without the token, with a wrong token or from another origin is refused", async () => {
    const { origin, host } = new URL(app.url);
    const token = new URL(app.url).searchParams.get("token")!;
    assert.equal(await upgradeStatus(`http://${host}/ws`, origin), 403);
    assert.equal(await upgradeStatus(`http://${host}/ws?token=wrong`, origin), 403);
    assert.equal(await upgradeStatus(`http://${host}/ws?token=${token}`, "http://evil.example"), 403);
    assert.equal(await upgradeStatus(`http://${host}/ws?token=${token}`, origin), 101);
  });

  test("answers a bad command with an error reply and keeps serving", async () => {
    const wsUrl = app.url.replace(/^http:\/\/([^/]+)\//, "ws://$1/ws");
    const reply = await page.evaluate(
      (wsUrl) =>
        new Promise<{ requestId: string; error?: { message: string } }>((resolve, reject) => {
          const ws = new WebSocket(wsUrl);
          ws.onopen = () => {
            ws.send("not json");
            ws.send(JSON.stringify({ type: "tracking-call", requestId: "r1", method: "close", args: [] }));
          };
          ws.onmessage = (m) => {
            const e = JSON.parse(String(m.data));
            if (e.type !== "reply") return;
            ws.close();
            resolve(e);
          };
          ws.onerror = () => reject(new Error("socket failed"));
        }),
      wsUrl,
    );
    assert.equal(reply.requestId, "r1");
    assert.match(reply.error?.message ?? "", /unknown tracking method 'close'/);
    const res = await fetch(new URL("/api/2.0/mlflow/experiments/search?max_results=10", app.url));
    assert.equal(res.status, 200);
  });

  test("a URL without the token, or with a wrong one, says the session ended instead of reconnecting forever", async () => {
    const { origin } = new URL(app.url);
    for (const url of [`${origin}/`, `${origin}/?token=stale`]) {
      const other = await browser.newPage();
      try {
        await other.goto(url);
        await other.getByTestId("notice").filter({ hasText: ENDED }).waitFor({ timeout: WAIT_MS });
      } finally {
        await other.close();
      }
    }
    assert.equal((await fetch(`${origin}/flowbook/session`)).status, 403);
    assert.equal((await fetch(`${origin}/flowbook/session?token=${new URL(app.url).searchParams.get("token")}`)).status, 204);
  });

  test("a page left open across a host restart (a new token) says the session ended", async () => {
    const restartDir = mkdtempSync(join(tmpdir(), "flowbook-host-restart-e2e-"));
    writeFileSync(join(restartDir, "nb.ts"), NOTEBOOK);
    const first = await startApp({ notebook: join(restartDir, "nb.ts"), dir: restartDir });
    const other = await browser.newPage();
    let second: { close(): Promise<void> } | undefined;
    try {
      await other.goto(first.url);
      await other.waitForSelector('[data-testid="connection"][data-connected="yes"]', { timeout: WAIT_MS });
      const port = Number(new URL(first.url).port);
      await first.close();
      // The same port, as `flowbook edit --port N` run again would take, with a new token.
      const host = await createHost({ notebookDir: restartDir, notebookPath: join(restartDir, "nb.ts") });
      const server = await startHttpServer({ host, port });
      second = { close: async () => (await server.close(), await host.close()) };
      await other.getByTestId("notice").filter({ hasText: ENDED }).waitFor({ timeout: WAIT_MS });
      assert.equal(await other.locator('[data-testid="connection"][data-connected="yes"]').count(), 0);
    } finally {
      await other.close();
      await second?.close();
      rmSync(restartDir, { recursive: true, force: true });
    }
  });

  test("serves a favicon the page links to", async () => {
    await page.goto(app.url);
    const href = await page.locator('link[rel="icon"]').getAttribute("href");
    assert.ok(href);
    const res = await fetch(new URL(href, app.url));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "image/svg+xml");
    assert.match(await res.text(), /^<svg /);
  });
});
