/**
 * Artifact endpoints: `artifacts/list` for a run, the `/api/2.0/mlflow-artifacts/` proxy (download,
 * streamed upload, delete, list; multipart upload is checked, then refused as MLflow's local store
 * refuses it), and the UI's plain routes `/get-artifact` and `/model-versions/get-artifact`, plus
 * `/health` and `/version`. Paths are checked before anything is looked up, as MLflow does.
 */
import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { extname, posix } from "node:path";
import { Readable } from "node:stream";
import { decodePathPart, normalizeArtifactPath, proxyArtifactPath } from "../artifacts/index.ts";
import { MlflowError } from "../types.ts";
import { parseArgs, queryFields, type Args, type FieldSpecs } from "./fields.ts";
import { readJsonBody } from "./json-body.ts";
import { sendJson } from "./json.ts";
import { api, type ApiRoute, type RawRoute, type RouteContext } from "./route.ts";

/** Largest artifact one PUT may upload; the body is streamed to disk, never held in memory. */
export const MAX_ARTIFACT_BYTES = 64 * 1024 ** 3;

const VERSION: string = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")).version;

const MIME: Record<string, string> = {
  ".txt": "text/plain",
  ".log": "text/plain",
  ".json": "application/json",
  ".yaml": "text/yaml",
  ".yml": "text/yaml",
  ".csv": "text/csv",
  ".html": "text/html",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".svg": "image/svg+xml",
  ".pdf": "application/pdf",
};

/** The fields of the multipart-upload requests (mlflow_artifacts.proto). */
const MPU_FIELDS: Record<string, FieldSpecs> = {
  create: { path: "string!", num_parts: "int" },
  complete: { path: "string!", upload_id: "string", parts: "list!" },
  abort: { path: "string!", upload_id: "string" },
};

/** The run artifact listing route. */
export const artifactRoutes: ApiRoute[] = [
  api("GET", "artifacts/list", { run_id: "string!", path: "string", page_token: "string" }, async (a, { store, repo }) => {
    const path = normalizeArtifactPath(a.path);
    const run = await store.getRun(a.run_id);
    return { root_uri: run.info.artifact_uri, files: await repo.listArtifacts(run.info.artifact_uri, path) };
  }),
];

function queryArgs<F extends FieldSpecs>(ctx: RouteContext, fields: F): Args<F> {
  return parseArgs(fields, queryFields(ctx.url.searchParams), true);
}

/** An attachment header for any file name: an ASCII fallback plus the UTF-8 name (RFC 6266). */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** Streams one artifact file as an attachment (never rendered on our origin). */
async function sendArtifact(ctx: RouteContext, rootUri: string, path: string): Promise<void> {
  const { stream, size } = await ctx.repo.readArtifact(rootUri, path);
  ctx.res.writeHead(200, {
    "Content-Type": MIME[extname(path).toLowerCase()] ?? "application/octet-stream",
    "Content-Length": size,
    "Content-Disposition": contentDisposition(posix.basename(path)),
    "X-Content-Type-Options": "nosniff",
  });
  stream.on("error", () => ctx.res.destroy());
  stream.pipe(ctx.res);
}

/** The request body as a stream that fails once it passes {@link MAX_ARTIFACT_BYTES}. */
function bounded(req: IncomingMessage): Readable {
  if (Number(req.headers["content-length"] ?? 0) > MAX_ARTIFACT_BYTES) throw tooLarge();
  return Readable.from(
    (async function* () {
      let size = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_ARTIFACT_BYTES) throw tooLarge();
        yield chunk;
      }
    })(),
  );
}

function tooLarge(): MlflowError {
  return new MlflowError("INVALID_PARAMETER_VALUE", `Artifact is too large: uploads must be at most ${MAX_ARTIFACT_BYTES} bytes.`);
}

