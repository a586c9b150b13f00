/**
 * Store logic written once for both engines: an operation is a generator that yields the SQL it
 * needs (`yield* get(…)`) and receives the rows. SQLite runs it synchronously inside one
 * better-sqlite3 transaction, so its hot paths stay synchronous; PostgreSQL runs the same generator
 * with an `await` per query inside one transaction on a pooled client. SQL uses `?` placeholders and
 * only syntax both engines accept; where they differ, the text comes from a `SqlDialect`.
 */

/** One statement to run: every row, the first row, or a write's affected-row count. */
export interface Query {
  op: "all" | "get" | "run";
  sql: string;
  params: readonly unknown[];
}

/** An operation over the database that finishes with a `T`. */
export type Work<T> = Generator<Query, T, unknown>;

/** Every row of `sql`. */
export function* all<T>(sql: string, ...params: unknown[]): Work<T[]> {
  return (yield { op: "all", sql, params }) as T[];
}

/** The first row of `sql`, or undefined. */
export function* get<T>(sql: string, ...params: unknown[]): Work<T | undefined> {
  return (yield { op: "get", sql, params }) as T | undefined;
}

/** Runs a write; returns how many rows it changed. */
export function* run(sql: string, ...params: unknown[]): Work<number> {
  return (yield { op: "run", sql, params }) as number;
}

/** Drives `work` to its end, answering each query synchronously with `exec`. */
export function runSync<T>(work: Work<T>, exec: (q: Query) => unknown): T {
  let step = work.next();
  while (!step.done) step = work.next(exec(step.value));
  return step.value;
}

/** Drives `work` to its end, answering each query with `exec`'s promise. */
export async function runAsync<T>(work: Work<T>, exec: (q: Query) => Promise<unknown>): Promise<T> {
  let step = work.next();
  while (!step.done) step = work.next(await exec(step.value));
  return step.value;
}

/** A WHERE or ORDER BY fragment with its bound parameters, in order. */
export interface SqlPart {
  sql: string;
  params: unknown[];
}

/**
 * What differs between the engines' SQL for the same condition. Values are always bound
 * parameters; only the operator text and how a list is bound change.
 */
export interface SqlDialect {
  /** MLflow's case-sensitive LIKE (`%`, `_`, no escape character). */
  like(column: string, pattern: string): SqlPart;
  /** MLflow's ILIKE: LIKE ignoring case. */
  ilike(column: string, pattern: string): SqlPart;
  /** `column` is (or with `negate`, is not) one of `values`, bound as one parameter. */
  oneOf(column: string, values: readonly (string | number)[], kind: "text" | "integer", negate?: boolean): SqlPart;
  /** A placeholder for a number compared with any numeric column (integers against fractions too). */
  readonly number: string;
}
