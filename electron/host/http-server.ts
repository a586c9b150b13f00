/**
 * Browser mode's one HTTP server, on 127.0.0.1 (or the address `flowbook app --host` names): the built renderer (static files with a strict CSP),
 * the MLflow REST API (so Python `mlflow` can use the app's URL as its tracking URI), the artifact
 * proxy for remote tracking servers the Tracking tab shows (`/view-source/<id>/…`), the open
 * notebook's session files (`/flowbook/…`, session-routes.ts), the token check a page makes when
 * its socket is refused (`/flowbook/session`), the favicon, and the token-guarded WebSocket at `/ws`. The URL to open carries the per-launch token. The desktop app loads its page from here too.
 */
import { randomBytes } from "node:crypto";
import { existsSync, promises as fs, readdirSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { createTrackingServer } from "../tracking/rest/index.ts";
import type { Host } from "./host.ts";

/** What the server needs of a host: the editor's (`createHost`) or an app view's (`createAppHost`). */
export type ServedHost = Pick<Host, "store" | "artifactsDestination" | "views" | "connect" | "setRestUrl" | "sessionFile" | "notebookPath">;
import { SESSION_PREFIX, serveSessionFile } from "./session-routes.ts";
import { VIEW_PROXY_PREFIX } from "./view-source.ts";
import { attachWebSocket, SESSION_CHECK_PATH, tokenMatches } from "./ws-transport.ts";

/** The Content-Security-Policy of every page the server sends. */
export const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data: blob:; connect-src 'self' ws://127.0.0.1:*";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
/** Where `vite build` puts the renderer. */
export const RENDERER_DIR = join(ROOT, "dist", "renderer");

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".txt": "text/plain; charset=utf-8",
};

/** Options of {@link startHttpServer}. */
export interface HttpServerOptions {
  host: ServedHost;
  /** 0 picks a free port. */
  port?: number;
  /**
   * The address to listen on (default 127.0.0.1). Another one (`flowbook app --host 0.0.0.0`) also
   * accepts requests naming the server by any host name, and pages of that origin; the token still guards the socket.
   */
  bind?: string;
  /** Serve the MLflow REST API (default true); an app view shared on a network does not. */
  rest?: boolean;
  /** The built renderer (default: dist/renderer, built on demand). */
  rendererDir?: string;
}

