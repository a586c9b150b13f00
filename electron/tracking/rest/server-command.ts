/**
 * `flowbook server`: the tracking REST API as a standalone process, with `mlflow server`'s flags:
 * --host (127.0.0.1) --port (5000) --backend-store-uri sqlite:///… --default-artifact-root URI
 * --artifacts-destination DIR --serve-artifacts|--no-serve-artifacts --workers N (accepted; one
 * Node process serves all requests). Prints the URL once listening; Ctrl-C closes cleanly.
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { sqlitePath } from "../client/open-store.ts";
import { SqliteStore } from "../store/index.ts";
import { MlflowError } from "../types.ts";
import { createTrackingServer } from "./http-server.ts";

/** Parsed `flowbook server` options. */
export interface ServerOptions {
  host: string;
  port: number;
  backendStoreUri: string;
  defaultArtifactRoot?: string;
  artifactsDestination: string;
  serveArtifacts: boolean;
}

const USAGE = `usage: flowbook server [--host 127.0.0.1] [--port 5000] [--backend-store-uri sqlite:///flowbook.db]
                       [--default-artifact-root URI] [--artifacts-destination ./mlartifacts]
                       [--serve-artifacts | --no-serve-artifacts] [--workers N]
`;

class UsageError extends Error {}

/** Parses the command line (`--flag value` or `--flag=value`). */
export function parseServerArgs(args: string[]): ServerOptions {
  const opts: ServerOptions = {
    host: "127.0.0.1",
    port: 5000,
    backendStoreUri: "sqlite:///flowbook.db",
    artifactsDestination: "./mlartifacts",
    serveArtifacts: true,
  };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split(/=(.*)/s, 2);
    const value = (): string => {
      const v = inline ?? args[++i];
      if (v === undefined || v === "") throw new UsageError(`missing value for ${flag}`);
      return v;
    };
    switch (flag) {
      case "--host":
      case "-h":
        opts.host = value();
        break;
      case "--port":
      case "-p": {
        const v = value();
        const port = Number(v);
        if (!/^\d+$/.test(v) || port > 65535) throw new UsageError(`invalid port '${v}'`);
        opts.port = port;
        break;
      }
      case "--backend-store-uri":
        opts.backendStoreUri = value();
        break;
      case "--default-artifact-root":
        opts.defaultArtifactRoot = value();
        break;
      case "--artifacts-destination":
        opts.artifactsDestination = value();
        break;
      case "--serve-artifacts":
        opts.serveArtifacts = true;
        break;
      case "--no-serve-artifacts":
        opts.serveArtifacts = false;
        break;
      case "--workers":
      case "-w":
        if (!/^\d+$/.test(value())) throw new UsageError("--workers takes a number");
        break;
      default:
        throw new UsageError(`unknown option '${args[i]}'`);
    }
  }
  return opts;
}

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
export async function serverCommand(args: string[]): Promise<number> {
  if (args.includes("--help")) {
    process.stdout.write(USAGE);
    return 0;
  }
  let opts: ServerOptions;
  let path: string;
  try {
    opts = parseServerArgs(args);
    if (!opts.backendStoreUri.startsWith("sqlite:")) {
      throw new UsageError(`unsupported --backend-store-uri '${opts.backendStoreUri}': expected sqlite:///relative.db or sqlite:////absolute.db`);
    }
    path = sqlitePath(opts.backendStoreUri);
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof MlflowError)) throw error;
    process.stderr.write(`flowbook server: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  let store: SqliteStore;
  try {
    store = await SqliteStore.open({ path, defaultArtifactRoot: defaultArtifactRoot(opts) });
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
  const { port } = server.address() as { port: number };
  const shown = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  process.stdout.write(`Flowbook tracking server listening on http://${shown}:${port}\n`);
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
