/**
 * @internal Test support: a throwaway PostgreSQL cluster, real, never a mock. `startTestPostgres()`
 * finds Debian's `initdb`/`pg_ctl`, creates a cluster in a temp dir on a free port (trust auth on
 * 127.0.0.1, its unix socket inside the temp dir, fsync off), and `createDatabase()` gives each
 * store a fresh database in milliseconds. The server refuses to run as root, so as root the files
 * belong to `postgres` and the tools run through `runuser`. `stop()` (also run at process exit and
 * on SIGINT/SIGTERM/SIGHUP, so a failing or interrupted test leaves nothing behind) stops the server
 * and deletes the dir. Where PostgreSQL is
 * not installed it returns a skip reason naming the install command instead.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/** The install command a skip names. */
export const INSTALL_POSTGRES = "apt-get install -y postgresql";

/** A running throwaway cluster. */
export interface TestPostgres {
  /** A fresh, empty database on the cluster, as a `postgresql://` URI. */
  createDatabase(): Promise<string>;
  /** Stops the server and removes its files. */
  stop(): Promise<void>;
}

/** The directory holding initdb and pg_ctl, or undefined. */
function findBin(): string | undefined {
  const onPath = spawnSync("sh", ["-c", "command -v pg_ctl"], { encoding: "utf8" }).stdout.trim();
  const candidates = onPath ? [join(onPath, "..")] : [];
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    // Newest major version first.
    for (const v of readdirSync(root).sort((a, b) => Number(b) - Number(a))) candidates.push(join(root, v, "bin"));
  }
  return candidates.find((dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl")) && existsSync(join(dir, "postgres")));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Why PostgreSQL tests cannot run here (with the command that installs it), or undefined when they can. */
export function postgresMissing(): string | undefined {
  return findBin() ? undefined : `PostgreSQL is not installed (initdb and pg_ctl not found); install it with: ${INSTALL_POSTGRES}`;
}

/** Starts a cluster, or says why it cannot (with the command that installs PostgreSQL). */
export async function startTestPostgres(): Promise<TestPostgres | { skip: string }> {
  const bin = findBin();
  if (!bin) return { skip: postgresMissing()! };
  const asRoot = process.getuid?.() === 0;
  // Run a tool as the cluster's owner: the server refuses root.
  const tool = (name: string, args: string[]): string[] => (asRoot ? ["runuser", "-u", "postgres", "--", join(bin, name), ...args] : [join(bin, name), ...args]);
  const dir = mkdtempSync(join(tmpdir(), "flowbook-pg-"));
  const data = join(dir, "data");
  const log = join(dir, "server.log");
  if (asRoot) {
    const { uid, gid } = postgresUser();
    chownSync(dir, uid, gid);
  }
  const run = (argv: string[]): void => void execFileSync(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  let started = false;
  const remove = (): void => {
    if (started) {
      const stop = tool("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      spawnSync(stop[0]!, stop.slice(1), { stdio: "ignore" });
    }
    started = false;
    rmSync(dir, { recursive: true, force: true });
  };
  // Also when the runner is interrupted: remove, then let the signal end the process as it would have.
  const onSignal = (signal: NodeJS.Signals): void => {
    remove();
    process.kill(process.pid, signal);
  };
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const forget = (): void => {
    process.removeListener("exit", remove);
    for (const s of signals) process.removeListener(s, onSignal);
  };
  process.once("exit", remove);
  for (const s of signals) process.once(s, onSignal);
  try {
    run(tool("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-locale", "-E", "UTF8", "--no-sync"]));
    const port = await freePort();
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    run(tool("pg_ctl", ["-D", data, "-l", log, "-o", options, "-w", "-t", "60", "start"]));
    started = true;
    const admin = `postgresql://postgres@127.0.0.1:${port}/postgres`;
    let n = 0;
    return {
      async createDatabase() {
        const name = `flowbook_test_${++n}`;
        const client = new pg.Client({ connectionString: admin });
        await client.connect();
        try {
          await client.query(`CREATE DATABASE ${name}`);
        } finally {
          await client.end();
        }
        return `postgresql://postgres@127.0.0.1:${port}/${name}`;
      },
      async stop() {
        forget();
        remove();
      },
    };
  } catch (e) {
    forget();
    remove();
    const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new Error(`could not start a test PostgreSQL: ${(e as Error).message}\n${stderr}`);
  }
}

function postgresUser(): { uid: number; gid: number } {
  const out = execFileSync("id", ["postgres"], { encoding: "utf8" });
  const uid = /uid=(\d+)/.exec(out);
  const gid = /gid=(\d+)/.exec(out);
  if (!uid || !gid) throw new Error("running as root needs the 'postgres' user, which the postgresql package creates");
  return { uid: Number(uid[1]), gid: Number(gid[1]) };
}
