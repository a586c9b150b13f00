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
import { BLOCK_SIZES } from "../ops/history.ts";
import type { SqlStore } from "../ops/sql-store.ts";
import { PgStore } from "../pg/index.ts";
import { postgresMissing, startTestPostgres, type TestPostgres } from "../pg/test-postgres.ts";
import { type Metric, MlflowError } from "../types.ts";
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

/** @internal A `metric_blocks` row without its run: key, level, block, then the two extremes. */
export type BlockRowOfKey = [key: string, level: number, block: number, minStep: number, minTs: number, minValue: number, maxStep: number, maxTs: number, maxValue: number];

/**
 * @internal The block summaries an engine must hold, from first principles: every block wholly
 * before `summarized(largest step)` of its series that holds a non-NaN point, with its lowest point
 * (ties: earliest step, then timestamp) and its highest (same ties).
 */
export function expectedBlocks(points: Metric[], summarized: (maxStep: number) => number): BlockRowOfKey[] {
  const rows: BlockRowOfKey[] = [];
  for (const key of [...new Set(points.map((p) => p.key))].sort()) {
    const mine = points.filter((p) => p.key === key);
    const limit = summarized(mine.reduce((m, p) => Math.max(m, p.step), -Infinity));
    BLOCK_SIZES.forEach((size, level) => {
      const byBlock = new Map<number, Metric[]>();
      for (const p of mine) {
        const block = Math.floor(p.step / size);
        if (Number.isNaN(p.value) || (block + 1) * size > limit) continue;
        const ps = byBlock.get(block);
        if (ps) ps.push(p);
        else byBlock.set(block, [p]);
      }
      for (const block of [...byBlock.keys()].sort((a, b) => a - b)) {
        const ps = byBlock.get(block)!;
        const lo = ps.reduce((a, b) => (b.value < a.value || (b.value === a.value && (b.step < a.step || (b.step === a.step && b.timestamp < a.timestamp))) ? b : a));
        const hi = ps.reduce((a, b) => (b.value > a.value || (b.value === a.value && (b.step < a.step || (b.step === a.step && b.timestamp < a.timestamp))) ? b : a));
        rows.push([key, level, block, lo.step, lo.timestamp, lo.value, hi.step, hi.timestamp, hi.value]);
      }
    });
  }
  return rows;
}

/** @internal A small deterministic PRNG, so a failure reproduces. */
export function random(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

/**
 * @internal Two keys over ~20k steps: dense stretches, gaps, negative steps, repeated steps with other
 * timestamps, quantized values (ties), NaNs and exact duplicates.
 */
export function series(rand: () => number): Metric[] {
  const points: Metric[] = [];
  for (const key of ["a", "b"]) {
    for (let step = -300; step < 20_000; step += rand() < 0.02 ? 700 : 1) {
      const value = rand() < 0.01 ? NaN : Math.round(rand() * 8) / 4;
      points.push({ key, step, timestamp: 1000 + step, value });
      if (rand() < 0.05) points.push({ key, step, timestamp: 999 + step, value: Math.round(rand() * 8) / 4 });
      if (rand() < 0.01) points.push({ key, step, timestamp: 1000 + step, value });
    }
  }
  return points;
}

/** @internal `xs` in a random order drawn from `rand`. */
export function shuffled<T>(xs: T[], rand: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
