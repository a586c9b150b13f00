/**
 * The tracking store on PostgreSQL, for a team server or many processes on one database. The
 * operations are `SqlStore`'s, shared with SQLite; this file is the driver side: a node-postgres
 * Pool (node-postgres: mature, pooled, parametrised queries, LISTEN/NOTIFY), one transaction per
 * write on one pooled client, retried when a concurrent writer in another process wins a race
 * (a unique key both computed, a serialization failure or deadlock), and migrations on open.
 *
 * Changes reach listeners from this process and from every other process on the database: each
 * write sends `pg_notify` inside its transaction, so the notice is delivered exactly when it
 * commits; one dedicated connection LISTENs. A notice carries ids only (NOTIFY payloads are capped
 * at 8000 bytes), and this process's own notices are skipped, since its writes were published
 * directly after commit.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import type { StoreChange } from "../contract.ts";
import { runAsync, type Query, type Work } from "../sql/index.ts";
import { SqlStore } from "../ops/sql-store.ts";
import { POSTGRES, execute, typeParsers } from "./dialect.ts";
import { BATCH_POINTS, INSERT_METRICS, PG_METRIC_HISTORY } from "./metrics.ts";
import { migratePg } from "./migrate.ts";
import { PG_REGISTRY_MIGRATIONS, PG_TRACKING_MIGRATIONS } from "./schema.ts";

/** Where the database is and where new experiments put artifacts. */
export interface PgStoreOptions {
  /** A libpq connection string (`postgresql://user:password@host:port/db`). */
  connectionString: string;
  /** URI under which experiment `<id>` gets `<root>/<id>`. */
  defaultArtifactRoot: string;
  /** Pool size; node-postgres's default is 10. */
  maxConnections?: number;
}

/** The channel every Flowbook store on a database notifies and listens on. */
export const CHANNEL = "flowbook_tracking";
/** Below PostgreSQL's 8000-byte payload limit, with room for the envelope. */
const MAX_PAYLOAD = 7000;
/** A write that loses a race to another process is retried this many times before its error stands. */
const MAX_ATTEMPTS = 8;
/** unique_violation, serialization_failure, deadlock_detected: another writer got there first. */
const RACES = new Set(["23505", "40001", "40P01"]);

/**
 * A change as a notice names it: experiment `["e", id]`, run `["r", run, experiment]`, metric points
 * `["m", run, experiment, firstSeq, lastSeq, xid]` (the points are read back by that range and the
 * writing transaction), registry `["g", name]`.
 */
type Notice = ["e", string] | ["r", string, string] | ["m", string, string, number, number, number] | ["g", string];

interface Envelope {
  /** The store instance that wrote it. */
  o: string;
  c: Notice[];
}

/** `TrackingStore` on PostgreSQL. */
export class PgStore extends SqlStore {
  /** Tells this instance's notices from other processes' (and other stores' in this process). */
  private readonly origin = randomUUID();
  private listener: pg.Client | undefined;
  private closed = false;
  /** Notices from other processes are turned into changes in arrival order. */
  private incoming: Promise<void> = Promise.resolve();

  private constructor(
    private readonly pool: pg.Pool,
    defaultArtifactRoot: string,
    private readonly connectionString: string,
  ) {
    super(POSTGRES, defaultArtifactRoot, PG_METRIC_HISTORY);
  }

