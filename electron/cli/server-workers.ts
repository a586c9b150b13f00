/**
 * `flowbook server --workers N` on a server database: N processes serving one port. Node's cluster
 * module runs the same command in each worker, and the workers share the listening socket, each
 * accepting connections from it itself, so a client sees one server. Not Node's default on Linux
 * (the primary accepts and hands connections round-robin): a connection handed to a worker as it
 * dies stays open in the primary with nobody to read it, and its client hangs until its own
 * timeout (seen here: a logger waited 300 s after a kill -9). The primary only supervises: a
 * worker that dies is replaced, SIGINT/SIGTERM stops every worker, and a worker that cannot start
 * at all (bad store, busy port) stops the whole server.
 */
import cluster, { type Worker } from "node:cluster";

/** How a supervised server reports. */
export interface WorkerPoolOptions {
  count: number;
  /** The script each worker runs, and its arguments (a command line that serves one process's share). */
  exec: string;
  args: string[];
  /** Called once, when every first worker listens, with the port they share. */
  ready(port: number): void;
  /** Lines for the operator (a worker replaced, a replacement failing). */
  log(message: string): void;
}

/** A replacement that fails before listening is retried after this delay, doubled each time up to the cap. */
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30_000;

/** Whether this process is one of the workers {@link superviseWorkers} started. */
export function isServerWorker(): boolean {
  return cluster.isWorker;
}

/**
 * Lets a worker whose server has closed exit: its channel to the primary would keep it alive.
 */
export function leaveWorkerPool(): void {
  cluster.worker?.disconnect();
}

/**
 * Starts `count` workers running `exec` with `args` and supervises them until SIGINT or
 * SIGTERM; resolves to the exit code (1 when the first workers could not start).
 */
export function superviseWorkers(opts: WorkerPoolOptions): Promise<number> {
  return new Promise<number>((done) => {
    const listening = new Set<Worker>();
    /** Workers started to replace a dead one; they may fail (the database is down, say) without stopping the rest. */
    const replacements = new Set<Worker>();
    let started = false;
    let stopping = false;
    let retryMs = RETRY_FIRST_MS;
    let retry: NodeJS.Timeout | undefined;
    const describe = (code: number | null, signal: string | null) => (signal ? `killed by ${signal}` : `exited with code ${code}`);

    const stop = (code: number): void => {
      if (stopping) return;
      stopping = true;
      clearTimeout(retry);
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
      if (alive.length === 0) return finish(code);
      let left = alive.length;
      for (const w of alive) {
        w.once("exit", () => --left === 0 && finish(code));
        // Each worker closes its connections and its store on SIGTERM, as a single server does on Ctrl-C.
        w.process.kill("SIGTERM");
      }
    };
    const finish = (code: number): void => {
      cluster.off("listening", onListening);
      cluster.off("exit", onExit);
      done(code);
    };
    const onSignal = (): void => stop(0);

    const onListening = (worker: Worker, address: { port: number }): void => {
      listening.add(worker);
      if (replacements.delete(worker)) retryMs = RETRY_FIRST_MS;
      if (!started && listening.size === opts.count) {
        started = true;
        opts.ready(address.port);
      }
    };
    const onExit = (worker: Worker, code: number | null, signal: string | null): void => {
      const wasListening = listening.delete(worker);
      const wasReplacement = replacements.delete(worker);
      if (stopping) return;
      if (!started && !wasListening) {
        // The worker said why on the shared stderr; a server that cannot start is not left half up.
        opts.log(`a worker could not start (${describe(code, signal)}); stopping`);
        return stop(1);
      }
      if (wasReplacement && !wasListening) {
        opts.log(`the replacement worker could not start (${describe(code, signal)}); trying again in ${retryMs / 1000} s`);
        retry = setTimeout(replace, retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
        return;
      }
      opts.log(`worker ${worker.process.pid} ${describe(code, signal)}; starting another`);
      replace();
    };
    const replace = (): void => {
      if (!stopping) replacements.add(cluster.fork());
    };

    cluster.schedulingPolicy = cluster.SCHED_NONE;
    cluster.setupPrimary({ exec: opts.exec, args: opts.args });
    cluster.on("listening", onListening);
    cluster.on("exit", onExit);
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    for (let i = 0; i < opts.count; i++) cluster.fork();
  });
}
