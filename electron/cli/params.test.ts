import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { openStore } from "../tracking/store/index.ts";
import { UsageError } from "./args.ts";
import { declaredParams, notebookParams, paramAssignment, paramsHelp } from "./params.ts";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));

const NOTEBOOK = `// %% [cell id=imp]
import { args, ui, mlflow } from "flowbook";

// %% [cell id=train]
const lr = args.number("lr", 0.1);
const opt = args().optimizer;
const epochs = ui.slider({ label: "epochs", name: "epochs", min: 1, max: 20, value: 3 });

// %% [cell id=log]
await mlflow.startRun({ runName: "p" });
await mlflow.endRun();
console.log(\`lr=\${lr} opt=\${opt} epochs=\${epochs.value}\`);
`;

test("-P reads name=value (the value may hold '='), and bad names are usage errors", () => {
  assert.deepEqual(paramAssignment("lr=0.01"), ["lr", "0.01"]);
  assert.deepEqual(paramAssignment("query=a=b"), ["query", "a=b"]);
  assert.deepEqual(paramAssignment("empty="), ["empty", ""]);
  assert.throws(() => paramAssignment("lr"), (e: Error) => e instanceof UsageError && /expected -P name=value/.test(e.message));
  assert.throws(() => paramAssignment("=1"), /expected -P name=value/);
  assert.throws(() => paramAssignment("a$b=1"), /invalid parameter name 'a\$b'/);
});

test("--params reads a JSON object of scalars, and -P wins over it", () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-params-"));
  try {
    const file = join(dir, "p.json");
    writeFileSync(file, JSON.stringify({ lr: 0.5, fast: true, name: "adam" }));
    assert.deepEqual(notebookParams({ params: file, param: [["lr", "0.01"]] }), { lr: "0.01", fast: "true", name: "adam" });
    writeFileSync(file, "[1, 2]");
    assert.throws(() => notebookParams({ params: file }), /must hold a JSON object of parameters/);
    writeFileSync(file, JSON.stringify({ nested: { a: 1 } }));
    assert.throws(() => notebookParams({ params: file }), /parameter 'nested' in .* must be a string, number or boolean/);
    assert.throws(() => notebookParams({ params: join(dir, "missing.json") }), (e: Error) => e instanceof UsageError && /cannot read --params/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the parameters a notebook reads are found in its code, with their defaults", () => {
  assert.deepEqual(declaredParams(NOTEBOOK), [
    { name: "lr", via: "args.number", fallback: "0.1" },
    { name: "optimizer", via: "args()" },
    { name: "epochs", via: "ui.slider" },
  ]);
});

test("flowbook run -P/--params passes parameters to cells and records them on runs; --help lists them", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-params-"));
  try {
    const nb = join(dir, "nb.ts");
    writeFileSync(nb, NOTEBOOK);
    writeFileSync(join(dir, "p.json"), JSON.stringify({ optimizer: "adam", lr: 1 }));
    const db = join(dir, "t.db");
    const cli = (...extra: string[]) =>
      spawnSync(process.execPath, ["bin/flowbook.js", "run", nb, "--tracking-uri", `sqlite:///${db}`, ...extra], { cwd: root, encoding: "utf8", timeout: 60_000 });
    const r = cli("-P", "lr=0.01", "--params", join(dir, "p.json"), "-P", "epochs=7");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /lr=0\.01 opt=adam epochs=7/);
    const store = await openStore(`sqlite:///${db}`);
    try {
      const [run] = (await store.searchRuns({ experiment_ids: ["0"] })).items;
      assert.deepEqual(Object.fromEntries(run!.data.params.map((p) => [p.key, p.value])), { lr: "0.01", optimizer: "adam", epochs: "7" });
    } finally {
      await store.close();
    }
    const help = cli("--help");
    assert.equal(help.status, 0);
    assert.match(help.stdout, /-P, --param\s+a notebook parameter, name=value/);
    assert.match(help.stdout, /--params\s+a JSON file of parameters/);
    assert.match(help.stdout, /-P lr=…\s+args\.number, default 0\.1/);
    assert.match(help.stdout, /-P epochs=…\s+ui\.slider/);
    const bad = cli("-P", "nope");
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /flowbook run: invalid parameter 'nope'; expected -P name=value/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the help of a notebook that cannot be read has no parameter section", () => {
  assert.equal(paramsHelp(undefined), "");
  assert.equal(paramsHelp("/no/such/notebook.ts"), "");
});
