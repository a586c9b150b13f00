/**
 * @internal Test fixture: raw HTTP requests to a host's server as a browser or another site would
 * send them (a Host header naming it, a WebSocket upgrade with an Origin), answered by their status.
 */
import { request } from "node:http";

/** @internal The headers of a WebSocket upgrade from a page of `origin`. */
export function upgradeHeaders(origin: string): Record<string, string> {
  return {
    Connection: "Upgrade",
    Upgrade: "websocket",
    Origin: origin,
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
  };
}

/** @internal Sends a GET (or an upgrade, given its headers) to `url`; resolves with the HTTP status (101 = upgraded). */
export function statusOf(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers });
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

/** @internal Sends a WebSocket upgrade request from a page of `origin`; resolves with the HTTP status (101 = accepted). */
export function upgradeStatus(url: string, origin: string): Promise<number> {
  return statusOf(url, upgradeHeaders(origin));
}
