/**
 * `flowbook edit nb.ts` and `flowbook start` (`npm start`): open notebooks in the desktop app when
 * Electron's binary is installed, else in browser mode — the same host and renderer over a
 * WebSocket, in a Chromium `--app` window when one is installed. Ctrl-C stops the kernel and
 * closes the store cleanly. The store is `flowbook.db` beside the notebooks unless `--tracking-uri`
 * names another SQLite file or a PostgreSQL database (which other apps and `flowbook server`s may share).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { defaultSettingsFile } from "../host/app-settings.ts";
import { createHost, type Host } from "../host/host.ts";
import { startHttpServer, type HttpServerOptions, type RunningServer } from "../host/http-server.ts";
import { newNotebook, saveNotebook } from "../notebook/index.ts";
import { redactUriIn } from "../host/shown-uri.ts";
import { sqlitePath } from "../tracking/client/index.ts";
import { defaultStoreUri } from "../tracking/store/index.ts";
import { appOutputLimit, command, NO_OPEN_OPTION, OUTPUT_LIMIT_OPTION, port, storeUri, UsageError, type ValuesOf } from "./args.ts";
import { electronBinary } from "./electron-binary.ts";
import { bundleElectron, ELECTRON_MAIN } from "./electron-bundle.ts";
import { openBrowser } from "./open-browser.ts";
import { notebookParams, paramsHelp, PARAM_OPTIONS } from "./params.ts";
import type { NotebookParams } from "../protocol.ts";

/** The port browser mode tries first; a busy one falls back to any free port. */
export const DEFAULT_PORT = 2718;

/** What `edit` and `start` both take; only `edit` may be given the path. */
const LAUNCH = {
  options: {
    port: { type: "string", parse: port, description: `browser mode's port (default ${DEFAULT_PORT}, else a free one)` },
    "no-open": NO_OPEN_OPTION,
    browser: { type: "boolean", default: false, description: "browser mode even where Electron is installed" },
    // The app-wide output limit; a notebook's header line overrides it.
    "output-limit": OUTPUT_LIMIT_OPTION,
    ...PARAM_OPTIONS,
    // A remote MLflow server is browsed from the app (Connect to tracking server…); the app's own store is a database it opens.
    "tracking-uri": { type: "string", parse: storeUri("--tracking-uri", { http: false }), description: "the app's store: sqlite:///path.db or postgresql://… (default: the one beside the notebooks)" },
    "artifacts-destination": { type: "string", parse: (text: string) => resolve(text), description: "the artifacts folder (default: mlartifacts beside the store)" },
  },
  positional: { name: "notebook" },
} as const;

const EDIT = command({
  name: "flowbook edit",
  usage: `usage: flowbook edit path/to/notebook.ts [--port N] [--no-open] [--browser] [--output-limit 16MB] [-P name=value …] [--params file.json]
                     [--tracking-uri sqlite:///path.db | postgresql://user:password@host:port/db] [--artifacts-destination DIR]`,
  ...LAUNCH,
  moreHelp: paramsHelp,
});
const START = command({
  name: "flowbook start",
  usage: `usage: flowbook start [--port N] [--no-open] [--browser] [--output-limit 16MB] [-P name=value …] [--params file.json]
                      [--tracking-uri sqlite:///path.db | postgresql://user:password@host:port/db] [--artifacts-destination DIR]`,
  ...LAUNCH,
  moreHelp: paramsHelp,
});

/** Parsed launch options shared by `edit` and `start`. */
export interface LaunchOptions {
  notebook?: string;
  port?: number;
  open: boolean;
  /** Browser mode even when Electron is installed. */
  browser: boolean;
  /** The app-wide output limit in bytes (`--output-limit`, else `FLOWBOOK_OUTPUT_LIMIT`); absent: the built-in 8 MB. */
  outputLimit?: number;
  /** The store the host opens (`--tracking-uri`); absent: `flowbook.db` in the notebook folder. */
  trackingUri?: string;
  /** The artifacts folder, absolute (`--artifacts-destination`); absent: the host's default. */
  artifactsDestination?: string;
  /** The notebook parameters (`-P`, `--params`). */
  params: NotebookParams;
}

function launchOptions({ noOpen, outputLimit, param, params, ...rest }: ValuesOf<typeof EDIT>, env: NodeJS.ProcessEnv = process.env): LaunchOptions {
  const limit = appOutputLimit(outputLimit, env);
  return { ...rest, open: !noOpen, params: notebookParams({ param, params }), ...(limit !== undefined ? { outputLimit: limit } : {}) };
}

/** Parses `[path] [--port N] [--no-open] [--browser] [--output-limit SIZE] [-P name=value] [--params file] [--tracking-uri URI] [--artifacts-destination DIR]`; throws `UsageError`. */
export function parseLaunchArgs(args: string[], env: NodeJS.ProcessEnv = process.env): LaunchOptions {
  return launchOptions(EDIT.parse(args, env), env);
}

/** `flowbook edit`: opens (creating when missing) one notebook; resolves to the exit code. */
export function editCommand(args: string[]): Promise<number> {
  return EDIT.run(args, async (values) => {
    const opts = launchOptions(values);
    if (!opts.notebook) throw new UsageError("missing the notebook path");
    if (!opts.notebook.endsWith(".ts")) throw new UsageError(`'${opts.notebook}' is not a .ts notebook file`);
    const path = resolve(opts.notebook);
    if (!existsSync(path)) {
      mkdirSync(dirname(path), { recursive: true });
      await saveNotebook(path, newNotebook());
      process.stdout.write(`Created ${path}\n`);
    }
    return launch({ ...opts, notebook: path }, dirname(path));
  });
}

