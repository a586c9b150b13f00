/**
 * `flowbook server`: the tracking REST API as a standalone process, with `mlflow server`'s flags:
 * --host (127.0.0.1) --port (5000) --backend-store-uri sqlite:///… --default-artifact-root URI
 * --artifacts-destination DIR --serve-artifacts|--no-serve-artifacts --workers N (accepted; one
 * Node process serves all requests). Prints the URL once listening; Ctrl-C closes cleanly.
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { sqlitePath } from "../tracking/client/index.ts";
import { createTrackingServer } from "../tracking/rest/index.ts";
import { SqliteStore } from "../tracking/store/index.ts";
import { MlflowError } from "../tracking/types.ts";
import { command, port, UsageError, type ValuesOf } from "./args.ts";

/** A backend store URI, checked: only SQLite (`sqlite:///relative.db`, `sqlite:////absolute.db`) is supported. */
function sqliteUri(uri: string): string {
  if (!uri.startsWith("sqlite:")) {
    throw new UsageError(`unsupported --backend-store-uri '${uri}': expected sqlite:///relative.db or sqlite:////absolute.db`);
  }
  try {
    sqlitePath(uri);
  } catch (error) {
    if (error instanceof MlflowError) throw new UsageError(error.message);
    throw error;
  }
  return uri;
}

/** `--workers N`, checked and then unused: one Node process serves all requests. */
function workers(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError("--workers takes a number");
  return Number(text);
}

const SERVER = command({
  name: "flowbook server",
  usage: `usage: flowbook server [--host 127.0.0.1] [--port 5000] [--backend-store-uri sqlite:///flowbook.db]
                       [--default-artifact-root URI] [--artifacts-destination ./mlartifacts]
                       [--serve-artifacts | --no-serve-artifacts] [--workers N]`,
  options: {
    host: { type: "string", short: "h", default: "127.0.0.1" },
    port: { type: "string", short: "p", default: 5000, parse: port },
    "backend-store-uri": { type: "string", default: "sqlite:///flowbook.db", parse: sqliteUri },
    "default-artifact-root": { type: "string" },
    "artifacts-destination": { type: "string", default: "./mlartifacts" },
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
  let store: SqliteStore;
  try {
    store = await SqliteStore.open({ path: sqlitePath(opts.backendStoreUri), defaultArtifactRoot: defaultArtifactRoot(opts) });
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
