/**
 * Reading a JSON request body: at most {@link MAX_JSON_BODY} bytes, nested at most
 * {@link MAX_JSON_DEPTH} deep (so no later walk of it can overflow the stack), an empty body as
 * `{}`, a double-encoded body decoded twice and `NaN`/`Infinity` literals read as MLflow's Python
 * server reads them. Every refusal is an MlflowError (400), never a crash.
 */
import type { IncomingMessage } from "node:http";
import { MlflowError } from "../types.ts";
import { MAX_JSON_DEPTH, parsePyJson, toPlain, type PyValue } from "./py-json.ts";

/** Largest JSON request body accepted (MLflow's log-batch limit). */
export const MAX_JSON_BODY = 1024 * 1024;

/** A decoded body, and its top-level fields as written (for messages that quote `9.0`, not `9`). */
export interface JsonBody {
  body: Record<string, unknown>;
  written: (name: string) => PyValue | undefined;
}

/** The error for a body past {@link MAX_JSON_BODY}. */
export function bodyTooLarge(): MlflowError {
  return new MlflowError("INVALID_PARAMETER_VALUE", `Request body is too large: JSON requests must be at most ${MAX_JSON_BODY} bytes.`);
}

function malformed(): MlflowError {
  return new MlflowError("BAD_REQUEST", "Malformed JSON request body.");
}

/** Whether a parsed value nests deeper than `limit` (a walk that stops there, so it is bounded too). */
function deeperThan(value: unknown, limit: number): boolean {
  if (limit === 0) return true;
  if (Array.isArray(value)) {
    for (const v of value) if (typeof v === "object" && v !== null && deeperThan(v, limit - 1)) return true;
    return false;
  }
  for (const k in value as Record<string, unknown>) {
    const v = (value as Record<string, unknown>)[k];
    if (typeof v === "object" && v !== null && deeperThan(v, limit - 1)) return true;
  }
  return false;
}

/**
 * Parses JSON text bounded in depth; `NaN`/`Infinity` literals are accepted as Python accepts them.
 * V8's JSON.parse does not recurse, so any nesting parses; what is deeper than the bound is then
 * refused before anything else walks it.
 */
export function parseJsonBounded(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    try {
      value = toPlain(parsePyJson(text));
    } catch {
      throw malformed();
    }
  }
  if (typeof value === "object" && value !== null && deeperThan(value, MAX_JSON_DEPTH)) {
    throw new MlflowError("BAD_REQUEST", `Malformed JSON request body: nested deeper than ${MAX_JSON_DEPTH} levels.`);
  }
  return value;
}

/** The body's bytes, at most {@link MAX_JSON_BODY}; events rather than an async iterator (cheaper per request). */
function readBytes(req: IncomingMessage): Promise<Buffer> {
  if (Number(req.headers["content-length"] ?? 0) > MAX_JSON_BODY) return Promise.reject(bodyTooLarge());
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  // A small body usually came in the same packets as the headers: already parsed and buffered,
  // it is taken at once, with no events and no closures.
  if (req.complete) {
    const parts: Buffer[] = [];
    let size = 0;
    for (let chunk: Buffer | null = req.read(); chunk !== null; chunk = req.read()) {
      size += chunk.length;
      if (size > MAX_JSON_BODY) return Promise.reject(bodyTooLarge());
      parts.push(chunk);
    }
    return Promise.resolve(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
  }
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_JSON_BODY) {
        done();
        fail(bodyTooLarge());
      } else chunks.push(chunk);
    };
    const onEnd = (): void => {
      done();
      ok(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    const onError = (error: Error): void => {
      done();
      fail(error);
    };
    const onAborted = (): void => onError(new Error("aborted"));
    const done = (): void => {
      req.off("data", onData).off("end", onEnd).off("error", onError).off("aborted", onAborted);
    };
    req.on("data", onData).on("end", onEnd).on("error", onError).on("aborted", onAborted);
  });
}

/** Reads and decodes a request's JSON body. */
export async function readJsonBody(req: IncomingMessage): Promise<JsonBody> {
  const bytes = await readBytes(req);
  let text = bytes.toString("utf8").trim();
  if (text === "") return { body: {}, written: () => undefined };
  let body = parseJsonBounded(text);
  // Older clients double-encode the body as a JSON string, which MLflow decodes a second time.
  if (typeof body === "string") {
    text = body;
    body = parseJsonBounded(text);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new MlflowError("BAD_REQUEST", "The request body must be a JSON object.");
  }
  let tree: PyValue | undefined;
  const written = (name: string): PyValue | undefined => {
    try {
      tree ??= parsePyJson(text);
    } catch {
      return undefined;
    }
    return tree !== null && typeof tree === "object" && !Array.isArray(tree) && Object.hasOwn(tree, name) ? (tree as Record<string, PyValue>)[name] : undefined;
  };
  return { body: body as Record<string, unknown>, written };
}
