/**
 * @internal Test support: `flowbook server` as a real child process, as a user starts it, with its
 * output collected; for the CLI tests, the multi-process tests on PostgreSQL, the e2e tests and the
 * benches that need a second process logging to a shared store.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/flowbook.js", import.meta.url));

/** A `flowbook server` child: its output so far and its exit code once it exits. */
export interface ServerProcess {
  child: ChildProcess;
  output(): string;
  exit: Promise<number | null>;
}

/** Starts `flowbook server <args>`. */
export function startServerProcess(args: string[]): ServerProcess {
  const child = spawn(process.execPath, [BIN, "server", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exit = new Promise<number | null>((ok) => child.once("exit", (code) => ok(code)));
  return { child, output: () => out, exit };
}

/** Resolves with the first match of `pattern` in the output; fails when the process exits first or after 60 s. */
export async function waitForOutput(s: ServerProcess, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
  let done = false;
  void s.exit.then(() => (done = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = s.output().match(pattern);
    if (m) return m;
    if (done) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${pattern} in output:\n${s.output()}`);
}

/** A server that listens: its URL, and `stop` (SIGTERM, then its exit code). */
export interface RunningServerProcess extends ServerProcess {
  url: string;
  stop(): Promise<number | null>;
}

/** Starts `flowbook server --port 0 <args>` and waits until it prints its URL. */
export async function runServerProcess(args: string[]): Promise<RunningServerProcess> {
  const s = startServerProcess(["--port", "0", ...args]);
  try {
    const [, url] = await waitForOutput(s, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    return { ...s, url, stop: () => (s.child.exitCode === null && s.child.signalCode === null && s.child.kill("SIGTERM"), s.exit) };
  } catch (err) {
    s.child.kill("SIGKILL");
    throw err;
  }
}

/** The pids of a supervising server's worker processes (its children running flowbook, not tsx's esbuild). */
export function workerPids(primary: number): number[] {
  const ps = spawnSync("ps", ["--ppid", String(primary), "-o", "pid=,args="], { encoding: "utf8" });
  return ps.stdout
    .split("\n")
    .filter((line) => line.includes(BIN))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}
