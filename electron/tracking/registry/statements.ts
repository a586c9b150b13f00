/**
 * Prepared-statement cache over one better-sqlite3 connection: each distinct SQL text is
 * prepared once, since the registry runs the same few dozen statements over and over.
 */
import type Database from "better-sqlite3";

/** Search SQL varies with the filter, so the cache is capped and drops the least recently used. */
const MAX_ENTRIES = 256;

/** Runs SQL with positional parameters, preparing each text once. */
export class Statements {
  private readonly cache = new Map<string, Database.Statement>();

  /** Wraps `db`; statements are prepared lazily, after the caller's migrations ran. */
  constructor(private readonly db: Database.Database) {}

  /** Executes a write. */
  run(sql: string, ...params: unknown[]): void {
    this.prepare(sql).run(...params);
  }

  /** The first row, or undefined. */
  get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.prepare(sql).get(...params) as T | undefined;
  }

  /** Every row. */
  all<T>(sql: string, ...params: unknown[]): T[] {
    return this.prepare(sql).all(...params) as T[];
  }

  private prepare(sql: string): Database.Statement {
    let stmt = this.cache.get(sql);
    if (stmt) {
      // Re-inserting keeps the map in recency order, so the first key is the one to evict.
      this.cache.delete(sql);
    } else {
      stmt = this.db.prepare(sql);
      if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(sql, stmt);
    return stmt;
  }
}
