import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseLaunchArgs, startingNotebook } from "./edit.ts";

const BIN = fileURLToPath(new URL("../../bin/flowbook.js", import.meta.url));

test("parses the path, port and flags", () => {
  assert.deepEqual(parseLaunchArgs(["nb.ts", "--port", "0", "--no-open"]), { notebook: "nb.ts", port: 0, open: false, browser: false, params: {} });
  assert.deepEqual(parseLaunchArgs(["nb.ts", "-P", "lr=0.01", "--param=epochs=5", "-P", "lr=0.1"]).params, { lr: "0.1", epochs: "5" });
  assert.deepEqual(parseLaunchArgs(["--port=9000", "--browser"]).port, 9000);
  assert.throws(() => parseLaunchArgs(["--port", "x"]), /invalid port/);
  assert.throws(() => parseLaunchArgs(["--frobnicate"]), /unknown option/);
});

test("the app's store is a SQLite file or a PostgreSQL database; a remote MLflow server is not the app's store", () => {
  const pg = parseLaunchArgs(["nb.ts", "--tracking-uri", "postgresql://team:pw@db.lan:5432/mlflow", "--artifacts-destination", "shared/art"], {});
  assert.equal(pg.trackingUri, "postgresql://team:pw@db.lan:5432/mlflow");
  assert.equal(pg.artifactsDestination, join(process.cwd(), "shared/art"));
  assert.equal(parseLaunchArgs(["--tracking-uri=sqlite:////tmp/x.db"], {}).trackingUri, "sqlite:////tmp/x.db");
  assert.throws(() => parseLaunchArgs(["--tracking-uri", "http://127.0.0.1:5000"], {}), /unsupported --tracking-uri 'http:\/\/127\.0\.0\.1:5000': expected sqlite:\/\/\/relative\.db, sqlite:\/\/\/\/absolute\.db or postgresql:\/\//);
  assert.throws(() => parseLaunchArgs(["--tracking-uri", "sqlite://x.db"], {}), /Invalid SQLite URI/);
});

test("the app-wide output limit comes from --output-limit, else FLOWBOOK_OUTPUT_LIMIT, and is checked", () => {
  assert.equal(parseLaunchArgs(["nb.ts", "--output-limit", "16MB"], {}).outputLimit, 16 * 1024 * 1024);
  assert.equal(parseLaunchArgs(["nb.ts"], { FLOWBOOK_OUTPUT_LIMIT: "2MB" }).outputLimit, 2 * 1024 * 1024);
  assert.equal(parseLaunchArgs(["nb.ts", "--output-limit=4MB"], { FLOWBOOK_OUTPUT_LIMIT: "2MB" }).outputLimit, 4 * 1024 * 1024);
  assert.equal(parseLaunchArgs(["nb.ts"], {}).outputLimit, undefined);
  assert.throws(() => parseLaunchArgs(["--output-limit", "lots"], {}), /invalid output limit 'lots'; expected a size like 16MB/);
  assert.throws(() => parseLaunchArgs(["--output-limit", "1GB"], {}), /invalid output limit '1GB': it must be between 1\.0 KB and 128\.0 MB/);
  assert.throws(() => parseLaunchArgs([], { FLOWBOOK_OUTPUT_LIMIT: "0" }), /FLOWBOOK_OUTPUT_LIMIT: invalid output limit '0'/);
});

test("start opens the example on first run, then the notebook edited last", async () => {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-start-"));
  try {
    assert.equal(await startingNotebook(dir), join(dir, "untitled.ts"));
    assert.match(readFileSync(join(dir, "untitled.ts"), "utf8"), /\[cell id=imports name="imports" hidden\]\nimport \{ md, ui, plot, table, state, mlflow \} from "flowbook";/);
    writeFileSync(join(dir, "intro.ts"), "");
    assert.equal(await startingNotebook(dir), join(dir, "intro.ts"));
    writeFileSync(join(dir, "flowbook.db"), "");
    utimesSync(join(dir, "untitled.ts"), new Date(), new Date(Date.now() + 60_000));
    assert.equal(await startingNotebook(dir), join(dir, "untitled.ts"));
    // Another store: its own SQLite file says whether this is a first run; a shared database never does.
    assert.equal(await startingNotebook(dir, `sqlite:///${join(dir, "other.db")}`), join(dir, "intro.ts"));
    assert.equal(await startingNotebook(dir, "postgresql://team@db/mlflow"), join(dir, "untitled.ts"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("`flowbook edit` creates a missing notebook, prints the mode and URL, and stops cleanly on Ctrl-C", async () => {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-edit-"));
  const nb = join(dir, "new.ts");
  try {
    const child = spawn(process.execPath, [BIN, "edit", nb, "--no-open", "--port", "0", "--browser"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}${err}`)), 20_000);
      child.stdout.on("data", () => {
        const m = /^(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    assert.match(out, /^Flowbook: browser mode/m);
    assert.ok(existsSync(nb));
    assert.match(readFileSync(nb, "utf8"), /\/\/ %% \[cell id=imports name="imports" hidden\]\nimport \{ md, ui, plot, table, state, mlflow \} from "flowbook";/);
    assert.equal((await fetch(url)).status, 200);
    const exit = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGINT");
    assert.equal(await exit, 0);
    assert.ok(existsSync(join(dir, "flowbook.db")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
