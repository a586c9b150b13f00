/**
 * WAL checkpoints off the writing thread. SQLite's automatic checkpoint runs inside the COMMIT that
 * grows the WAL past 1,000 pages: that one write copies the WAL back into the database and fsyncs,
 * 8–33 ms here, about 40% of all the time small metric batches spend in the store, and a stall in
 * whichever thread logs (the host's, or the training loop's under `flowbook run`). Instead the
 * writing connection never checkpoints and a worker thread with its own connection runs a PASSIVE
 * checkpoint every second, which waits for no one: frames a reader still uses are left for the
 * next round. Should the worker die, the writing connection checkpoints by itself again.
 *
 * Under writes that never pause (a server taking log-metric calls back to back, a training loop)
 * the worker's pass never ends with every frame copied, as commits keep landing while it copies;
 * SQLite rewinds the WAL only then, so it would grow without bound (300 MB in 4 s of log-metric
 * requests here) and every commit would pay for fresh file pages (10–25% of such a request's CPU).
 * So when a pass finds a WAL past {@link AUTO_CHECKPOINT_PAGES}, the worker asks the writing
 * connection to copy the rest itself (only the pages changed during the pass: about a millisecond
 * here), after which the next commit rewinds the WAL; while writes keep coming, the worker comes
 * back every 250 ms.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";

/** How often the worker checkpoints; a round with nothing new only reads the WAL index. */
const INTERVAL_MS = 1000;
/** How soon the next round comes after one that found a big WAL: it keeps the WAL (and each round's fsync) small under steady writes. */
const BUSY_INTERVAL_MS = 250;
/** SQLite's default auto-checkpoint threshold: restored if the worker goes away, and the WAL size past which the writer finishes a pass. */
const AUTO_CHECKPOINT_PAGES = 1000;

/**
 * The worker's code, evaluated as CommonJS: a file would need the TypeScript loader, which the
 * programmatic registration used by the CLI and Electron does not carry into worker threads.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
let timer;
let lastLog = 0;
const pass = () => {
  const [{ log }] = db.pragma("wal_checkpoint(PASSIVE)");
  // What this pass copied is what the WAL held when it began: commits landing meanwhile keep the
  // WAL from rewinding, so a big one is finished by the writer, which no commit can overlap. A WAL
  // that has not changed since the last pass is all copied already and waits for the next commit.
  const busy = log >= workerData.finishFrames && log !== lastLog;
  lastLog = log;
  if (busy) parentPort.postMessage("finish");
  timer = setTimeout(pass, busy ? workerData.busyIntervalMs : workerData.intervalMs);
};
timer = setTimeout(pass, workerData.intervalMs);
parentPort.once("message", () => {
  clearTimeout(timer);
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
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path, intervalMs: INTERVAL_MS, busyIntervalMs: BUSY_INTERVAL_MS, finishFrames: AUTO_CHECKPOINT_PAGES } });
  let stopping = false;
  db.pragma("wal_autocheckpoint = 0");
  const exited = new Promise<void>((resolve) =>
    worker.once("exit", () => {
      if (!stopping && db.open) db.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
      resolve();
    }),
  );
  worker.on("message", () => {
    try {
      if (db.open) db.pragma("wal_checkpoint(PASSIVE)");
    } catch {
      // The connection is mid-iteration: the worker asks again after its next pass.
    }
  });
  // A checkpointer must never keep the process alive: closing the store is not always awaited.
  // After the listener, which refs the worker's port again when added.
  worker.unref();
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
