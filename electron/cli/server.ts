/**
 * `flowbook server`: the tracking REST API as a standalone process, with `mlflow server`'s flags:
 * --host (127.0.0.1) --port (5000) --backend-store-uri sqlite:///… (or
 * postgresql://user:password@host:port/db, or http(s):// another tracking server, as MLflow's own
 * server allows) --default-artifact-root URI --artifacts-destination DIR
 * --serve-artifacts|--no-serve-artifacts --workers N (N processes on one port, server-workers.ts;
 * a SQLite file has one writer, so there only 1). MLFLOW_DEPLOYMENTS_TARGET is where
 * `gateway-proxy` forwards, as in MLflow. Prints the URL once listening; Ctrl-C closes cleanly.
 */
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createTrackingServer } from "../tracking/rest/index.ts";
import { defaultStoreUri, openStore, storeFolder } from "../tracking/store/index.ts";
import type { TrackingStore } from "../tracking/types.ts";
import { redactPassword, redactUriIn } from "../host/shown-uri.ts";
import { command, port, storeUri, UsageError, type ValuesOf } from "./args.ts";
import { isServerWorker, leaveWorkerPool, superviseWorkers } from "./server-workers.ts";

/** The `flowbook` command line's entry point, which each worker process runs. */
const FLOWBOOK_BIN = fileURLToPath(new URL("../../bin/flowbook.js", import.meta.url));

/** `--workers N`: how many processes serve the port (whether the store allows several is checked in {@link serve}). */
function workers(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`--workers takes a number of processes (1 or more), not '${text}'`);
  return Number(text);
}

const SERVER = command({
  name: "flowbook server",
  usage: `usage: flowbook server [--host 127.0.0.1] [--port 5000]
                       [--backend-store-uri sqlite:///flowbook.db | postgresql://user:password@host:port/db]
                       [--default-artifact-root URI] [--artifacts-destination ./mlartifacts]
                       [--serve-artifacts | --no-serve-artifacts] [--workers N (PostgreSQL only; SQLite: 1)]`,
  options: {
    host: { type: "string", short: "h", default: "127.0.0.1" },
    port: { type: "string", short: "p", default: 5000, parse: port },
    // The store and artifacts the app uses here (in notebooks/ beside a notebook folder).
    "backend-store-uri": { type: "string", default: () => defaultStoreUri(process.cwd()), parse: storeUri("--backend-store-uri", { http: true }) },
    "default-artifact-root": { type: "string" },
    "artifacts-destination": { type: "string", default: () => resolve(storeFolder(process.cwd()), "mlartifacts") },
    "serve-artifacts": { type: "boolean", negatable: true, default: true },
    workers: { type: "string", short: "w", parse: workers },
  },
});

/** Parsed `flowbook server` options. */
export type ServerOptions = ValuesOf<typeof SERVER>;

function toUri(location: string): string {
  if (/^[a-z][\w+.-]*:/i.test(location) && !/^[a-z]:[\\/]/i.test(location)) return location;
  return pathToFileURL(isAbsolute(location) ? location : resolve(location)).href;
}

/**
 * Where new experiments put artifacts: the given root, else `mlflow-artifacts:/` when serving
 * artifacts (clients upload through the proxy), else `./mlruns` (clients write there directly).
 */
export function defaultArtifactRoot(opts: ServerOptions): string {
  if (opts.defaultArtifactRoot) return toUri(opts.defaultArtifactRoot);
  return opts.serveArtifacts ? "mlflow-artifacts:/" : toUri("./mlruns");
}

/** Runs `flowbook server` until SIGINT/SIGTERM; resolves to the exit code. */
export function serverCommand(args: string[]): Promise<number> {
  return SERVER.run(args, (opts) => serve(opts, args));
}

/** How the server is reached, for the line printed once it listens. */
function serverUrl(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

async function serve(opts: ServerOptions, args: string[]): Promise<number> {
  const count = opts.workers ?? 1;
  if (count > 1 && opts.backendStoreUri.startsWith("sqlite:")) {
    throw new UsageError(
      `--workers ${count} needs a server database: a SQLite file has one writer, so one process serves every request. ` +
        "Use --backend-store-uri postgresql://user:password@host:port/db for several workers, or --workers 1",
    );
  }
  if (isServerWorker()) {
    const code = await serveOne(opts, () => undefined);
    leaveWorkerPool();
    return code;
  }
  const announce = (port: number, what: string) => process.stdout.write(`Flowbook tracking server listening on ${serverUrl(opts.host, port)}${what}\n`);
  if (count === 1) return serveOne(opts, (port) => announce(port, ""));
  // Open the store once before forking: migrations run here, and a wrong URI or password is one
  // clear error instead of N workers failing at once.
  const store = await openBackend(opts);
  if (!store) return 1;
  await store.close();
  return superviseWorkers({
    count,
    // Each worker runs this same command, whoever started this process (a shell, a test, a script).
    exec: FLOWBOOK_BIN,
    args: ["server", ...args],
    ready: (port) => announce(port, ` (${count} worker processes)`),
    log: (message) => process.stderr.write(`flowbook server: ${message}\n`),
  });
}

/** Opens the backend store, or reports why it cannot and resolves to undefined. */
async function openBackend(opts: ServerOptions): Promise<TrackingStore | undefined> {
  try {
    return await openStore(opts.backendStoreUri, { defaultArtifactRoot: defaultArtifactRoot(opts) });
  } catch (error) {
    const uri = opts.backendStoreUri;
    process.stderr.write(`flowbook server: cannot open backend store ${redactPassword(uri)}: ${redactUriIn((error as Error).message, uri)}\n`);
    return undefined;
  }
}

/** One process serving the REST API until SIGINT/SIGTERM; `listening` gets the bound port. */
async function serveOne(opts: ServerOptions, listening: (port: number) => void): Promise<number> {
  const store = await openBackend(opts);
  if (!store) return 1;
  const anyHost = opts.host === "0.0.0.0" || opts.host === "::";
  const { server } = createTrackingServer({
    store,
    artifactsDestination: opts.artifactsDestination,
    serveArtifacts: opts.serveArtifacts,
    allowedHosts: anyHost ? "*" : [opts.host],
    deploymentsTarget: process.env.MLFLOW_DEPLOYMENTS_TARGET || undefined,
  });
  const failed = await new Promise<Error | null>((ok) => {
    server.once("error", ok);
    server.listen(opts.port, opts.host, () => ok(null));
  });
  if (failed) {
    await store.close();
    const code = (failed as NodeJS.ErrnoException).code;
    const why =
      code === "EADDRINUSE"
        ? `port ${opts.port} on ${opts.host} is already in use (is another server running? choose another with --port)`
        : `cannot listen on ${opts.host}:${opts.port}: ${failed.message}`;
    process.stderr.write(`flowbook server: ${why}\n`);
    return 1;
  }
  listening((server.address() as { port: number }).port);
  return new Promise<number>((done) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      server.close(() => void store.close().then(() => done(0), () => done(1)));
      server.closeAllConnections();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
