/**
 * Paging as MLflow does it. Page tokens are base64 of JSON `{"offset": n}`: clients treat them as
 * opaque, but Python MLflow produces the same bytes, so tokens survive a switch between servers.
 * Page sizes (`max_results`) are checked with MLflow's messages against each search's own maximum.
 */
import { invalid } from "./grammar.ts";

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The token for the page starting at row `offset` (a non-negative integer). */
export function encodePageToken(offset: number): string {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`page offset must be a non-negative integer, got ${offset}`);
  // json.dumps spacing, so the bytes match MLflow's own tokens.
  return Buffer.from(`{"offset": ${offset}}`, "utf8").toString("base64");
}

/** The row offset a token stands for; 0 without a token. Malformed tokens are INVALID_PARAMETER_VALUE. */
export function decodePageToken(token?: string): number {
  if (!token) return 0;
  if (!BASE64.test(token)) throw invalid("Invalid page token, could not base64-decode");
  const decoded = Buffer.from(token, "base64").toString("utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded);
  } catch {
    throw invalid(`Invalid page token, decoded value=${decoded}`);
  }
  const offset = typeof parsed === "object" && parsed !== null ? (parsed as { offset?: unknown }).offset : undefined;
  // MLflow also accepts the offset as a numeric string (it calls int() on it).
  const n = typeof offset === "string" && /^\d+$/.test(offset.trim()) ? Number(offset) : offset;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) throw invalid(`Invalid page token, parsed value=${decoded}`);
  return n;
}

/** Checks max_results: a positive integer no larger than `max` (each search passes its MLflow limit). */
export function checkMaxResults(value: number, max: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw invalid(`Invalid value for max_results. It must be a positive integer, but got ${value}`);
  }
  if (value > max) {
    throw invalid(`Invalid value for request parameter max_results. It must be at most ${max}, but got value ${value}`);
  }
}
