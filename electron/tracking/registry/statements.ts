/**
 * Positional-parameter helpers over the shared prepared-statement cache: the registry runs the
 * same few dozen statements over and over, plus search SQL that varies with the filter.
 */
import type Database from "better-sqlite3";
import { StatementCache } from "../sql/index.ts";

/** Runs SQL with positional parameters, preparing each text once. */
export class Statements {
  private readonly cache: StatementCache;

  /** Wraps `db`; statements are prepared lazily, after the caller's migrations ran. */
  constructor(db: Database.Database) {
    this.cache = new StatementCache(db);
  }

  /** Executes a write. */
  run(sql: string, ...params: unknown[]): void {
    this.cache.get(sql).run(...params);
  }

  /** The first row, or undefined. */
  get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.cache.get(sql).get(...params) as T | undefined;
  }

  /** Every row. */
  all<T>(sql: string, ...params: unknown[]): T[] {
    return this.cache.get(sql).all(...params) as T[];
  }
}
