/**
 * @internal Test support: an in-memory store and an assertion for MlflowError rejections.
 */
import assert from "node:assert/strict";
import { MlflowError } from "../types.ts";
import { SqliteStore } from "./sqlite-store.ts";

/** @internal A fresh in-memory store with an `mlflow-artifacts:/` root. */
export function openMemoryStore(): Promise<SqliteStore> {
  return SqliteStore.open({ path: ":memory:", defaultArtifactRoot: "mlflow-artifacts:/" });
}

/** @internal Asserts `p` rejects with an MlflowError of `code` (and message, exact or matching). */
export async function rejectsWith(p: Promise<unknown>, code: string, message?: RegExp | string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof MlflowError, `expected MlflowError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (typeof message === "string") assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}
