/**
 * @internal Test support: the backends one store contract suite runs on (SQLite in memory, and a
 * fresh database per store on a throwaway PostgreSQL cluster), and an assertion for MlflowError
 * rejections.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
  /**
   * A fresh database several stores can open, as separate processes would: the opener it returns
   * opens one more store on it each call (SQLite: a file in a temp dir; PostgreSQL: a new database).
   */
  shared(): Promise<(root?: string) => Promise<SqlStore>>;
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
    const dirs: string[] = [];
    after(async () => {
      for (const s of opened.splice(0)) await s.close();
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    });
    suite({
      name: "sqlite",
      open: (root = "mlflow-artifacts:/") => track(SqliteStore.open({ path: ":memory:", defaultArtifactRoot: root })),
      shared: async () => {
        const dir = mkdtempSync(join(tmpdir(), "fb-store-"));
        dirs.push(dir);
        return (root = "mlflow-artifacts:/") => track(SqliteStore.open({ path: join(dir, "shared.db"), defaultArtifactRoot: root }));
      },
    });
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
    const shared = async () => {
      const uri = await cluster!.createDatabase();
      return (root = "mlflow-artifacts:/") => track(PgStore.open({ connectionString: uri, defaultArtifactRoot: root }));
    };
    suite({ name: "postgresql", open: async (root) => (await shared())(root), shared });
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