function proxyRoot(ctx: RouteContext): string {
  if (!ctx.artifacts.serveArtifacts) {
    throw new MlflowError(
      "TEMPORARILY_UNAVAILABLE",
      `Endpoint: ${ctx.url.pathname} disabled due to the mlflow server running with \`--no-serve-artifacts\`. To enable artifacts server functionality, run \`flowbook server\` with \`--serve-artifacts\``,
    );
  }
  return ctx.artifacts.artifactsDestination;
}

function text(ctx: RouteContext, body: string): Promise<void> {
  ctx.res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(body) });
  ctx.res.end(body);
  return Promise.resolve();
}

/** Routes that write their own responses. */
export const artifactRawRoutes: RawRoute[] = [
  { methods: ["GET"], path: "/health", handle: (ctx) => text(ctx, "OK") },
  { methods: ["GET"], path: "/version", handle: (ctx) => text(ctx, VERSION) },
  {
    methods: ["GET"],
    path: "/api/2.0/mlflow-artifacts/artifacts",
    handle: async (ctx) => {
      const root = proxyRoot(ctx);
      const path = proxyArtifactPath(queryArgs(ctx, { path: "string" }).path);
      // The proxy lists children by base name, as MLflow's does.
      const files = (await ctx.repo.listArtifacts(root, path)).map((f) => ({ ...f, path: posix.basename(f.path) }));
      sendJson(ctx.res, 200, JSON.stringify({ files }));
    },
  },
  {
    methods: ["GET", "PUT", "DELETE"],
    path: "/api/2.0/mlflow-artifacts/artifacts",
    prefix: true,
    handle: async (ctx, rest) => {
      const root = proxyRoot(ctx);
      const path = proxyArtifactPath(decodePathPart(rest));
      if (ctx.req.method === "GET") return sendArtifact(ctx, root, path);
      if (ctx.req.method === "PUT") await ctx.repo.writeArtifact(root, path, bounded(ctx.req));
      else await ctx.repo.deleteArtifacts(root, path);
      sendJson(ctx.res, 200, "{}");
    },
  },
  {
    methods: ["POST"],
    path: "/api/2.0/mlflow-artifacts/mpu",
    prefix: true,
    handle: async (ctx, rest) => {
      proxyRoot(ctx);
      // mpu/{create,complete,abort}/<path>: checked as MLflow checks it, then refused as its local
      // artifact store refuses it (clients fall back to a single PUT).
      const slash = rest.indexOf("/");
      const action = slash < 0 ? rest : rest.slice(0, slash);
      const fields = MPU_FIELDS[action];
      if (!fields) throw new MlflowError("ENDPOINT_NOT_FOUND", `No endpoint POST ${ctx.url.pathname}`);
      proxyArtifactPath(decodePathPart(slash < 0 ? "" : rest.slice(slash + 1)));
      const { body, written } = await readJsonBody(ctx.req);
      parseArgs(fields, body, false, written);
      throw new MlflowError("NOT_IMPLEMENTED", "Multipart upload is not supported for the current artifact repository");
    },
  },
  {
    methods: ["GET"],
    path: "/get-artifact",
    handle: async (ctx) => {
      const a = queryArgs(ctx, { path: "string!", run_id: "string", run_uuid: "string" });
      const path = normalizeArtifactPath(a.path);
      const runId = a.run_id ?? a.run_uuid;
      if (!runId) throw new MlflowError("INVALID_PARAMETER_VALUE", "Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.");
      const run = await ctx.store.getRun(runId);
      await sendArtifact(ctx, run.info.artifact_uri, path);
    },
  },
  {
    methods: ["GET"],
    path: "/model-versions/get-artifact",
    handle: async (ctx) => {
      const a = queryArgs(ctx, { path: "string!", name: "string!", version: "string!" });
      const path = normalizeArtifactPath(a.path);
      const root = await ctx.store.getModelVersionDownloadUri(a.name, a.version);
      await sendArtifact(ctx, root, path);
    },
  },
];
