/**
 * The MLflow-compatible HTTP front: one mountable request handler over the route tables, with
 * DNS-rebinding protection (loopback Host with our port, no foreign Origin), bounded JSON bodies,
 * bounded request lines and headers, and every failure turned into MLflow's `{error_code, message}`
 * JSON — never a crash, never a 5xx or a reset connection for bad input. Uses node:http only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { isAbsolute, resolve } from "node:path";
import { LocalArtifactRepo } from "../artifacts/index.ts";
import { MlflowError, type TrackingStore } from "../types.ts";
import { parseArgs, queryFields } from "./fields.ts";
import { MAX_JSON_BODY, readJsonBody } from "./json-body.ts";
import { errorBody, sendJson, toWireJson } from "./json.ts";
import type { ApiRoute, ArtifactSettings, Method, RawRoute, RouteContext } from "./route.ts";
import { artifactRawRoutes, artifactRoutes } from "./routes-artifacts.ts";
import { experimentRoutes } from "./routes-experiments.ts";
import { registryRoutes } from "./routes-registry.ts";
import { runRoutes } from "./routes-runs.ts";
import { uiRawRoutes, uiRoutes } from "./routes-ui.ts";

export { MAX_JSON_BODY } from "./json-body.ts";
/** Longest request target (path and query) answered; longer ones get 414 (MLflow's own clients stay far below). */
export const MAX_URL_LENGTH = 32 * 1024;
/** Largest request line plus headers Node's parser takes; past it the client gets a JSON 431 (414 when the line is the cause). */
export const MAX_HEADER_BYTES = 48 * 1024;
/**
 * Most headers one request may carry. Node keeps this many and drops the rest without a word (and
 * counts only names and values toward {@link MAX_HEADER_BYTES}), so reaching it is refused with 431.
 */
export const MAX_HEADERS_COUNT = 1000;
const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "::1"];
const API_PREFIXES = ["/api/2.0/mlflow/", "/ajax-api/2.0/mlflow/"];
const OWNED_PREFIXES = [...API_PREFIXES, "/api/2.0/mlflow-artifacts/", "/ajax-api/2.0/mlflow-artifacts/"];

/** Options of {@link createTrackingServer}. */
export interface TrackingServerOptions extends ArtifactSettings {
  store: TrackingStore;
  /** Host names (besides loopback ones) a request's Host header may carry; `"*"` accepts any (a server bound to all interfaces). */
  allowedHosts?: string[] | "*";
  /** Extra origins (`http://host:port`) allowed to call the API from a browser, e.g. the app's own UI. */
  allowedOrigins?: string[];
  /** Where unexpected exceptions are reported (default: console.error). */
  log?: (message: string, error: unknown) => void;
  /** Where `gateway-proxy` forwards (MLflow's MLFLOW_DEPLOYMENTS_TARGET); unset: an empty gateway. */
  deploymentsTarget?: string;
}

/** A mounted tracking API: `handle` answers and returns true for the requests it owns. */
export interface TrackingServer {
  handle: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** A standalone node:http server answering 404 ENDPOINT_NOT_FOUND for everything else. */
  server: Server;
}

function hostAndPort(value: string): { host: string; port: string } {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(value.trim());
  if (!m) return { host: "", port: "" };
  return { host: m[1].replace(/^\[|\]$/g, "").toLowerCase(), port: m[2] ?? "" };
}

/** Why a request is refused by the DNS-rebinding check, or null when it may proceed. */
function refusal(req: IncomingMessage, opts: TrackingServerOptions): string | null {
  const port = String(req.socket.localPort ?? "");
  const hosts = opts.allowedHosts === "*" ? "*" : [...LOOPBACK_HOSTS, ...(opts.allowedHosts ?? [])];
  const hostHeader = req.headers.host;
  if (!hostHeader) return "Missing Host header";
  const host = hostAndPort(hostHeader);
  const hostPort = host.port || "80";
  if (hosts !== "*" && (!hosts.includes(host.host) || hostPort !== port)) return `Invalid Host header '${hostHeader}'`;
  const origin = req.headers.origin;
  if (origin === undefined || opts.allowedOrigins?.includes(origin)) return null;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return `Invalid Origin header '${origin}'`;
  }
  const originPort = url.port || (url.protocol === "https:" ? "443" : "80");
  const sameHost = hosts === "*" ? url.hostname === host.host : hosts.includes(url.hostname.replace(/^\[|\]$/g, ""));
  if (!sameHost || originPort !== port) return `Cross-origin request from '${origin}' is not allowed`;
  return null;
}

