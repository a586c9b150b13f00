/**
 * Per-connection view sources: where one renderer's Tracking tab reads from. By default that is
 * the app's own store (with its pushes); a connection may instead point its views at any MLflow
 * REST server, ours or MLflow's. Then its view calls go to an `HttpStore` for that URL, a watcher
 * re-reads the server on a timer in place of pushes, and the server's artifact routes are proxied
 * under `/view-source/<id>/…` (the page's CSP allows only its own origin). The kernel, the REST
 * API and the notebook keep the local store: only the views' source changes.
 */
import { randomBytes } from "node:crypto";
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { request as httpsRequest } from "node:https";
import type { HostEvent, RemoteError, ViewSourceInfo, ViewSourceSpec } from "../protocol.ts";
import { invokeTracking } from "../tracking/calls.ts";
import { HttpStore } from "../tracking/client/index.ts";
import type { TrackingInvocation } from "../tracking/contract.ts";
import { watchRemote, type RemoteWatch } from "./remote-watch.ts";
import { parseServerUrl } from "./validate.ts";

/** Path prefix of the artifact proxy; the next segment is a remote source's id. */
export const VIEW_PROXY_PREFIX = "/view-source/";
/** The remote's read-only routes the views load artifacts through. */
const PROXIED_ROUTES = new Set(["get-artifact", "model-versions/get-artifact", "api/2.0/mlflow/artifacts/list"]);
/** Default interval between re-reads of a remote server. */
export const DEFAULT_REFRESH_MS = 3000;
/** A remote call or proxied download with no answer after this long fails instead of hanging a view. */
const CALL_TIMEOUT_MS = 30_000;
/** "Test connection" gives up sooner: the user is waiting on it. */
const TEST_TIMEOUT_MS = 10_000;

/** Options of {@link createViewSources}. */
export interface ViewSourcesOptions<K> {
  /** Calls the app's own store. */
  local: (call: TrackingInvocation) => Promise<unknown>;
  /** Sends an event to one connection. */
  send: (key: K, event: HostEvent) => void;
  /** How often a remote server is re-read for the views (default {@link DEFAULT_REFRESH_MS}). */
  refreshMs?: number;
}

/** The view sources of all connections, keyed by connection. */
export interface ViewSources<K> {
  /** Runs a view's tracking call against the connection's source. */
  call(key: K, call: TrackingInvocation): Promise<unknown>;
  /** Switches the connection's views; a remote is tested first and the old source kept if it fails. */
  set(key: K, spec: ViewSourceSpec): Promise<ViewSourceInfo>;
  /** Checks that an MLflow server answers at `url`; resolves to its normalized URL and version. */
  test(url: string): Promise<{ url: string; version: string }>;
  /** Forgets a closed connection (stops its watcher). */
  drop(key: K): void;
  /** Answers a request under {@link VIEW_PROXY_PREFIX} by proxying it to the remote it names. */
  proxy(req: IncomingMessage, res: ServerResponse): void;
  /** Stops every watcher. */
  close(): void;
}

interface Remote {
  info: Extract<ViewSourceInfo, { kind: "remote" }>;
  store: HttpStore;
  watch: RemoteWatch;
}

/**
 * Readable text from an error message that may carry a whole HTML error page (what a plain web
 * server or a crashing Flask app answers): its title and words, cut short.
 */
export function readableError(message: string): string {
  const lt = message.indexOf("<");
  if (lt < 0 || !/<\/?[a-z!][^>]*>/i.test(message)) return message.length > 400 ? `${message.slice(0, 400)}…` : message;
  const title = /<title>([^<]*)<\/title>/i.exec(message)?.[1]?.trim();
  const words = message
    .slice(lt)
    .replace(/<title>[^<]*<\/title>/i, " ")
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  const text = `${message.slice(0, lt)}${title ? `${title}. ` : ""}${words}`.trim();
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

/** An error as the renderer shows it, with HTML pages reduced to their words. */
function describe(err: unknown): RemoteError {
  const message = readableError(err instanceof Error ? err.message : String(err));
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return typeof code === "string" ? { message, code } : { message };
}

/** Rejects with `what` when `work` has not settled within `ms`. */
function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(what)), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Sends a GET to `url`; resolves to the response (its body unread). */
function get(url: string, method: "GET" | "HEAD", timeoutMs: number): Promise<IncomingMessage> {
  return new Promise((ok, fail) => {
    const req = (url.startsWith("https:") ? httpsRequest : httpRequest)(url, { method, timeout: timeoutMs }, ok);
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on("error", fail);
    req.end();
  });
}

/** Reads at most 64 KiB of a response body as text. */
async function bodyText(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    if (size < 65536) chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks).toString("utf8").slice(0, 65536);
}

/** The MLflow error a failed upstream answer stands for: its own JSON, or its text made readable. */
function upstreamError(status: number, text: string): { error_code: string; message: string } {
  try {
    const body = JSON.parse(text) as { error_code?: unknown; message?: unknown };
    if (typeof body.message === "string") return { error_code: String(body.error_code ?? "INTERNAL_ERROR"), message: body.message };
  } catch {
    // not JSON
  }
  const code = status === 404 ? "RESOURCE_DOES_NOT_EXIST" : status < 500 ? "BAD_REQUEST" : "INTERNAL_ERROR";
  return { error_code: code, message: `HTTP ${status}: ${readableError(text) || "no details"}` };
}

function sendError(res: ServerResponse, status: number, error_code: string, message: string): void {
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify({ error_code, message });
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body), "X-Content-Type-Options": "nosniff" });
  res.end(body);
}

