/**
 * Test support: where the real MLflow 2.12.2 (Python client and server) comes from for the
 * wire-compatibility tests. `FLOWBOOK_MLFLOW_SRC` names a source folder; otherwise the vendored
 * tarball beside the project (`../shared/vendor/mlflow-2.12.2-python.tar.gz`, never committed here)
 * is extracted once into the temp folder. Debian's python3 packages supply the rest (`.ci/run`
 * installs them); without them the tests are skipped and say so.
 * @internal
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** What to do when Debian's packages are missing: `.ci/run` holds the one list of them. */
const INSTALL_HINT = "as root, run the apt-get install line of .ci/run (Debian's python3 packages MLflow imports)";

const VERSION = "2.12.2";
const root = resolve(fileURLToPath(new URL("../../..", import.meta.url)));
const tarball = resolve(root, "..", "shared", "vendor", `mlflow-${VERSION}-python.tar.gz`);

/** How to run the real MLflow: the interpreter and the environment that makes `import mlflow` work. */
export interface RealMlflow {
  python: string;
  env: NodeJS.ProcessEnv;
}

/** The folder holding `mlflow/` (and `deps/` when vendored): the given source, or the tarball extracted once. */
function sourceDir(): string | { skip: string } {
  const given = process.env.FLOWBOOK_MLFLOW_SRC;
  if (given) return existsSync(join(given, "mlflow", "__init__.py")) ? given : { skip: `FLOWBOOK_MLFLOW_SRC=${given} holds no mlflow/ package` };
  if (!existsSync(tarball)) return { skip: `no MLflow ${VERSION} found: set FLOWBOOK_MLFLOW_SRC, or keep the vendored tarball at ${tarball}` };
  // Keyed by the tarball's size and time, so a replaced tarball is extracted afresh.
  const { size, mtimeMs } = statSync(tarball);
  const target = join(tmpdir(), `flowbook-mlflow-${VERSION}-${size}-${Math.round(mtimeMs)}`);
  const src = join(target, `mlflow-${VERSION}`);
  if (existsSync(join(src, "mlflow", "__init__.py"))) return src;
  // Extract beside, then rename: a test run stopped mid-way never leaves a half-extracted tree behind.
  const partial = mkdtempSync(`${target}.partial-`);
  const tar = spawnSync("tar", ["-xzf", tarball, "-C", partial], { encoding: "utf8" });
  if (tar.status !== 0) {
    rmSync(partial, { recursive: true, force: true });
    return { skip: `could not extract ${tarball}: ${tar.stderr.trim()}` };
  }
  rmSync(target, { recursive: true, force: true });
  renameSync(partial, target);
  return src;
}

/**
 * The real MLflow, or why it cannot run here. `imports` is the Python statement that must work (the
 * client alone needs `import mlflow`; the server also `import mlflow.server, gunicorn`).
 */
export function realMlflow(imports = "import mlflow"): RealMlflow | { skip: string } {
  const src = sourceDir();
  if (typeof src !== "string") return src;
  const python = process.env.FLOWBOOK_PYTHON ?? "/usr/bin/python3";
  const deps = join(src, "deps");
  const env = { ...process.env, PYTHONPATH: existsSync(deps) ? `${src}:${deps}` : src, GIT_PYTHON_REFRESH: "quiet" };
  const probe = spawnSync(python, ["-c", imports], { env, encoding: "utf8" });
  if (probe.error) return { skip: `${python} not found: ${INSTALL_HINT}` };
  if (probe.status !== 0) {
    const why = probe.stderr.trim().split("\n").pop();
    return { skip: `${python} cannot run MLflow ${VERSION} (${why}): ${INSTALL_HINT}` };
  }
  return { python, env };
}

/** MLflow's own server running: its URL, what it printed so far, and `stop`. */
export interface MlflowServer {
  url: string;
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts `mlflow server` (one gunicorn worker, a SQLite store and artifacts in `dir`) on `port`
 * and waits until it answers /health; fails with its output when it exits or takes over 90 s.
 */
export async function startMlflowServer(mlflow: RealMlflow, dir: string, port: number): Promise<MlflowServer> {
  const url = `http://127.0.0.1:${port}`;
  // Its own process group: `mlflow server` runs gunicorn as a child, which must stop with it.
  const child = spawn(
    mlflow.python,
    ["-m", "mlflow", "server", "--host", "127.0.0.1", "--port", String(port), "--workers", "1",
      "--backend-store-uri", `sqlite:///${dir}/mlflow.db`, "--artifacts-destination", join(dir, "mlartifacts")],
    { cwd: dir, env: mlflow.env, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise((r) => child.once("exit", r));
    process.kill(-child.pid, "SIGTERM");
    await exited;
  };
  try {
    for (const deadline = Date.now() + 90_000; ; ) {
      if (child.exitCode !== null) throw new Error(`mlflow server exited with ${child.exitCode}:\n${log}`);
      if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) break;
      if (Date.now() > deadline) throw new Error(`mlflow server did not answer /health in 90 s:\n${log}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, log: () => log, stop };
}
