/**
 * Many-row INSERTs through one reused bind array: one statement step for 100 rows costs far less
 * than 100 steps through better-sqlite3's per-call binding, and a batch allocates no per-row
 * argument lists. Metric points and their block summaries are both written this way.
 */
import type Database from "better-sqlite3";

/** Rows per multi-row statement; 100 rows of up to 10 columns stay well under SQLite's bound-value limit. */
const ROWS_PER_CHUNK = 100;

/** Buffers rows of one INSERT shape and runs them a chunk at a time; the caller owns the transaction. */
export class ChunkedInsert {
  /** Bind values of the chunk being filled: row i's columns start at `i * columns`. */
  readonly args: unknown[];
  private filled = 0;
  /** Prepared statements by row count (a full chunk, or one row), made on first use. */
  private readonly statements = new Map<number, Database.Statement>();

  /**
   * `head` is the statement up to VALUES (e.g. "INSERT OR IGNORE INTO t (a, b)"), `tail` what
   * follows the tuples (e.g. an ON CONFLICT clause).
   */
  constructor(
    private readonly db: Database.Database,
    private readonly head: string,
    private readonly columns: number,
    private readonly tail = "",
  ) {
    this.args = new Array(ROWS_PER_CHUNK * columns);
  }

  /** Where the next row's values go in `args`; runs the chunk first when it is full. */
  next(): number {
    if (this.filled === ROWS_PER_CHUNK) this.flush();
    return this.filled++ * this.columns;
  }

  /**
   * Writes the buffered rows: a full chunk in one statement, fewer one row per statement. A
   * one-row INSERT needs no statement journal, which a many-row one opens (it must be able to undo
   * its own earlier rows), so for a handful of rows single statements cost less.
   */
  flush(): void {
    const n = this.filled;
    this.filled = 0;
    if (n === ROWS_PER_CHUNK) return void this.statement(n).run(this.args);
    const one = this.statement(1);
    for (let i = 0; i < n * this.columns; i += this.columns) one.run(this.args.slice(i, i + this.columns));
  }

  private statement(rows: number): Database.Statement {
    let s = this.statements.get(rows);
    if (!s) {
      const tuple = `(${Array.from({ length: this.columns }, () => "?").join(", ")})`;
      s = this.db.prepare(`${this.head} VALUES ${Array.from({ length: rows }, () => tuple).join(", ")} ${this.tail}`);
      this.statements.set(rows, s);
    }
    return s;
  }
}
