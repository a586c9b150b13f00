/**
 * `flowbook app nb.ts [--port N] [--host ADDRESS] [--max-sessions N] [-P name=value …]` (marimo's
 * `run`): serves one notebook read-only in the browser, outputs and widgets without code, each page
 * on its own kernel (see host/app-host.ts). The URL it prints carries the per-launch token; with
 * `--host 0.0.0.0` others on the network can open it too. The MLflow REST API is not served.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { createAppHost, DEFAULT_MAX_SESSIONS, type AppHost } from "../host/app-host.ts";
import type { RunningServer } from "../host/http-server.ts";
import { appOutputLimit, command, NO_OPEN_OPTION, OUTPUT_LIMIT_OPTION, port, UsageError } from "./args.ts";
import { listen, serveUntilStopped } from "./edit.ts";
import { openBrowser } from "./open-browser.ts";
import { notebookParams, paramsHelp, PARAM_OPTIONS } from "./params.ts";

function sessionCount(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 1000) throw new UsageError(`invalid --max-sessions '${text}'; expected 1 to 1000`);
  return Number(text);
}

function address(text: string): string {
  if (!/^[\w.:-]+$/.test(text)) throw new UsageError(`invalid --host '${text}'; expected an address such as 127.0.0.1 or 0.0.0.0`);
  return text;
}

const APP = command({
  name: "flowbook app",
  usage: "usage: flowbook app <notebook.ts> [--port N] [--host 127.0.0.1] [--max-sessions N] [--no-open] [-P name=value …] [--params file.json] [--output-limit 16MB]",
  options: {
    port: { type: "string", parse: port, description: "the port (default 2718, else a free one)" },
    host: { type: "string", parse: address, default: "127.0.0.1", description: "the address to listen on; 0.0.0.0 shares the app on the network" },
    "max-sessions": { type: "string", parse: sessionCount, description: `browser sessions served at once, each with its own kernel (default ${DEFAULT_MAX_SESSIONS})` },
    "no-open": NO_OPEN_OPTION,
    "output-limit": OUTPUT_LIMIT_OPTION,
    ...PARAM_OPTIONS,
  },
  positional: { name: "notebook", missing: "missing the notebook path" },
  moreHelp: paramsHelp,
});

/** Runs `flowbook app`; resolves to the exit code once stopped. */
export function appCommand(args: string[]): Promise<number> {
  return APP.run(args, async (values) => {
    const path = resolve(values.notebook);
    if (!path.endsWith(".ts")) throw new UsageError(`'${values.notebook}' is not a .ts notebook file`);
    if (!existsSync(path)) throw new UsageError(`no notebook at ${path}`);
    const limit = appOutputLimit(values.outputLimit);
    let host: AppHost;
    try {
      host = await createAppHost({
        notebookPath: path,
        params: notebookParams(values),
        ...(values.maxSessions !== undefined ? { maxSessions: values.maxSessions } : {}),
        ...(limit !== undefined ? { outputLimits: { outputBytes: limit } } : {}),
      });
    } catch (err) {
      process.stderr.write(`flowbook app: ${(err as Error).message}\n`);
      return 1;
    }
    let server: RunningServer;
    try {
      server = await listen({ host, bind: values.host, rest: false }, values.port);
    } catch (err) {
      await host.close();
      process.stderr.write(`flowbook app: ${(err as Error).message}\n`);
      return 1;
    }
    process.stdout.write(`Flowbook app view of ${path} (read-only)\n${server.url}\n`);
    if (!values.noOpen) process.stdout.write(`${await openBrowser(server.url)}\n`);
    process.stdout.write("Ctrl-C to stop\n");
    return serveUntilStopped(server, host);
  });
}
