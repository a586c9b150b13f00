/**
 * Prepared statements keyed by SQL text, for queries whose text varies with the request (searches):
 * the same filter shape reuses its compiled statement instead of re-preparing it per call.
 */
import type Database from "better-sqlite3";

/** Caps the cache so a stream of distinct filters cannot grow it without bound. */
const MAX_ENTRIES = 256;

/** A bounded prepare-once cache on one connection. */
export class StatementCache {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  /** The prepared statement for `sql`, prepared on first use. */
  get(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement) {
      // Re-insert so the map's order tracks recency and eviction drops the least recently used.
      this.statements.delete(sql);
    } else {
      statement = this.db.prepare(sql);
      if (this.statements.size >= MAX_ENTRIES) this.statements.delete(this.statements.keys().next().value!);
    }
    this.statements.set(sql, statement);
    return statement;
  }
}
