/**
 * The MLflow-compatible HTTP front: one mountable request handler over the route tables, with
 * DNS-rebinding protection (loopback Host with our port, no foreign Origin), bounded JSON bodies,
 * and every failure turned into MLflow's `{error_code, message}` JSON — never a crash, never a 5xx
 * for bad input. Uses node:http only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { isAbsolute, resolve } from "node:path";
import { LocalArtifactRepo } from "../artifacts/index.ts";
import { MlflowError, type TrackingStore } from "../types.ts";
import { parseArgs, queryFields } from "./fields.ts";
import { errorBody, sendJson, toWireJson } from "./json.ts";
import type { ApiRoute, ArtifactSettings, Method, RawRoute, RouteContext } from "./route.ts";
import { artifactRawRoutes, artifactRoutes } from "./routes-artifacts.ts";
import { experimentRoutes } from "./routes-experiments.ts";
import { registryRoutes } from "./routes-registry.ts";
import { runRoutes } from "./routes-runs.ts";

/** Largest JSON request body accepted (MLflow's log-batch limit). */
export const MAX_JSON_BODY = 1024 * 1024;
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

/** Reads a JSON body of at most {@link MAX_JSON_BODY} bytes; empty means `{}`. */
async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > MAX_JSON_BODY) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BODY) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
    // Older clients double-encode the body as a JSON string, which MLflow decodes a second time.
    if (typeof body === "string") body = JSON.parse(body);
  } catch {
    throw new MlflowError("BAD_REQUEST", "Malformed JSON request body.");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new MlflowError("BAD_REQUEST", "The request body must be a JSON object.");
  }
  return body as Record<string, unknown>;
}

class BodyTooLarge extends MlflowError {
  constructor() {
    super("INVALID_PARAMETER_VALUE", `Request body is too large: JSON requests must be at most ${MAX_JSON_BODY} bytes.`);
  }
}

async function runApi(route: ApiRoute, ctx: RouteContext): Promise<void> {
  const query = queryFields(ctx.url.searchParams);
  let args: Record<string, unknown>;
  if (ctx.req.method === "GET") {
    args = parseArgs(route.fields, query, true);
  } else {
    // A body, when present, carries the parameters; some clients send DELETE parameters in the query.
    const body = await readJson(ctx.req);
    const fromBody = Object.keys(body).length > 0 || Object.keys(query).length === 0;
    args = fromBody ? parseArgs(route.fields, body, false) : parseArgs(route.fields, query, true);
  }
  const result = await route.handle(args, ctx);
  sendJson(ctx.res, 200, toWireJson(result));
}

/** Creates the tracking API over a store. */
export function createTrackingServer(opts: TrackingServerOptions): TrackingServer {
  const apiRoutes = new Map<string, ApiRoute>();
  for (const route of [...experimentRoutes, ...runRoutes, ...registryRoutes, ...artifactRoutes]) {
    for (const method of route.methods) apiRoutes.set(`${method} ${route.path}`, route);
  }
  const rawRoutes: RawRoute[] = artifactRawRoutes;
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
    let wrongMethod = false;
    for (const raw of rawRoutes) {
      for (const p of new Set([raw.path, raw.path.replace(/^\/api\//, "/ajax-api/")])) {
        if (pathname !== p && !(raw.prefix && pathname.startsWith(`${p}/`))) continue;
        if (!raw.methods.includes(method)) {
          wrongMethod = true;
          continue;
        }
        return { raw, rest: pathname === p ? "" : decodeURIComponent(pathname.slice(p.length + 1)) };
      }
    }
    const prefix = API_PREFIXES.find((p) => pathname.startsWith(p));
    const api = prefix ? apiRoutes.get(`${method} ${pathname.slice(prefix.length)}`) : undefined;
    if (api) return { api, rest: "" };
    return wrongMethod || OWNED_PREFIXES.some((p) => pathname.startsWith(p)) ? "unknown" : null;
  }

  function handle(req: IncomingMessage, res: ServerResponse): boolean {
    // The raw path, not URL().pathname: the URL parser folds `..` and `%2e%2e` segments, and a
    // traversal must reach the artifact path check to be refused, not be quietly resolved.
    const raw = req.url ?? "/";
    const q = raw.indexOf("?");
    const pathname = q < 0 ? raw : raw.slice(0, q);
    let url: URL;
    try {
      url = new URL(raw, "http://localhost");
    } catch {
      return false;
    }
    let found: ReturnType<typeof match>;
    try {
      found = match((req.method ?? "GET") as Method, pathname);
    } catch {
      found = "unknown"; // undecodable %-escape in an artifact path
    }
    if (found === null) return false;
    const why = refusal(req, opts);
    if (why) {
      sendJson(res, 403, errorBody("PERMISSION_DENIED", why), true);
      req.resume();
      return true;
    }
    if (found === "unknown") {
      sendJson(res, 404, errorBody("ENDPOINT_NOT_FOUND", `No endpoint ${req.method} ${pathname}`));
      req.resume();
      return true;
    }
    const ctx: RouteContext = { store: opts.store, artifacts, repo, req, res, url };
    const work = found.api ? runApi(found.api, ctx) : found.raw!.handle(ctx, found.rest);
    work.catch((error: unknown) => {
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

  const server = createServer((req, res) => {
    if (!handle(req, res)) sendJson(res, 404, errorBody("ENDPOINT_NOT_FOUND", `No endpoint ${req.method} ${req.url}`));
  });
  return { handle, server };
}