async function runApi(route: ApiRoute, ctx: RouteContext): Promise<void> {
  const query = ctx.req.url?.includes("?") ? queryFields(ctx.url.searchParams) : {};
  let args: Record<string, unknown>;
  if (ctx.req.method === "GET") {
    args = parseArgs(route.fields, query, true);
  } else {
    // A body, when present, carries the parameters; some clients send DELETE parameters in the query.
    const { body, written } = await readJsonBody(ctx.req);
    ctx.body = body;
    const fromBody = Object.keys(body).length > 0 || Object.keys(query).length === 0;
    args = fromBody ? parseArgs(route.fields, body, false, written) : parseArgs(route.fields, query, true);
  }
  const result = await route.handle(args, ctx);
  sendJson(ctx.res, 200, toWireJson(result));
}

/** Creates the tracking API over a store. */
export function createTrackingServer(opts: TrackingServerOptions): TrackingServer {
  const apiRoutes = new Map<string, ApiRoute>();
  for (const route of [...experimentRoutes, ...runRoutes, ...registryRoutes, ...artifactRoutes, ...uiRoutes]) {
    for (const method of route.methods) apiRoutes.set(`${method} ${route.path}`, route);
  }
  // Each raw route also answers under /ajax-api/, and, as Flask merges slashes, with any run of
  // slashes between its segments; a prefix route's rest starts after exactly one slash.
  const rawRoutes = [...artifactRawRoutes, ...uiRawRoutes].flatMap((raw) =>
    [...new Set([raw.path, raw.path.replace(/^\/api\//, "/ajax-api/")])].map((path) => ({
      raw,
      pattern: new RegExp(`^${path.split("/").filter(Boolean).map((s) => `/+${s.replace(/[.]/g, "\\.")}`).join("")}${raw.prefix ? "(?:/(.*))?" : "/*"}$`, "s"),
    })),
  );
  const log = opts.log ?? ((message, error) => console.error(message, error));
  // A relative destination (`./mlartifacts`) is taken from the working directory, as `mlflow server` does.
  const destination = /^[a-z][\w+.-]*:/i.test(opts.artifactsDestination) || isAbsolute(opts.artifactsDestination)
    ? opts.artifactsDestination
    : resolve(opts.artifactsDestination);
  const artifacts: ArtifactSettings = { artifactsDestination: destination, serveArtifacts: opts.serveArtifacts };
  const repo = new LocalArtifactRepo({ artifactsDestination: destination });

  // The paths this handler owns: inside them an unmatched request is ENDPOINT_NOT_FOUND; outside
  // them it is left to whoever mounted the handler.
  function match(method: Method, pathname: string): { api?: ApiRoute; raw?: RawRoute; rest: string } | null | "unknown" {
    const merged = pathname.includes("//") ? pathname.replace(/\/{2,}/g, "/") : pathname;
    const prefix = API_PREFIXES.find((p) => merged.startsWith(p));
    const api = prefix ? apiRoutes.get(`${method} ${merged.slice(prefix.length).replace(/\/$/, "")}`) : undefined;
    if (api) return { api, rest: "" };
    let wrongMethod = false;
    for (const { raw, pattern } of rawRoutes) {
      const m = pattern.exec(pathname);
      if (!m) continue;
      if (!raw.methods.includes(method)) {
        wrongMethod = true;
        continue;
      }
      return { raw, rest: m[1] ?? "" };
    }
    return wrongMethod || OWNED_PREFIXES.some((p) => merged.startsWith(p)) ? "unknown" : null;
  }

  function handle(req: IncomingMessage, res: ServerResponse): boolean {
    // The raw path, not URL().pathname: the URL parser folds `..` and `%2e%2e` segments, and a
    // traversal must reach the artifact path check to be refused, not be quietly resolved.
    const raw = req.url ?? "/";
    const q = raw.indexOf("?");
    const pathname = q < 0 ? raw : raw.slice(0, q);
    const found = match((req.method ?? "GET") as Method, pathname);
    if (found === null) return false;
    const why = refusal(req, opts);
    if (why) {
      sendJson(res, 403, errorBody("PERMISSION_DENIED", why), true);
      req.resume();
      return true;
    }
    if (req.rawHeaders.length >= 2 * MAX_HEADERS_COUNT) {
      sendJson(res, 431, errorBody("INVALID_PARAMETER_VALUE", `Too many headers: at most ${MAX_HEADERS_COUNT - 1}.`), true);
      req.resume();
      return true;
    }
    if (raw.length > MAX_URL_LENGTH) {
      sendJson(res, 414, errorBody("INVALID_PARAMETER_VALUE", `Request URI too long: at most ${MAX_URL_LENGTH} bytes.`), true);
      req.resume();
      return true;
    }
    if (found === "unknown") {
      sendJson(res, 404, errorBody("ENDPOINT_NOT_FOUND", `No endpoint ${req.method} ${pathname}`));
      req.resume();
      return true;
    }
    let url: URL | undefined;
    const ctx: RouteContext = {
      store: opts.store,
      artifacts,
      repo,
      req,
      res,
      // Parsed on first use: a JSON write with no query never needs it.
      get url() {
        return (url ??= new URL(raw.startsWith("/") ? raw : `/${raw}`, "http://localhost"));
      },
      deploymentsTarget: opts.deploymentsTarget,
    };
    const work = found.api ? runApi(found.api, ctx) : found.raw!.handle(ctx, found.rest);
    work.catch((error: unknown) => {
      // The client went away (or sent a body its connection then cut short): nobody is left to
      // answer, and nothing went wrong on our side. A cut-short request was answered by clientError.
      if (req.destroyed && !(error instanceof MlflowError)) {
        res.destroy();
        return;
      }
      if (error instanceof MlflowError) {
        sendJson(res, error.httpStatus, errorBody(error.code, error.message), !req.readableEnded);
      } else {
        log(`flowbook tracking: ${req.method} ${pathname} failed`, error);
        sendJson(res, 500, errorBody("INTERNAL_ERROR", "Internal server error; see the server log."), !req.readableEnded);
      }
      // Let a client finish sending a body we refused, up to a bound, so it can read the answer.
      if (!req.readableEnded) {
        let drained = 0;
        req.on("data", (chunk: Buffer) => {
          drained += chunk.length;
          if (drained > 64 * MAX_JSON_BODY) req.destroy();
        });
        req.resume();
      }
    });
    return true;
  }

  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    if (!handle(req, res)) sendJson(res, 404, errorBody("ENDPOINT_NOT_FOUND", `No endpoint ${req.method} ${String(req.url).slice(0, 200)}`));
  });
  server.maxHeadersCount = MAX_HEADERS_COUNT;
  server.on("clientError", answerClientError);
  return { handle, server };
}

