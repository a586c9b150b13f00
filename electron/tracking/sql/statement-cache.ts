/**
 * Prepared statements keyed by SQL text, on one connection: every statement of the shared store
 * operations (a few hundred fixed texts) and search queries whose text varies with the request, so
 * the same filter shape reuses its compiled statement instead of re-preparing it per call.
 */
import type Database from "better-sqlite3";

/** Statements per generation; a stream of distinct filters cannot grow the cache past twice this. */
const GENERATION = 512;

/**
 * A bounded prepare-once cache. A hit costs one Map lookup (the hot path of every store call): no
 * reordering per hit as an exact LRU would. Instead there are two generations: a statement used
 * while the current one fills stays in it, one unused for a whole generation is dropped with the old.
 */
export class StatementCache {
  private current = new Map<string, Database.Statement>();
  private previous = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  /** The prepared statement for `sql`, prepared on first use. */
  get(sql: string): Database.Statement {
    const hit = this.current.get(sql);
    if (hit) return hit;
    const statement = this.previous.get(sql) ?? this.db.prepare(sql);
    if (this.current.size >= GENERATION) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(sql, statement);
    return statement;
  }
}