  /** Connects, migrates (under an advisory lock), creates the Default experiment and starts listening. */
  static async open(options: PgStoreOptions): Promise<PgStore> {
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      types: typeParsers(pg.types),
    });
    // An idle client's network error is reported here instead of crashing the process.
    pool.on("error", (e) => console.error("tracking store: idle PostgreSQL connection failed:", e.message));
    try {
      const client = await pool.connect();
      try {
        await migratePg(client, { tracking: PG_TRACKING_MIGRATIONS, registry: PG_REGISTRY_MIGRATIONS });
      } finally {
        client.release();
      }
      const store = new PgStore(pool, options.defaultArtifactRoot, options.connectionString);
      await store.write(() => store.experiments.ensureDefault());
      await store.listen();
      return store;
    } catch (e) {
      await pool.end();
      throw e;
    }
  }

  protected async write<T>(make: (changes: StoreChange[]) => Work<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const changes: StoreChange[] = [];
      const seqs = new Map<string, [number, number, number]>();
      const client = await this.pool.connect();
      try {
        await client.query("BEGIN");
        const result = await runAsync(make(changes), async (q: Query) => {
          // The metric insert, one statement with the block summaries, runs prepared: planning it
          // took as long as a single point's insert.
          const metricInsert = q.sql === INSERT_METRICS;
          const answer = await execute(client, q, metricInsert ? "flowbook_insert_metrics" : undefined);
          // It answers with the seq range of its new points, which the notice names.
          if (metricInsert) {
            const { lo, hi, xid } = (answer as { lo: number | null; hi: number | null; xid: number }[])[0]!;
            if (lo !== null && hi !== null) seqs.set(q.params[0] as string, [lo, hi, xid]);
          }
          return answer;
        });
        for (const payload of this.payloads(changes, seqs)) await client.query("SELECT pg_notify($1, $2)", [CHANNEL, payload]);
        await client.query("COMMIT");
        client.release();
        this.emit(changes);
        return result;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => {});
        client.release();
        const code = (e as { code?: unknown }).code;
        if (attempt < MAX_ATTEMPTS && typeof code === "string" && RACES.has(code)) continue;
        throw e;
      }
    }
  }

  protected async read<T>(make: () => Work<T>, snapshot = false): Promise<T> {
    if (!snapshot) return runAsync(make(), (q) => execute(this.pool, q));
    const client = await this.pool.connect();
    try {
      // One snapshot for every query of the read, as SQLite's single transaction gives.
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      const result = await runAsync(make(), (q) => execute(client, q));
      await client.query("COMMIT");
      return result;
    } catch (e) {
      await client.query("ROLLBACK").catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  }

  protected async closeEngine(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => {});
    await this.incoming;
    await this.pool.end();
  }

  /** The notices for committed `changes`, packed into payloads under the size limit. */
  private payloads(changes: StoreChange[], seqs: Map<string, [number, number, number]>): string[] {
    const notices: Notice[] = [];
    for (const c of changes) {
      switch (c.type) {
        case "experiment":
          notices.push(["e", c.experiment_id]);
          break;
        case "run":
          notices.push(["r", c.run_id, c.experiment_id]);
          break;
        case "metrics": {
          // Points that were all exact duplicates got no seq: nothing new to read back.
          const range = seqs.get(c.run_id);
          if (range) notices.push(["m", c.run_id, c.experiment_id, ...range]);
          break;
        }
        case "registry":
          notices.push(["g", c.name]);
          break;
      }
    }
    const payloads: string[] = [];
    let batch: Notice[] = [];
    for (const n of notices) {
      if (batch.length > 0 && JSON.stringify({ o: this.origin, c: [...batch, n] }).length > MAX_PAYLOAD) {
        payloads.push(JSON.stringify({ o: this.origin, c: batch }));
        batch = [];
      }
      batch.push(n);
    }
    if (batch.length > 0) payloads.push(JSON.stringify({ o: this.origin, c: batch }));
    return payloads;
  }

  /** Opens the dedicated LISTEN connection; if it drops, it reconnects while the store is open. */
  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, types: typeParsers(pg.types) });
    client.on("notification", (msg) => {
      if (msg.channel !== CHANNEL || !msg.payload) return;
      const payload = msg.payload;
      this.incoming = this.incoming.then(() => this.receive(payload)).catch((e) => console.error("tracking store: change notice failed:", e));
    });
    client.on("error", (e) => {
      if (this.closed) return;
      console.error("tracking store: LISTEN connection failed, reconnecting:", e.message);
      this.listener = undefined;
      client.end().catch(() => {});
      this.relisten();
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    if (this.closed) await client.end();
    else this.listener = client;
  }

  /**
   * Listens again after a second, and again until it works or the store closes. Notices sent while
   * no connection listened are lost: a live view catches up with the next change it hears of.
   */
  private relisten(): void {
    if (this.closed) return;
    setTimeout(() => {
      this.listen().catch((e: Error) => {
        console.error("tracking store: LISTEN reconnect failed, retrying:", e.message);
        this.relisten();
      });
    }, 1000).unref();
  }

  /** Turns another process's notice into changes, reading metric points back by their seq range. */
  private async receive(payload: string): Promise<void> {
    const envelope = JSON.parse(payload) as Envelope;
    if (envelope.o === this.origin || this.closed) return;
    const changes: StoreChange[] = [];
    for (const n of envelope.c) {
      switch (n[0]) {
        case "e":
          changes.push({ type: "experiment", experiment_id: n[1] });
          break;
        case "r":
          changes.push({ type: "run", run_id: n[1], experiment_id: n[2] });
          break;
        case "m": {
          const { rows } = await this.pool.query<{ key: string; step: number; timestamp: number; value: number; is_nan: number }>(
            BATCH_POINTS,
            [n[1], n[3], n[4], n[5]],
          );
          const metrics = rows.map((r) => ({ key: r.key, value: r.is_nan ? NaN : r.value, timestamp: r.timestamp, step: r.step }));
          if (metrics.length > 0) changes.push({ type: "metrics", run_id: n[1], experiment_id: n[2], metrics });
          break;
        }
        case "g":
          changes.push({ type: "registry", name: n[1] });
          break;
      }
    }
    if (!this.closed) this.emit(changes);
  }
}