/** A listening server; `url` is what the user opens (it carries the token). */
export interface RunningServer {
  url: string;
  origin: string;
  port: number;
  token: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * Returns the built renderer folder, building it with Vite first when it is missing. Throws with
 * the command to run when the build is impossible (Vite or the config absent).
 */
export async function ensureRenderer(dir = RENDERER_DIR): Promise<string> {
  const configFile = join(ROOT, "renderer", "vite.config.ts");
  const built = existsSync(join(dir, "index.html"));
  // A packaged app ships the build without sources; a checkout rebuilds when a source is newer.
  if (built && (dir !== RENDERER_DIR || !existsSync(configFile) || !sourcesNewerThan(statSync(join(dir, "index.html")).mtimeMs))) {
    return dir;
  }
  if (dir !== RENDERER_DIR || !existsSync(configFile)) {
    throw new Error(`the renderer is not built (${dir}/index.html is missing); run: npx vite build --config renderer/vite.config.ts`);
  }
  process.stderr.write(`flowbook: building the renderer (${built ? "sources changed" : "first run"})…\n`);
  try {
    const vite = await import("vite");
    await vite.build({ configFile, logLevel: "warn" });
  } catch (err) {
    throw new Error(`building the renderer failed: ${(err as Error).message}; run: npx vite build --config renderer/vite.config.ts`);
  }
  if (!existsSync(join(dir, "index.html"))) throw new Error(`the renderer build did not produce ${dir}/index.html`);
  return dir;
}

/** True when a renderer source (or the protocol it imports types from) changed after `builtAt`. */
function sourcesNewerThan(builtAt: number): boolean {
  const newer = (path: string): boolean => {
    const info = statSync(path);
    if (!info.isDirectory()) return info.mtimeMs > builtAt;
    return readdirSync(path).some((name) => name !== "node_modules" && newer(join(path, name)));
  };
  return newer(join(ROOT, "renderer")) || newer(join(ROOT, "electron", "protocol.ts"));
}

/** Starts the server (on 127.0.0.1 unless told); `port` in use fails with EADDRINUSE (the caller may retry with 0). */
export async function startHttpServer(opts: HttpServerOptions): Promise<RunningServer> {
  const rendererDir = await ensureRenderer(opts.rendererDir);
  const token = randomBytes(24).toString("base64url");
  let port = 0;
  const bind = opts.bind ?? "127.0.0.1";
  const shared = !LOOPBACK.has(bind);
  // Shared on a network, the server is named by whatever address people use, and its pages come from there.
  const isOwn = (req: IncomingMessage) => shared || ownHost(req, port);
  const origins = (req: IncomingMessage) => [
    `http://127.0.0.1:${port}`,
    `http://localhost:${port}`,
    ...(shared && req.headers.host ? [`http://${req.headers.host}`] : []),
  ];
  const rest =
    opts.rest === false
      ? undefined
      : createTrackingServer({ store: opts.host.store, artifactsDestination: opts.host.artifactsDestination, serveArtifacts: true });
  const server = createServer((req, res) => {
    if (req.url?.startsWith(VIEW_PROXY_PREFIX)) {
      // Artifacts of a remote tracking server the Tracking tab shows, fetched by the host for the page.
      if (!isOwn(req)) return send(res, 403, "forbidden host");
      return opts.host.views.proxy(req, res);
    }
    if (req.url === SESSION_CHECK_PATH || req.url?.startsWith(`${SESSION_CHECK_PATH}?`)) {
      // The page asks whether its token is still valid, so a stale or token-less URL can say so.
      if (!isOwn(req)) return send(res, 403, "forbidden host");
      const given = new URL(req.url, "http://127.0.0.1").searchParams.get("token");
      if (tokenMatches(given, token)) {
        res.writeHead(204, { "Cache-Control": "no-store" });
        return void res.end();
      }
      res.writeHead(403, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" });
      return void res.end(JSON.stringify({ error: "ended", message: "this session has ended, or the link lacks its token" }));
    }
    if (req.url?.startsWith(SESSION_PREFIX)) {
      // A cell's full console log or a saved too-large output of the open notebook.
      if (!isOwn(req)) return send(res, 403, "forbidden host");
      return void serveSessionFile(req, res, opts.host).catch(() => send(res, 500, "internal error"));
    }
    if (rest?.handle(req, res)) return;
    if (!isOwn(req)) return send(res, 403, "forbidden host");
    serveStatic(req, res, rendererDir).catch(() => send(res, 500, "internal error"));
  });
  const ws = attachWebSocket(server, { host: opts.host, token, origins });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(opts.port ?? 0, bind, () => {
      server.off("error", fail);
      ok();
    });
  });
  port = (server.address() as { port: number }).port;
  // A wildcard address is reached as 127.0.0.1 from here; a named one by its name.
  const name = !shared || bind === "0.0.0.0" || bind === "::" ? "127.0.0.1" : bind.includes(":") ? `[${bind}]` : bind;
  const origin = `http://${name}:${port}`;
  opts.host.setRestUrl(origin);
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    server,
    close: () =>
      new Promise<void>((done) => {
        ws.close();
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" });
  res.end(`${text}\n`);
}

/** Addresses only this machine reaches. */
const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

/** Whether the Host header names this server, refusing DNS-rebinding requests from other sites. */
function ownHost(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host ?? "";
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

async function serveStatic(req: IncomingMessage, res: ServerResponse, dir: string): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "method not allowed");
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? "/", "http://127.0.0.1").pathname);
  } catch {
    return send(res, 400, "bad path");
  }
  if (pathname.includes("\0")) return send(res, 400, "bad path");
  const rel = normalize(pathname === "/" ? "/index.html" : pathname);
  const file = join(dir, rel);
  if (!file.startsWith(dir + sep)) return send(res, 404, "not found");
  let body: Buffer;
  try {
    body = await fs.readFile(file);
  } catch {
    return send(res, 404, "not found");
  }
  const isHtml = extname(file) === ".html";
  res.writeHead(200, {
    "Content-Type": MIME[extname(file)] ?? "application/octet-stream",
    "Content-Length": body.length,
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    // The page URL carries the token: never send it to another site.
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    // Hashed asset names can be cached forever; the page itself must always be fresh.
    "Cache-Control": isHtml ? "no-store" : "public, max-age=31536000, immutable",
  });
  res.end(req.method === "HEAD" ? undefined : body);
}