/** `flowbook start`: opens `notebooks/` (the example notebook on first run). */
export function startCommand(args: string[]): Promise<number> {
  return START.run(args, async (values) => {
    const opts = launchOptions(values);
    if (opts.notebook) throw new UsageError(`unexpected argument '${opts.notebook}' (use flowbook edit to open a file)`);
    const dir = resolve("notebooks");
    mkdirSync(dir, { recursive: true });
    return launch({ ...opts, notebook: await startingNotebook(dir, opts.trackingUri) }, dir);
  });
}

/**
 * The notebook `start` opens: on first run (no store file yet: `flowbook.db` in `dir`, or the SQLite
 * file `trackingUri` names) the example, else the one edited last; an empty folder gets a new
 * `untitled.ts`. A server database is shared with others, so it never makes a first run.
 */
export async function startingNotebook(dir: string, trackingUri?: string): Promise<string> {
  const files = readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")).sort();
  if (files.length === 0) {
    const path = join(dir, "untitled.ts");
    await saveNotebook(path, newNotebook());
    return path;
  }
  const uri = trackingUri ?? defaultStoreUri(dir);
  const storeFile = uri.startsWith("sqlite:") ? sqlitePath(uri) : undefined;
  if (storeFile !== undefined && !existsSync(storeFile)) {
    return join(dir, files.find((f) => /intro|example|welcome/i.test(f)) ?? files[0]);
  }
  const byTime = files.map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs })).sort((a, b) => b.t - a.t);
  return join(dir, byTime[0].f);
}

async function launch(opts: LaunchOptions, dir: string): Promise<number> {
  const electron = opts.browser ? undefined : electronBinary();
  if (electron) return launchElectron(electron, opts, dir);
  process.stdout.write(`Flowbook: browser mode (${opts.browser ? "--browser given" : "Electron is not installed"})\n`);
  let host: Host;
  try {
    host = await createHost({
      notebookDir: dir,
      notebookPath: opts.notebook,
      trackingUri: opts.trackingUri,
      artifactsDestination: opts.artifactsDestination,
      settingsFile: defaultSettingsFile(),
      params: opts.params,
      ...(opts.outputLimit ? { outputLimits: { outputBytes: opts.outputLimit } } : {}),
    });
  } catch (err) {
    // A malformed notebook or an unopenable store: say which, without a stack trace or a password.
    const message = (err as Error).message;
    process.stderr.write(`flowbook: ${opts.trackingUri ? redactUriIn(message, opts.trackingUri) : message}\n`);
    return 1;
  }
  let server: RunningServer;
  try {
    server = await listen({ host }, opts.port);
  } catch (err) {
    await host.close();
    process.stderr.write(`flowbook: ${(err as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`${server.url}\n`);
  if (opts.open) process.stdout.write(`${await openBrowser(server.url)}\n`);
  process.stdout.write(`Python: MLFLOW_TRACKING_URI=${server.origin}  ·  Ctrl-C to stop\n`);
  return serveUntilStopped(server, host);
}

/** Resolves to the exit code once Ctrl-C or SIGTERM has closed `server`, then `host` (its kernels and store). */
export function serveUntilStopped(server: RunningServer, host: { close(): Promise<void> }): Promise<number> {
  return new Promise<number>((done) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      server
        .close()
        .then(() => host.close())
        .then(
          () => done(0),
          (err: unknown) => {
            process.stderr.write(`flowbook: shutdown failed: ${(err as Error).message}\n`);
            done(1);
          },
        );
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** Listens on `port`, or on DEFAULT_PORT falling back to a free port when it is taken. */
export async function listen(opts: Omit<HttpServerOptions, "port">, port: number | undefined): Promise<RunningServer> {
  if (port !== undefined) return startHttpServer({ ...opts, port });
  try {
    return await startHttpServer({ ...opts, port: DEFAULT_PORT });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
    return startHttpServer({ ...opts, port: 0 });
  }
}

async function launchElectron(binary: string, opts: LaunchOptions, dir: string): Promise<number> {
  process.stdout.write("Flowbook: desktop app (Electron)\n");
  if (!existsSync(ELECTRON_MAIN)) await bundleElectron();
  const args = [
    ELECTRON_MAIN,
    `--flowbook-dir=${dir}`,
    ...(opts.notebook ? [`--flowbook-notebook=${opts.notebook}`] : []),
    ...(opts.outputLimit ? [`--flowbook-output-limit=${opts.outputLimit}`] : []),
    ...(opts.trackingUri ? [`--flowbook-tracking-uri=${opts.trackingUri}`] : []),
    ...(opts.artifactsDestination ? [`--flowbook-artifacts-destination=${opts.artifactsDestination}`] : []),
    ...(Object.keys(opts.params).length > 0 ? [`--flowbook-params=${JSON.stringify(opts.params)}`] : []),
  ];
  const child = spawn(binary, args, { stdio: "inherit" });
  // Electron's main process owns the host; Ctrl-C here is passed on so it can close the store.
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onInt = forward("SIGINT");
  const onTerm = forward("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return new Promise((done) => {
    child.once("error", (err) => {
      process.stderr.write(`flowbook: could not start Electron: ${err.message}\n`);
      done(1);
    });
    child.once("exit", (code) => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      done(code ?? 0);
    });
  });
}
