import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAppHost } from "./app-host.ts";
import { startHttpServer } from "./http-server.ts";
import { statusOf, upgradeHeaders } from "./test-http.ts";

/** The status of `path` on 127.0.0.1:`port` asked with a Host header naming the server `hostName` (as a page on the network does). */
const at = (port: number, path: string, hostName: string, headers: Record<string, string> = {}) =>
  statusOf(`http://127.0.0.1:${port}${path}`, { Host: `${hostName}:${port}`, ...headers });

test("a server shared on the network answers any host name and its pages' sockets (with the token); a local one only its own; rest: false serves no REST API", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-bind-"));
  writeFileSync(join(dir, "nb.ts"), "// %% [cell id=a]\n1;\n");
  const rendererDir = join(dir, "renderer");
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, "index.html"), "<!doctype html><title>t</title>");
  const host = await createAppHost({ notebookPath: join(dir, "nb.ts"), log: () => undefined });
  const shared = await startHttpServer({ host, port: 0, bind: "0.0.0.0", rest: false, rendererDir });
  const local = await startHttpServer({ host, port: 0, rendererDir });
  try {
    assert.equal(shared.origin, `http://127.0.0.1:${shared.port}`);
    assert.equal(await at(shared.port, "/", "laptop.lan"), 200);
    assert.equal(await at(shared.port, `/ws?token=${shared.token}`, "laptop.lan", upgradeHeaders(`http://laptop.lan:${shared.port}`)), 101);
    assert.equal(await at(shared.port, `/ws?token=${shared.token}`, "laptop.lan", upgradeHeaders("http://evil.example")), 403, "another site's page");
    assert.equal(await at(shared.port, "/ws?token=wrong", "laptop.lan", upgradeHeaders(`http://laptop.lan:${shared.port}`)), 403, "no token");
    assert.equal(await at(shared.port, "/api/2.0/mlflow/experiments/get?experiment_id=0", "laptop.lan"), 404);
    assert.equal(await at(local.port, "/", "laptop.lan"), 403, "DNS rebinding against a local server");
    assert.equal(await at(local.port, "/api/2.0/mlflow/experiments/get?experiment_id=0", "127.0.0.1"), 200);
  } finally {
    await shared.close();
    await local.close();
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
