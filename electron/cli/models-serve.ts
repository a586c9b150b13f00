/**
 * `flowbook models serve -m <model-uri> [-p 5001] [--host 127.0.0.1] [--tracking-uri URI]`: loads a
 * model (any URI `loadModel` takes: `runs:/…`, `models:/name@alias`, `models:/name/Stage|N|latest`,
 * an artifact location) and serves MLflow's scoring protocol, as `mlflow models serve` does.
 * The tracking URI defaults to MLFLOW_TRACKING_URI, else the app's store there (`defaultStoreUri`). Loopback by
 * default: scoring has no authentication. Prints the URL once listening; Ctrl-C stops it.
 */
import { existsSync } from "node:fs";
import { createMlflow, sqlitePath } from "../tracking/client/index.ts";
import { defaultStoreUri, openOwnedStore } from "../tracking/store/index.ts";
import { MlflowError } from "../tracking/types.ts";
import type { LoadedModel } from "../ml/model-dir.ts";
import { flowbookVersion, startScoringServer } from "../ml/scoring-server.ts";
import { loadModel } from "../ml/tfjs-mlflow.ts";
import { command, port, type ValuesOf } from "./args.ts";

const SERVE = command({
  name: "flowbook models serve",
  usage: "usage: flowbook models serve -m MODEL_URI [-p 5001] [--host 127.0.0.1] [--tracking-uri URI]",
  options: {
    "model-uri": {
      type: "string",
      short: "m",
      required: true,
      description: "runs:/<run_id>/<path>, models:/<name>@<alias>, models:/<name>/<version|stage|latest>",
    },
    port: { type: "string", short: "p", default: 5001, parse: port, description: "port to listen on (default 5001; 0 picks a free one)" },
    host: {
      type: "string",
      short: "h",
      default: "127.0.0.1",
      description: "interface to bind (default 127.0.0.1; 0.0.0.0 exposes the model to the network)",
    },
    "tracking-uri": {
      type: "string",
      // The store the app uses here (notebooks/flowbook.db beside a notebook folder).
      default: (env) => env.MLFLOW_TRACKING_URI || defaultStoreUri(process.cwd()),
      description: "tracking store (default: MLFLOW_TRACKING_URI, else the app's: notebooks/flowbook.db, or ./flowbook.db without notebooks/)",
    },
  },
});

/** Parsed `flowbook models serve` options. */
export type ServeOptions = ValuesOf<typeof SERVE>;

/** Parses `serve`'s arguments; the tracking URI defaults from `env`. Throws `UsageError`. */
export const parseServeArgs: (args: string[], env?: NodeJS.ProcessEnv) => ServeOptions = SERVE.parse;

/** The file a sqlite: URI names, or "" (never existing) for a malformed one, which then fails to open. */
function sqliteFile(uri: string): string {
  try {
    return sqlitePath(uri);
  } catch {
    return "";
  }
}

async function serve(opts: ServeOptions): Promise<number> {
  // Opening a missing SQLite file would create an empty store and report the model as unknown.
  if (opts.trackingUri.startsWith("sqlite:") && !existsSync(sqliteFile(opts.trackingUri))) {
    process.stderr.write(`flowbook models serve: no tracking store at ${opts.trackingUri} (set --tracking-uri or MLFLOW_TRACKING_URI)\n`);
    return 1;
  }
  const mlflow = createMlflow(opts.trackingUri, openOwnedStore);
  let model: LoadedModel;
  try {
    model = await loadModel(mlflow, opts.modelUri);
  } catch (error) {
    await mlflow.close().catch(() => undefined);
    // A registry miss already names the URI and the store (see loadModel).
    const why = (error as Error).message;
    const said = error instanceof MlflowError && why.startsWith("cannot load ") ? why : `cannot load ${opts.modelUri} from ${opts.trackingUri}: ${why}`;
    process.stderr.write(`flowbook models serve: ${said}\n`);
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
  if (sub === "serve") return SERVE.run(rest, serve);
  if (sub === "--help" || sub === undefined) {
    process.stdout.write(SERVE.help);
    return sub ? 0 : 2;
  }
  process.stderr.write(`flowbook models: unknown subcommand '${sub}'\n\n${SERVE.help}`);
  return 2;
}
