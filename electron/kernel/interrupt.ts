/**
 * Stopping a cell that never yields, without losing the heap (issue 12 item 2). A synchronous loop
 * blocks the kernel's event loop, so the `interrupt` command waits unread in the IPC channel. The
 * host therefore also writes a byte to a pipe that a listener thread of the kernel process reads;
 * the thread counts it in memory shared with the main thread, and `compile.ts` puts a check of
 * that count at the top of every loop body of a cell, which throws the kernel's interruption. Each
 * Stop is one byte and one `interrupt` command: a Stop is pending while more bytes were counted
 * than commands answered, so a byte read before or after its command never leaves one pending. The
 * kernel answers a command once the cell it interrupted has ended (a cell swallowing the abort and
 * then spinning still meets the check) and before the next cell starts (which must not).
 *
 * Why not end the running JavaScript from outside instead: `Runtime.terminateExecution` (an
 * inspector session on a watchdog thread) unwinds Node's own frames too, and Node aborts the
 * process ("async hook stack has become corrupted") when a timer, an immediate or a promise
 * continuation under AsyncLocalStorage is terminated; `vm`'s `breakOnSigint` only covers the
 * synchronous part of one `runInContext` call, not a loop after an `await` or in a timer.
 * A spin outside the cell's own loops (inside a library call) still needs the host's restart.
 */
import { Worker } from "node:worker_threads";

/** What an interrupt throws into the running cell (one instance: a stack per run is not free). */
export class Interruption extends Error {
  override name = "Interrupted";
}
export const INTERRUPTED = new Interruption("interrupted");

/** Indices into the shared counts; `compile.ts` writes the check `counts[0] > counts[1]` into cells. */
const REQUESTED = 0;
const ANSWERED = 1;

/**
 * Stops requested through the pipe and `interrupt` commands answered, shared with the listener
 * thread: one per process (`interruptCounts`), as there is one pipe.
 */
class InterruptCounts {
  readonly counts = new Int32Array(new SharedArrayBuffer(8));
  /** When the listener counted the first Stop not answered yet (ms since epoch). */
  readonly since = new Float64Array(new SharedArrayBuffer(8));

  /** Whether a Stop came through the pipe whose `interrupt` command the kernel has not answered yet. */
  get pending(): boolean {
    return Atomics.load(this.counts, REQUESTED) > Atomics.load(this.counts, ANSWERED);
  }

  /**
   * When the pending Stop reached the kernel process, if one is pending. The `interrupt` command
   * may be read much later (after the loop it stopped): a run requested in between is not older.
   */
  get requestedAt(): number | undefined {
    return this.pending ? this.since[0] : undefined;
  }

  /** The kernel answered one `interrupt` command (the interrupted cells have ended). */
  answered(): void {
    Atomics.add(this.counts, ANSWERED, 1);
  }
}

export const interruptCounts = new InterruptCounts();

/** The env variable naming the kernel process's interrupt pipe (a file descriptor number). */
export const INTERRUPT_FD_ENV = "FLOWBOOK_INTERRUPT_FD";

/**
 * The listener's code, evaluated as CommonJS (a file would need the TypeScript loader, which worker
 * threads of the CLI and Electron do not carry). A socket, not a blocking read: a thread blocked in
 * `read` would keep the process from exiting.
 */
const LISTENER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { Socket } = require("node:net");
const pipe = new Socket({ fd: workerData.fd, readable: true, writable: false });
pipe.on("data", (bytes) => {
  const { counts, since } = workerData;
  if (Atomics.load(counts, ${REQUESTED}) <= Atomics.load(counts, ${ANSWERED})) since[0] = Date.now();
  Atomics.add(counts, ${REQUESTED}, bytes.length);
});
pipe.on("error", () => pipe.destroy());
`;

/** Starts the thread counting Stops written to pipe `fd` (from `INTERRUPT_FD_ENV`); without one, nothing. */
export function listenForInterrupts(fd: string | undefined): void {
  if (fd === undefined || !/^\d+$/.test(fd)) return;
  const worker = new Worker(LISTENER_SOURCE, { eval: true, workerData: { fd: Number(fd), counts: interruptCounts.counts, since: interruptCounts.since } });
  worker.unref();
  // Without the thread, Stop still works for cells that yield; a loop that never does is restarted by the host.
  worker.on("error", (err) => process.stderr.write(`flowbook kernel: the interrupt listener stopped: ${err.message}\n`));
}