/** Creates the registry of view sources; every connection starts on the app's own store. */
export function createViewSources<K>(opts: ViewSourcesOptions<K>): ViewSources<K> {
  const refreshMs = opts.refreshMs ?? DEFAULT_REFRESH_MS;
  const byKey = new Map<K, Remote>();
  const byId = new Map<string, Remote>();

  const drop = (key: K) => {
    const remote = byKey.get(key);
    if (!remote) return;
    remote.watch.stop();
    byKey.delete(key);
    byId.delete(remote.info.artifactBase.slice(VIEW_PROXY_PREFIX.length));
  };

  const normalize = (url: string): string => {
    const parsed = parseServerUrl(url);
    if ("error" in parsed) throw new Error(parsed.error);
    return parsed.url;
  };

  /** Proves the server speaks MLflow's REST API; its `/version` is read when it has one. */
  async function probe(url: string): Promise<{ url: string; version: string; store: HttpStore }> {
    const store = new HttpStore(url);
    const versionRead = get(`${url}/version`, "GET", TEST_TIMEOUT_MS)
      .then(async (res) => {
        const text = (await bodyText(res)).trim();
        return res.statusCode === 200 && /^[\w.+-]{1,64}$/.test(text) ? text : "unknown";
      })
      .catch(() => "unknown");
    const apiRead = within(store.searchExperiments({ max_results: 1 }), TEST_TIMEOUT_MS, `no answer within ${TEST_TIMEOUT_MS / 1000} s`);
    const [version, failure] = await Promise.all([versionRead, apiRead.then(() => null, (err: unknown) => describe(err).message)]);
    if (failure !== null) {
      throw new Error(
        version === "unknown"
          ? `${url} does not answer as an MLflow tracking server: ${failure}`
          : `the server at ${url} (version ${version}) answered, but its tracking API failed: ${failure}`,
      );
    }
    return { url, version, store };
  }

  async function remoteCall(key: K, remote: Remote, call: TrackingInvocation): Promise<unknown> {
    let result: unknown;
    try {
      result = await within(invokeTracking(remote.store, call), CALL_TIMEOUT_MS, `${remote.info.url} did not answer within ${CALL_TIMEOUT_MS / 1000} s`);
    } catch (err) {
      const e = describe(err);
      throw Object.assign(new Error(e.message), e.code ? { code: e.code } : {});
    }
    if (byKey.get(key) === remote) remote.watch.observe(call.method, call.args, result);
    return result;
  }

  return {
    call(key, call) {
      const remote = byKey.get(key);
      return remote ? remoteCall(key, remote, call) : opts.local(call);
    },
    async set(key, spec) {
      if (spec.kind === "local") {
        drop(key);
        return { kind: "local" };
      }
      const { url, version, store } = await probe(normalize(spec.url));
      drop(key);
      const id = randomBytes(16).toString("base64url");
      const info: Remote["info"] = { kind: "remote", url, version, artifactBase: `${VIEW_PROXY_PREFIX}${id}`, refreshMs };
      const remote: Remote = {
        info,
        store,
        watch: watchRemote({
          store,
          refreshMs,
          describe,
          emit: (change) => byKey.get(key) === remote && opts.send(key, { type: "view-changed", change }),
          health: (error) => byKey.get(key) === remote && opts.send(key, { type: "view-source-status", source: info, ...(error ? { error } : {}) }),
        }),
      };
      byKey.set(key, remote);
      byId.set(id, remote);
      return info;
    },
    async test(url) {
      const { version, url: normalized } = await probe(normalize(url));
      return { url: normalized, version };
    },
    drop,
    proxy(req, res) {
      const raw = req.url ?? "/";
      const q = raw.indexOf("?");
      const path = q < 0 ? raw : raw.slice(0, q);
      const m = /^\/view-source\/([A-Za-z0-9_-]+)\/(.+)$/.exec(path);
      const remote = m ? byId.get(m[1]) : undefined;
      if (!m || !PROXIED_ROUTES.has(m[2])) return sendError(res, 404, "ENDPOINT_NOT_FOUND", `No endpoint ${path}`);
      if (!remote) return sendError(res, 404, "RESOURCE_DOES_NOT_EXIST", "This remote tracking server is no longer connected; reconnect to it.");
      if (req.method !== "GET" && req.method !== "HEAD") return sendError(res, 405, "BAD_REQUEST", `${req.method} is not allowed here`);
      const target = `${remote.info.url}/${m[2]}${q < 0 ? "" : raw.slice(q)}`;
      get(target, req.method, CALL_TIMEOUT_MS).then(
        async (up) => {
          const status = up.statusCode ?? 502;
          if (status < 200 || status >= 300) {
            const e = upstreamError(status, await bodyText(up));
            return sendError(res, status, e.error_code, e.message);
          }
          // The remote's bytes are served from our origin: never as a document that could run script here.
          res.writeHead(status, {
            "Content-Type": up.headers["content-type"] ?? "application/octet-stream",
            ...(up.headers["content-length"] ? { "Content-Length": up.headers["content-length"] } : {}),
            "Content-Disposition": up.headers["content-disposition"] ?? "attachment",
            "Content-Security-Policy": "sandbox",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
          });
          up.on("error", () => res.destroy());
          up.pipe(res);
        },
        (err: Error) => sendError(res, 502, "TEMPORARILY_UNAVAILABLE", `Cannot reach the tracking server at ${remote.info.url}: ${err.message}`),
      );
    },
    close() {
      for (const key of [...byKey.keys()]) drop(key);
    },
  };
}
