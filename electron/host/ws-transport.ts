/**
 * The browser-mode transport: a WebSocket at `/ws` on the host's HTTP server. A socket is accepted
 * only with the launch token and an Origin of the server itself, so neither another local user's
 * process nor a web page in the user's browser (CSRF, DNS rebinding) can drive the kernel.
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { HostEvent } from "../protocol.ts";
import type { Connection, Host } from "./host.ts";

/** Largest inbound message; a notebook's cells fit easily, a runaway client does not. */
const MAX_PAYLOAD = 64 * 1024 * 1024;

/** Whether `given` equals the launch token, in constant time. */
export function tokenMatches(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Where the page asks whether its token is still this server's (`GET /flowbook/session?token=…`):
 * 204 when it is, 403 with `{ "error": "ended" }` when it is missing or wrong (the host restarted
 * with a new token, or the page was opened without one). A WebSocket refused with a 403 tells the
 * page nothing, so without this it would retry forever.
 */
export const SESSION_CHECK_PATH = "/flowbook/session";

/** Why an upgrade request is refused, or null when it may open a socket. */
export function refuseUpgrade(req: IncomingMessage, token: string, origins: readonly string[]): string | null {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  if (url.pathname !== "/ws") return "not found";
  if (!tokenMatches(url.searchParams.get("token"), token)) return "missing or wrong token";
  if (!origins.includes(req.headers.origin ?? "")) return `origin '${req.headers.origin ?? ""}' is not allowed`;
  return null;
}

/** Serves `/ws` on `server` for `host`; `origins` are the server's own for a request (`http://127.0.0.1:PORT`, …). */
export function attachWebSocket(server: Server, opts: { host: Pick<Host, "connect">; token: string; origins: (req: IncomingMessage) => readonly string[] }): { close(): void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const why = refuseUpgrade(req, opts.token, opts.origins(req));
    if (why) {
      const status = why === "not found" ? "404 Not Found" : "403 Forbidden";
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${why}\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => connect(ws, opts.host));
  };
  server.on("upgrade", onUpgrade);
  return {
    close() {
      server.off("upgrade", onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

function connect(ws: WebSocket, host: Pick<Host, "connect">): void {
  const listeners = new Set<(raw: unknown) => void>();
  const connection: Connection = {
    send(event: HostEvent) {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event));
    },
    onCommand(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  ws.on("message", (data, isBinary) => {
    let raw: unknown;
    try {
      raw = JSON.parse(isBinary ? "" : String(data));
    } catch {
      raw = undefined; // validation answers it as malformed, like any other bad input
    }
    for (const l of listeners) l(raw);
  });
  // Socket errors (a reset, an oversized frame) end in 'close'; nothing to do until then.
  ws.on("error", () => undefined);
  const disconnect = host.connect(connection);
  ws.on("close", disconnect);
}
