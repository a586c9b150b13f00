/**
 * `flowbook server`: the tracking REST API as a standalone process, with `mlflow server`'s flags:
 * --host (127.0.0.1) --port (5000) --backend-store-uri sqlite:///… (or http(s):// another tracking
 * server, as MLflow's own server allows) --default-artifact-root URI --artifacts-destination DIR
 * --serve-artifacts|--no-serve-artifacts --workers N (only 1: one Node process, the database's one
 * writer, serves every request). MLFLOW_DEPLOYMENTS_TARGET is where `gateway-proxy` forwards, as
 * in MLflow. Prints the URL once listening; Ctrl-C closes cleanly.
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { isHttpUri, sqlitePath } from "../tracking/client/index.ts";
import { createTrackingServer } from "../tracking/rest/index.ts";
import { defaultStoreUri, openStore, SqliteStore, storeFolder } from "../tracking/store/index.ts";
import { MlflowError, type TrackingStore } from "../tracking/types.ts";
import { command, port, UsageError, type ValuesOf } from "./args.ts";

/** A backend store URI, checked: SQLite (`sqlite:///relative.db`, `sqlite:////absolute.db`) or another tracking server (`http(s)://`). */
function backendUri(uri: string): string {
  if (isHttpUri(uri)) return uri;
  if (!uri.startsWith("sqlite:")) {
    throw new UsageError(`unsupported --backend-store-uri '${uri}': expected sqlite:///relative.db, sqlite:////absolute.db or http(s)://host:port`);
  }
  try {
    sqlitePath(uri);
  } catch (error) {
    if (error instanceof MlflowError) throw new UsageError(error.message);
    throw error;
  }
  return uri;
}

/**
 * `--workers N`: only 1. One Node process serves every request and is the SQLite database's one
 * writer; several processes come with a server database (PostgreSQL), not before.
 */
function workers(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError("--workers takes a number");
  const n = Number(text);
  if (n !== 1) {
    throw new UsageError(
      `--workers ${text} is not supported: one process serves every request (it is the SQLite store's one writer); use --workers 1 or leave it out`,
    );
  }
  return n;
}

const SERVER = command({
  name: "flowbook server",
  usage: `usage: flowbook server [--host 127.0.0.1] [--port 5000] [--backend-store-uri sqlite:///flowbook.db]
                       [--default-artifact-root URI] [--artifacts-destination ./mlartifacts]
                       [--serve-artifacts | --no-serve-artifacts] [--workers 1]`,
  options: {
    host: { type: "string", short: "h", default: "127.0.0.1" },
    port: { type: "string", short: "p", default: 5000, parse: port },
    // The store and artifacts the app uses here (in notebooks/ beside a notebook folder).
    "backend-store-uri": { type: "string", default: () => defaultStoreUri(process.cwd()), parse: backendUri },
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
  return SERVER.run(args, serve);
}

async function serve(opts: ServerOptions): Promise<number> {
  let store: TrackingStore;
  try {
    store = isHttpUri(opts.backendStoreUri)
      ? await openStore(opts.backendStoreUri)
      : await SqliteStore.open({ path: sqlitePath(opts.backendStoreUri), defaultArtifactRoot: defaultArtifactRoot(opts) });
  } catch (error) {
    process.stderr.write(`flowbook server: cannot open backend store ${opts.backendStoreUri}: ${(error as Error).message}\n`);
    return 1;
  }
  const anyHost = opts.host === "0.0.0.0" || opts.host === "::";
  const { server } = createTrackingServer({
    store,
    artifactsDestination: opts.artifactsDestination,
    serveArtifacts: opts.serveArtifacts,
    allowedHosts: anyHost ? "*" : [opts.host],
    deploymentsTarget: process.env.MLFLOW_DEPLOYMENTS_TARGET || undefined,
  });
  const listening = await new Promise<Error | null>((ok) => {
    server.once("error", ok);
    server.listen(opts.port, opts.host, () => ok(null));
  });
  if (listening) {
    await store.close();
    const code = (listening as NodeJS.ErrnoException).code;
    const why =
      code === "EADDRINUSE"
        ? `port ${opts.port} on ${opts.host} is already in use (is another server running? choose another with --port)`
        : `cannot listen on ${opts.host}:${opts.port}: ${listening.message}`;
    process.stderr.write(`flowbook server: ${why}\n`);
    return 1;
  }
  const bound = (server.address() as { port: number }).port;
  const shown = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  process.stdout.write(`Flowbook tracking server listening on http://${shown}:${bound}\n`);
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
