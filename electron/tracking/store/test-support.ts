/**
 * @internal Test support: the backends one store contract suite runs on (SQLite in memory, and a
 * fresh database per store on a throwaway PostgreSQL cluster), and an assertion for MlflowError
 * rejections.
 */
import assert from "node:assert/strict";
import { after, before, describe } from "node:test";
import type { SqlStore } from "../ops/sql-store.ts";
import { PgStore } from "../pg/index.ts";
import { postgresMissing, startTestPostgres, type TestPostgres } from "../pg/test-postgres.ts";
import { MlflowError } from "../types.ts";
import { SqliteStore } from "./sqlite-store.ts";

/** @internal A fresh in-memory store with an `mlflow-artifacts:/` root. */
export function openMemoryStore(): Promise<SqliteStore> {
  return SqliteStore.open({ path: ":memory:", defaultArtifactRoot: "mlflow-artifacts:/" });
}

/** @internal One backend of the contract suite: what it is called and how to open a fresh, empty store on it. */
export interface Backend {
  name: "sqlite" | "postgresql";
  /** A fresh store with an `mlflow-artifacts:/` root (`root` overrides it); closed after the suite. */
  open(root?: string): Promise<SqlStore>;
  /** A fresh database's URI (`sqlite:///…` needs a path, so SQLite gives none). */
  databaseUri?(): Promise<string>;
}

/**
 * @internal Runs `suite` once per backend, each in its own `describe`: on SQLite, and on PostgreSQL
 * with one cluster for the file and a database per store (skipped, naming the install command,
 * where PostgreSQL is not installed). Stores the suite opened are closed after it.
 */
export function forEachBackend(suite: (backend: Backend) => void): void {
  const opened: SqlStore[] = [];
  const track = async <S extends SqlStore>(store: Promise<S>): Promise<S> => {
    const s = await store;
    opened.push(s);
    return s;
  };
  describe("sqlite", () => {
    after(async () => {
      for (const s of opened.splice(0)) await s.close();
    });
    suite({ name: "sqlite", open: (root = "mlflow-artifacts:/") => track(SqliteStore.open({ path: ":memory:", defaultArtifactRoot: root })) });
  });
  const missing = postgresMissing();
  describe("postgresql", { skip: missing }, () => {
    let cluster: TestPostgres | undefined;
    before(async () => {
      const started = await startTestPostgres();
      if ("skip" in started) throw new Error(started.skip);
      cluster = started;
    });
    after(async () => {
      for (const s of opened.splice(0)) await s.close();
      await cluster?.stop();
    });
    const databaseUri = () => cluster!.createDatabase();
    suite({
      name: "postgresql",
      open: async (root = "mlflow-artifacts:/") => track(PgStore.open({ connectionString: await databaseUri(), defaultArtifactRoot: root })),
      databaseUri,
    });
  });
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
