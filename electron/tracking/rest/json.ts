/**
 * MLflow's JSON wire codec: protobuf-JSON doubles (NaN and ±Infinity travel as strings), the error
 * body, and int64/double parsing that accepts numbers-in-strings as MLflow's parser does.
 */
import type { ServerResponse } from "node:http";
import type { ErrorCode } from "../types.ts";

/** Encodes a double the way protobuf JSON does: finite numbers stay numbers. */
export function encodeDouble(value: number): number | string {
  if (Number.isFinite(value)) return value;
  if (Number.isNaN(value)) return "NaN";
  return value > 0 ? "Infinity" : "-Infinity";
}

/** Parses a wire double: a number, or a string holding one (including "NaN", "Infinity", "-Infinity"). */
export function parseDouble(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (text === "NaN" || text === "nan") return NaN;
  if (text === "Infinity" || text === "inf" || text === "+Infinity") return Infinity;
  if (text === "-Infinity" || text === "-inf") return -Infinity;
  if (text === "" || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/**
 * Parses a wire int64: an integral number or a string of digits. Past ±(2^53 − 1) a JavaScript
 * number no longer holds every integer, so such values are refused rather than stored rounded.
 */
export function parseInt64(value: unknown): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" && /^[+-]?\d+$/.test(value.trim()) ? Number(value) : undefined;
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
}

// A replacer sees numbers before JSON.stringify turns NaN/Infinity into null, so every double in a
// response (metric values, anywhere they are nested) is encoded in one place.
function replacer(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? encodeDouble(value) : value;
}

/** A response body that is already wire JSON text (built by the store), sent as is. */
export class WireJson {
  constructor(readonly text: string) {}
}

/** Serialises a response body in MLflow's wire format. */
export function toWireJson(body: unknown): string {
  if (body instanceof WireJson) return body.text;
  const text = JSON.stringify(body);
  // JSON.stringify writes NaN/±Infinity as null. A replacer pass costs about as much again on a
  // 100k-point history, so it runs only when the fast output could hold such a null.
  return text.includes("null") ? JSON.stringify(body, replacer) : text;
}

/** The body MLflow sends with an error status. */
export function errorBody(code: ErrorCode | string, message: string): string {
  return JSON.stringify({ error_code: code, message });
}

/** Writes a JSON response; `Connection: close` when the request body was not fully read. */
export function sendJson(res: ServerResponse, status: number, body: string, close = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    "X-Content-Type-Options": "nosniff",
    ...(close ? { Connection: "close" } : {}),
  });
  res.end(body);
}
