/**
 * The embedded tracking store: one better-sqlite3 connection in WAL mode, the only writer of the
 * database. Every write runs synchronously in one transaction (the shared operations of `SqlStore`
 * driven by `SqliteExecutor`); change events go to listeners only after commit, and a listener that
 * throws cannot undo or break the write.
 */
import Database from "better-sqlite3";
import type { StoreChange } from "../contract.ts";
import { REGISTRY_MIGRATIONS } from "../registry/index.ts";
import { migrate, SQLITE, SqliteExecutor, type Work } from "../sql/index.ts";
import type { Metric } from "../types.ts";
import { startCheckpointer, type Checkpointer } from "./checkpointer.ts";
import { MetricTable } from "./metrics.ts";
import { TRACKING_MIGRATIONS } from "./schema.ts";
import { SqlStore, type MetricHistory } from "../ops/sql-store.ts";

/** Where the database lives and where new experiments put artifacts. */
export interface SqliteStoreOptions {
  /** A file path, or ':memory:' for a throwaway store. */
  path: string;
  /** URI under which experiment `<id>` gets `<root>/<id>` (e.g. 'mlflow-artifacts:/' or 'file:///abs/dir'). */
  defaultArtifactRoot: string;
}

/** `MetricTable`'s synchronous calls as the shared operations take them (no query is yielded). */
function historyOf(table: MetricTable): MetricHistory {
  return {
    *append(runId: string, metrics: Metric[]): Work<void> {
      table.append(runId, metrics);
    },
    *page(runId: string, key: string, offset: number, limit?: number) {
      return table.page(runId, key, offset, limit);
    },
    head: (runId, key, start, end, limit) => table.head(runId, key, start, end, limit),
    last: (runId, key, start, end) => table.last(runId, key, start, end),
    extremes: (runId, key, lo, hi, buckets) => table.extremes(runId, key, lo, hi, buckets),
    *json(runId: string, key: string) {
      return table.historyText(runId, key);
    },
  };
}

/** `TrackingStore` on SQLite. */
export class SqliteStore extends SqlStore {
  private readonly exec: SqliteExecutor;
  private readonly checkpointer: Checkpointer | undefined;
  /** One transaction wrapper for every write: better-sqlite3 builds a wrapper per `transaction()` call. */
  private readonly transact: (work: Work<unknown>) => unknown;

  private constructor(
    private readonly db: Database.Database,
    defaultArtifactRoot: string,
    wal: boolean,
    metricTable: MetricTable,
  ) {
    super(SQLITE, defaultArtifactRoot, historyOf(metricTable));
    this.exec = new SqliteExecutor(db);
    this.transact = db.transaction((work: Work<unknown>) => this.exec.run(work));
    this.transact(this.experiments.ensureDefault());
    // Last, so a failed migration leaves no thread behind. A store in memory has no WAL.
    this.checkpointer = wal ? startCheckpointer(db, db.name) : undefined;
  }

  /** Opens (creating and migrating as needed) the database at `options.path`. */
  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    const db = new Database(options.path);
    try {
      // WAL lets readers (other processes, the CLI) proceed while the host writes; busy_timeout
      // waits out a concurrent checkpoint instead of failing with "database is locked".
      const wal = db.pragma("journal_mode = WAL", { simple: true }) === "wal";
      db.pragma("busy_timeout = 5000");
      db.pragma("foreign_keys = ON");
      // In WAL mode NORMAL still writes each commit to the WAL file before the call returns, so an
      // acknowledged write survives a crash of this process; only an OS crash or power cut can drop
      // the last commits, which FULL would prevent with an fsync per commit.
      db.pragma("synchronous = NORMAL");
      // A burst (a million-point log-batch) can leave a WAL of hundreds of MB; once it rewinds,
      // what is past this size is given back to the disk.
      db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
      migrate(db, "tracking", TRACKING_MIGRATIONS);
      migrate(db, "registry", REGISTRY_MIGRATIONS);
      return new SqliteStore(db, options.defaultArtifactRoot, wal, new MetricTable(db));
    } catch (e) {
      db.close();
      throw e;
    }
  }

  protected async write<T>(make: (changes: StoreChange[]) => Work<T>): Promise<T> {
    const changes: StoreChange[] = [];
    const result = this.transact(make(changes)) as T;
    this.emit(changes);
    return result;
  }

  protected async read<T>(make: () => Work<T>, snapshot = false): Promise<T> {
    // This connection is the database's only writer and a read runs synchronously, so no write can
    // land between its statements; a snapshot read still takes one transaction (one read lock for
    // its many statements instead of one each).
    return (snapshot ? this.transact(make()) : this.exec.run(make())) as T;
  }

  protected async closeEngine(): Promise<void> {
    await this.checkpointer?.stop();
    if (this.db.open) this.db.close();
  }
}
