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
import { request } from "node:http";
import { launchBrowser, startApp, type App } from "./harness.ts";

const NOTEBOOK = "// %% [cell id=one]\nconst one = 1;\n";

/** Sends a WebSocket upgrade request from Node; resolves with the HTTP status (101 = accepted). */
function upgradeStatus(url: string, origin: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        Origin: origin,
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
    });
    req.once("upgrade", (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.once("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once("error", reject);
    req.end();
  });
}

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
});
