/**
 * MLflow's scoring protocol (`mlflow models serve`) for a loaded model: GET /ping, /health,
 * /version and POST /invocations taking JSON (exactly one of dataframe_split, dataframe_records,
 * instances, inputs; optional params) or CSV, answering `{"predictions": …}`. Errors are MLflow's
 * JSON errors with its statuses (400 for bad input, 415 for an unsupported content type).
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { MlflowError } from "../tracking/types.ts";
import type { LoadedModel } from "./model-dir.ts";
import type { DataFrameSplit } from "./signature.ts";

const INPUT_FIELDS = ["dataframe_split", "dataframe_records", "instances", "inputs"] as const;
/** Bodies larger than this are refused before parsing. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** A parsed invocation: the model input in a form `toMatrix` accepts, plus MLflow params. */
export interface Invocation {
  data: unknown;
  params?: Record<string, unknown>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function parseCsv(text: string): DataFrameSplit {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length < 2) throw new MlflowError("BAD_REQUEST", "CSV input needs a header row and at least one data row.");
  const columns = lines[0]!.split(",").map((c) => c.trim());
  const data = lines.slice(1).map((line, i) => {
    const cells = line.split(",");
    if (cells.length !== columns.length) {
      throw new MlflowError("BAD_REQUEST", `CSV row ${i + 1} has ${cells.length} fields, the header has ${columns.length}.`);
    }
    return cells.map((c) => (c.trim() !== "" && !Number.isNaN(Number(c)) ? Number(c) : c.trim()));
  });
  return { columns, data };
}

/** Turns a request's content type and body into model input, with MLflow's validation. */
export function parseInvocation(contentType: string | undefined, body: string): Invocation {
  const [mime = "", ...typeParams] = (contentType ?? "").split(";").map((s) => s.trim().toLowerCase());
  const charset = typeParams.find((p) => p.startsWith("charset="))?.slice("charset=".length);
  if (charset && charset !== "utf-8" && charset !== "utf8") {
    throw new HttpError(415, "BAD_REQUEST", `The scoring server only supports UTF-8 content; got charset '${charset}'.`);
  }
  if (mime === "text/csv") return { data: parseCsv(body) };
  if (mime !== "application/json") {
    throw new HttpError(
      415,
      "BAD_REQUEST",
      `This predictor only supports the following content types: ['text/csv', 'application/json']. Got '${mime || "none"}'.`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    throw new MlflowError("BAD_REQUEST", `Invalid JSON input: ${(err as Error).message}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new MlflowError(
      "BAD_REQUEST",
      `The input must be a JSON dictionary with exactly one of the input fields ${JSON.stringify(INPUT_FIELDS)}. Received a ${Array.isArray(json) ? "list" : typeof json}.`,
    );
  }
  const obj = json as Record<string, unknown>;
  const present = INPUT_FIELDS.filter((f) => f in obj);
  if (present.length !== 1) {
    throw new MlflowError(
      "BAD_REQUEST",
      `The input must be a JSON dictionary with exactly one of the input fields ${JSON.stringify(INPUT_FIELDS)}. Received dictionary with input fields: ${JSON.stringify(Object.keys(obj))}.`,
    );
  }
  const params = obj.params as Record<string, unknown> | undefined;
  if (params !== undefined && (typeof params !== "object" || params === null || Array.isArray(params))) {
    throw new MlflowError("BAD_REQUEST", "'params' must be a JSON dictionary.");
  }
  return { data: obj[present[0]!], params };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "BAD_REQUEST", `Request body exceeds ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": typeof body === "string" ? "text/plain" : "application/json" });
  res.end(text);
}

/** The version GET /version answers: this package's. */
export function flowbookVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

/** The request handler; `version` is what GET /version answers. */
export function scoringHandler(model: LoadedModel, version: string) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? "/").split("?")[0];
    try {
      if (req.method === "GET" && (path === "/ping" || path === "/health")) return send(res, 200, "\n");
      if (req.method === "GET" && path === "/version") return send(res, 200, version);
      if (path !== "/invocations") throw new HttpError(404, "ENDPOINT_NOT_FOUND", `No route ${req.method} ${path}.`);
      if (req.method !== "POST") throw new HttpError(405, "BAD_REQUEST", "/invocations takes POST.");
      const invocation = parseInvocation(req.headers["content-type"], await readBody(req));
      send(res, 200, { predictions: await model.predict(invocation.data) });
    } catch (err) {
      if (err instanceof HttpError) return send(res, err.status, { error_code: err.code, message: err.message });
      if (err instanceof MlflowError) return send(res, err.httpStatus, { error_code: err.code, message: err.message });
      send(res, 500, { error_code: "INTERNAL_ERROR", message: (err as Error).message ?? String(err) });
    }
  };
}

/** Starts a scoring server on host:port (loopback by default); resolves once listening. */
export async function startScoringServer(
  model: LoadedModel,
  opts: { port: number; host?: string; version: string },
): Promise<{ server: Server; url: string }> {
  const handler = scoringHandler(model, opts.version);
  const server = createServer((req, res) => void handler(req, res));
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(opts.port, host, () => ok());
  });
  const { port } = server.address() as { port: number };
  return { server, url: `http://${host}:${port}` };
}
