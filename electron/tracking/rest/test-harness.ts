/**
 * @internal Test support: a tracking server on port 0 over a real store (SQLite in a temp folder,
 * or the contract suite's backend), and a raw HTTP helper (node:http, so tests can forge Host and
 * Origin headers).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { SqliteStore } from "../store/index.ts";
import type { TrackingStore } from "../types.ts";
import { createTrackingServer } from "./http-server.ts";
import { toQuery } from "../client/http-store.ts";

/** A raw response: status, headers, text and parsed JSON (when it is JSON). */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

/** @internal Sends one request with full control of headers and body. */
export function rawRequest(
  url: string,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((ok, fail) => {
    // Options, not a URL string: Node's URL parsing would fold `%2e%2e` segments before they are sent.
    // Content-Length always: Node sends DELETE bodies without chunked framing otherwise.
    const { hostname, port } = new URL(url);
    const headers = { ...(opts.body !== undefined ? { "Content-Length": String(Buffer.byteLength(opts.body)) } : {}), ...opts.headers };
    const req = request({ hostname, port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        ok({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on("error", fail);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** @internal A running test server. */
export interface TestServer {
  url: string;
  dir: string;
  store: TrackingStore;
  /** Exceptions the server logged (a passing test expects none). */
  errors: unknown[];
  /** Calls `/api/2.0/mlflow/<path>`: GET sends `args` as a query, other methods as a JSON body. */
  call(method: string, path: string, args?: Record<string, unknown>): Promise<RawResponse>;
  close(): Promise<void>;
}

/**
 * @internal Starts a server; `serveArtifacts: false` gives runs `file://` artifact roots instead.
 * `open` opens the store under a default artifact root (a backend of `forEachBackend`); without it
 * the store is SQLite in the server's temp folder.
 */
export async function startTestServer(
  opts: { serveArtifacts?: boolean; open?: (defaultArtifactRoot: string) => Promise<TrackingStore> } = {},
): Promise<TestServer> {
  const serveArtifacts = opts.serveArtifacts ?? true;
  const dir = mkdtempSync(join(tmpdir(), "flowbook-rest-"));
  const root = serveArtifacts ? "mlflow-artifacts:/" : pathToFileURL(join(dir, "artifacts")).href;
  const store = await (opts.open ?? ((defaultArtifactRoot) => SqliteStore.open({ path: join(dir, "mlflow.db"), defaultArtifactRoot })))(root);
  const errors: unknown[] = [];
  const { server } = createTrackingServer({
    store,
    artifactsDestination: join(dir, "mlartifacts"),
    serveArtifacts,
    log: (_m, e) => errors.push(e),
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    dir,
    store,
    errors,
    call(method, path, args = {}) {
      if (method === "GET") return rawRequest(url, method, `/api/2.0/mlflow/${path}${toQuery(args)}`);
      return rawRequest(url, method, `/api/2.0/mlflow/${path}`, {
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(args),
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise((ok) => server.close(ok));
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
