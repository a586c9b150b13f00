/**
 * `flowbook models serve -m <model-uri> [-p 5001] [--host 127.0.0.1] [--tracking-uri URI]`: loads a
 * model (any URI `loadModel` takes: `runs:/…`, `models:/name@alias`, `models:/name/Stage|N|latest`,
 * an artifact location) and serves MLflow's scoring protocol, as `mlflow models serve` does.
 * The tracking URI defaults to MLFLOW_TRACKING_URI, else `sqlite:///flowbook.db`. Loopback by
 * default: scoring has no authentication. Prints the URL once listening; Ctrl-C stops it.
 */
import { existsSync, readFileSync } from "node:fs";
import { createMlflow, sqlitePath } from "../tracking/client/index.ts";
import { MlflowError } from "../tracking/types.ts";
import type { LoadedModel } from "./model-dir.ts";
import { startScoringServer } from "./scoring-server.ts";
import { loadModel } from "./tfjs-mlflow.ts";

const USAGE = `usage: flowbook models serve -m MODEL_URI [-p 5001] [--host 127.0.0.1] [--tracking-uri URI]

  -m, --model-uri     runs:/<run_id>/<path>, models:/<name>@<alias>, models:/<name>/<version|stage|latest>
  -p, --port          port to listen on (default 5001; 0 picks a free one)
  -h, --host          interface to bind (default 127.0.0.1; 0.0.0.0 exposes the model to the network)
  --tracking-uri      tracking store (default: MLFLOW_TRACKING_URI, else sqlite:///flowbook.db)
`;

/** Parsed `flowbook models serve` options. */
export interface ServeOptions {
  modelUri: string;
  port: number;
  host: string;
  trackingUri: string;
}

class UsageError extends Error {}

/** Parses `serve`'s arguments (`--flag value` or `--flag=value`). */
export function parseServeArgs(args: string[], env: NodeJS.ProcessEnv = process.env): ServeOptions {
  let modelUri: string | undefined;
  const opts = { port: 5001, host: "127.0.0.1", trackingUri: env.MLFLOW_TRACKING_URI || "sqlite:///flowbook.db" };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = (): string => {
      const v = inline ?? args[++i];
      if (v === undefined || v === "") throw new UsageError(`missing value for ${flag}`);
      return v;
    };
    switch (flag) {
      case "-m":
      case "--model-uri":
        modelUri = value();
        break;
      case "-p":
      case "--port": {
        const v = value();
        if (!/^\d+$/.test(v) || Number(v) > 65535) throw new UsageError(`invalid port '${v}'`);
        opts.port = Number(v);
        break;
      }
      case "-h":
      case "--host":
        opts.host = value();
        break;
      case "--tracking-uri":
        opts.trackingUri = value();
        break;
      default:
        throw new UsageError(`unknown option '${args[i]}'`);
    }
  }
  if (!modelUri) throw new UsageError("missing -m/--model-uri");
  return { modelUri, ...opts };
}

/** The file a sqlite: URI names, or "" (never existing) for a malformed one, which then fails to open. */
function sqliteFile(uri: string): string {
  try {
    return sqlitePath(uri);
  } catch {
    return "";
  }
}

/** The version `/version` answers: this package's. */
export function flowbookVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

async function serve(args: string[]): Promise<number> {
  let opts: ServeOptions;
  try {
    opts = parseServeArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`flowbook models serve: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  // Opening a missing SQLite file would create an empty store and report the model as unknown.
  if (opts.trackingUri.startsWith("sqlite:") && !existsSync(sqliteFile(opts.trackingUri))) {
    process.stderr.write(`flowbook models serve: no tracking store at ${opts.trackingUri} (set --tracking-uri or MLFLOW_TRACKING_URI)\n`);
    return 1;
  }
  const mlflow = createMlflow(opts.trackingUri);
  let model: LoadedModel;
  try {
    model = await loadModel(mlflow, opts.modelUri);
  } catch (error) {
    await mlflow.close().catch(() => undefined);
    const why = error instanceof MlflowError ? error.message : (error as Error).message;
    process.stderr.write(`flowbook models serve: cannot load ${opts.modelUri} from ${opts.trackingUri}: ${why}\n`);
    return 1;
  }
  // The model is in memory; the tracking store is not needed while serving.
  await mlflow.close();
  let server;
  let url: string;
  try {
    ({ server, url } = await startScoringServer(model, { port: opts.port, host: opts.host, version: flowbookVersion() }));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "EADDRINUSE"
        ? `port ${opts.port} on ${opts.host} is already in use (choose another with -p)`
        : `cannot listen on ${opts.host}:${opts.port}: ${(error as Error).message}`;
    process.stderr.write(`flowbook models serve: ${why}\n`);
    return 1;
  }
  const shown = opts.host.includes(":") ? url.replace(`//${opts.host}`, `//[${opts.host}]`) : url;
  process.stdout.write(`Serving ${opts.modelUri} on ${shown} (POST ${shown}/invocations)\n`);
  return new Promise<number>((done) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      server.close(() => done(0));
      server.closeAllConnections();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** `flowbook models <subcommand>`; resolves to the exit code. */
export async function modelsCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "serve") return rest.includes("--help") ? (process.stdout.write(USAGE), 0) : serve(rest);
  if (sub === "--help" || sub === undefined) {
    process.stdout.write(USAGE);
    return sub ? 0 : 2;
  }
  process.stderr.write(`flowbook models: unknown subcommand '${sub}'\n\n${USAGE}`);
  return 2;
}