/**
 * What Node's HTTP parser refuses (a request line or headers past {@link MAX_HEADER_BYTES}, bytes
 * that are not HTTP) gets a JSON answer instead of a bare status line: 431 for oversized headers,
 * 400 otherwise. The rest of what the client sends is read and dropped before the socket closes,
 * so the client reads the answer rather than a reset connection.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: import("node:stream").Duplex): void {
  if (!socket.writable || (error as { code?: string }).code === "ECONNRESET") {
    socket.destroy();
    return;
  }
  // The bytes the parser had when it gave up: no line end in them means the request line itself is too long.
  const packet = (error as { rawPacket?: Buffer }).rawPacket;
  const lineTooLong = packet !== undefined && (packet.indexOf("\r\n") < 0 || packet.indexOf("\r\n") > MAX_URL_LENGTH);
  const [status, reason, message] =
    error.code === "HPE_HEADER_OVERFLOW" && lineTooLong
      ? [414, "URI Too Long", `Request URI too long: at most ${MAX_URL_LENGTH} bytes.`]
      : error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request Header Fields Too Large", `Request line and headers must be at most ${MAX_HEADER_BYTES} bytes.`]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT" || error.code === "ERR_HTTP_HEADERS_TIMEOUT"
        ? [408, "Request Timeout", "The request was not received in time."]
        : [400, "Bad Request", "Malformed HTTP request."];
  const body = errorBody(status === 431 || status === 414 ? "INVALID_PARAMETER_VALUE" : "BAD_REQUEST", message);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
  );
  // Drain what is still coming, bounded in bytes and time, then let go of the socket.
  let drained = 0;
  socket.on("data", (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > 64 * MAX_JSON_BODY) socket.destroy();
  });
  socket.on("error", () => socket.destroy());
  socket.resume();
  setTimeout(() => socket.destroy(), 10_000).unref();
}
