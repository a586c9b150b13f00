/**
 * `npm run test:mlflow-suites`: MLflow 2.12.2's own server test suites,
 * `tests/tracking/test_rest_tracking.py` and `tests/tracking/test_model_registry.py` (their
 * SQLAlchemy-store variants, `-k sqlalchemy`: 102 tests), run unchanged with pytest against
 * `flowbook server` instead of MLflow's Flask app. Opt-in: not part of `npm test`.
 *
 * MLflow's tests are not part of this project. They are taken at run time from:
 * - MLFLOW_TESTS_SRC: a folder holding MLflow's `tests/` (and `conftest.py`) at v2.12.2, or
 * - MLFLOW_GIT_DIR: a git directory of MLflow (or a fork carrying its tags), from which
 *   `git archive v2.12.2 tests conftest.py` is extracted into a temp folder.
 * The MLflow package itself is the vendored 2.12.2 (see electron/tracking/rest/test-mlflow.ts), run
 * with Debian's python3 and python3-pytest (plus python3-sklearn for the one test that logs a
 * scikit-learn model). scripts/mlflow_suites_plugin.py swaps the suites' server launcher for
 * `node bin/flowbook.js server …`.
 *
 * Arguments after `--` go to pytest (e.g. `-- -k test_graphql -x`); the default selection is
 * `-k sqlalchemy`. Exit code: pytest's.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { realMlflow } from "../electron/tracking/rest/test-mlflow.ts";

const TAG = "v2.12.2";
const SUITES = ["tests/tracking/test_rest_tracking.py", "tests/tracking/test_model_registry.py"];
const root = resolve(fileURLToPath(new URL("..", import.meta.url)));

function fail(message: string): never {
  process.stderr.write(`mlflow-suites: ${message}\n`);
  process.exit(2);
}

/** A folder with MLflow's tests at v2.12.2, and whether it is a temp copy to remove afterwards. */
function testsSource(): { dir: string; temp: boolean } {
  const given = process.env.MLFLOW_TESTS_SRC;
  if (given) {
    if (!SUITES.every((s) => existsSync(join(given, s)))) fail(`MLFLOW_TESTS_SRC=${given} has no ${SUITES.join(" / ")}`);
    return { dir: resolve(given), temp: false };
  }
  const gitDir = process.env.MLFLOW_GIT_DIR;
  if (!gitDir) {
    fail(
      "say where MLflow's tests are: MLFLOW_TESTS_SRC=<folder with tests/ at v2.12.2> or MLFLOW_GIT_DIR=<a git directory of MLflow with the v2.12.2 tag>",
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "flowbook-mlflow-tests-"));
  const archive = spawnSync("git", ["--git-dir", gitDir, "archive", "--format=tar", TAG, "tests", "conftest.py"], { maxBuffer: 1 << 30 });
  if (archive.status !== 0) fail(`git archive ${TAG} from ${gitDir} failed: ${archive.stderr.toString().trim()}`);
  const tar = spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout });
  if (tar.status !== 0) fail(`could not extract MLflow's tests: ${tar.stderr.toString().trim()}`);
  return { dir, temp: true };
}

const mlflow = realMlflow("import mlflow, pytest");
if ("skip" in mlflow) fail(`${mlflow.skip} (and apt-get install -y python3-pytest python3-sklearn)`);
const source = testsSource();
const log = join(tmpdir(), `flowbook-mlflow-suites-${process.pid}.log`);
writeFileSync(log, "");
const pytestArgs = process.argv.slice(2);
const args = [
  "-m",
  "pytest",
  "-p",
  "mlflow_suites_plugin",
  "-p",
  "no:cacheprovider",
  "-q",
  "-rfE",
  ...SUITES,
  ...(pytestArgs.some((a) => a === "-k" || a.startsWith("-k")) ? [] : ["-k", "sqlalchemy"]),
  ...pytestArgs,
];
process.stderr.write(`mlflow-suites: MLflow's tests from ${source.dir}; flowbook server output in ${log}\n`);
const result = spawnSync(mlflow.python, args, {
  cwd: source.dir,
  stdio: "inherit",
  env: {
    ...mlflow.env,
    PYTHONPATH: [mlflow.env.PYTHONPATH, source.dir, join(root, "scripts")].filter(Boolean).join(delimiter),
    FLOWBOOK_SERVER_CMD: JSON.stringify([process.execPath, join(root, "bin", "flowbook.js"), "server"]),
    FLOWBOOK_SERVER_LOG: log,
  },
});
if (source.temp) rmSync(source.dir, { recursive: true, force: true });
process.exit(result.status ?? 1);
