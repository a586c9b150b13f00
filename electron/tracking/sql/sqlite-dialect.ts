/**
 * SQLite's side of `SqlDialect` and the synchronous executor of store operations on one
 * better-sqlite3 connection.
 */
import type Database from "better-sqlite3";
import { likeToGlob } from "./like-glob.ts";
import { runSync, type Query, type SqlDialect, type Work } from "./query.ts";
import { StatementCache } from "./statement-cache.ts";

/** SQLite: LIKE is GLOB (its LIKE ignores case), lists are JSON arrays read by `json_each`. */
export const SQLITE: SqlDialect = {
  like: (column, pattern) => ({ sql: `${column} GLOB ?`, params: [likeToGlob(pattern)] }),
  // SQLite's LIKE ignores case; ESCAPE is unset so `%` and `_` keep MLflow's meaning.
  ilike: (column, pattern) => ({ sql: `${column} LIKE ?`, params: [pattern] }),
  oneOf: (column, values, kind, negate = false) => ({
    sql: `${column} ${negate ? "NOT IN" : "IN"} (SELECT ${kind === "integer" ? "CAST(value AS INTEGER)" : "value"} FROM json_each(?))`,
    params: [JSON.stringify(values)],
  }),
  number: "?",
};

/** Runs store operations on one connection, each statement prepared once. */
export class SqliteExecutor {
  private readonly statements: StatementCache;
  private readonly exec = (q: Query): unknown => {
    const statement = this.statements.get(q.sql);
    switch (q.op) {
      case "all":
        return statement.all(...q.params);
      case "get":
        return statement.get(...q.params);
      case "run":
        return statement.run(...q.params).changes;
    }
  };

  constructor(db: Database.Database) {
    this.statements = new StatementCache(db);
  }

  /** Runs `work` to its end, synchronously; the caller owns the transaction. */
  run<T>(work: Work<T>): T {
    return runSync(work, this.exec);
  }
}
