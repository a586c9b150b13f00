/**
 * WAL checkpoints off the writing thread. SQLite's automatic checkpoint runs inside the COMMIT that
 * grows the WAL past 1,000 pages: that one write copies the WAL back into the database and fsyncs,
 * 8–33 ms here, about 40% of all the time small metric batches spend in the store, and a stall in
 * whichever thread logs (the host's, or the training loop's under `flowbook run`). Instead the
 * writing connection never checkpoints and a worker thread with its own connection runs a PASSIVE
 * checkpoint every second, which waits for no one: frames a reader still uses are left for the
 * next round. Should the worker die, the writing connection checkpoints by itself again.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";

/** How often the worker checkpoints; a round with nothing new only reads the WAL index. */
const INTERVAL_MS = 1000;
/** SQLite's default auto-checkpoint threshold, restored if the worker goes away. */
const AUTO_CHECKPOINT_PAGES = 1000;

/**
 * The worker's code, evaluated as CommonJS: a file would need the TypeScript loader, which the
 * programmatic registration used by the CLI and Electron does not carry into worker threads.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
const timer = setInterval(() => db.pragma("wal_checkpoint(PASSIVE)"), workerData.intervalMs);
parentPort.once("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** A running checkpointer; `stop` ends the worker before the store closes its connection. */
export interface Checkpointer {
  stop(): Promise<void>;
}

/** Hands `db`'s checkpoints (a WAL database at `path`) to a worker thread. */
export function startCheckpointer(db: Database.Database, path: string): Checkpointer {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path, intervalMs: INTERVAL_MS } });
  // A checkpointer must never keep the process alive: closing the store is not always awaited.
  worker.unref();
  let stopping = false;
  db.pragma("wal_autocheckpoint = 0");
  const exited = new Promise<void>((resolve) =>
    worker.once("exit", () => {
      if (!stopping && db.open) db.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
      resolve();
    }),
  );
  worker.once("error", (error) => console.error("tracking store: the WAL checkpoint thread failed; writes checkpoint instead:", error));
  return {
    async stop() {
      stopping = true;
      // Referenced again so that awaiting the exit keeps the process alive until it comes.
      worker.ref();
      worker.postMessage("stop");
      await exited;
    },
  };
}
