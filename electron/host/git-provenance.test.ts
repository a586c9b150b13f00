import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { openStore } from "../tracking/store/index.ts";
import type { Run } from "../tracking/types.ts";
import { GIT_DIFF_PATH, readGitProvenance, withGitProvenance, withoutCredentials } from "./git-provenance.ts";
import { createHost } from "./host.ts";
import { connection } from "./test-connection.ts";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const NOTEBOOK = `// %% [cell id=imp]
import { mlflow } from "flowbook";

// %% [cell id=train]
await mlflow.startRun({ runName: "g" });
await mlflow.endRun();
`;

/** A repository with the notebook committed on `main`, and an origin whose URL carries a token. */
function repo() {
  const dir = mkdtempSync(join(tmpdir(), "fb-git-"));
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: dir, encoding: "utf8" });
  git("init", "-q", "-b", "main");
  writeFileSync(join(dir, "nb.ts"), NOTEBOOK);
  git("add", "nb.ts");
  git("commit", "-q", "-m", "first");
  git("remote", "add", "origin", "https://user:secret@example.com/team/notebooks.git");
  const commit = git("rev-parse", "HEAD").trim();
  return { dir, git, commit, nb: join(dir, "nb.ts"), close: () => rmSync(dir, { recursive: true, force: true }) };
}

const tagsOf = (run: Run) => Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));

test("outside a repository, or without git, there is no provenance and no error", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-nogit-"));
  try {
    writeFileSync(join(dir, "nb.ts"), NOTEBOOK);
    assert.equal(await readGitProvenance(join(dir, "nb.ts")), undefined);
    const path = process.env.PATH;
    process.env.PATH = "";
    try {
      assert.equal(await readGitProvenance(join(dir, "nb.ts")), undefined);
    } finally {
      process.env.PATH = path;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a clean tree gives the commit, branch and remote without credentials; a change gives the dirty flag and the diff", async () => {
  const r = repo();
  try {
    assert.deepEqual(await readGitProvenance(r.nb), { commit: r.commit, branch: "main", repoURL: "https://example.com/team/notebooks.git", dirty: false });
    writeFileSync(join(r.dir, "other.txt"), "x");
    const otherDirty = await readGitProvenance(r.nb);
    assert.equal(otherDirty?.dirty, true, "an untracked file elsewhere makes the tree dirty");
    assert.equal(otherDirty?.diff, undefined, "but the notebook equals HEAD");
    writeFileSync(r.nb, NOTEBOOK + "// tuned\n");
    const changed = await readGitProvenance(r.nb);
    assert.equal(changed?.dirty, true);
    assert.match(changed?.diff ?? "", /^\+\/\/ tuned$/m);
    r.git("checkout", "-q", "--detach");
    assert.equal((await readGitProvenance(r.nb))?.branch, undefined, "a detached HEAD has no branch");
    writeFileSync(join(r.dir, "new.ts"), "const a = 1;\n");
    assert.match((await readGitProvenance(join(r.dir, "new.ts")))?.diff ?? "", /^\+const a = 1;$/m, "an untracked notebook diffs as a new file");
  } finally {
    r.close();
  }
});

test("credentials are taken out of remote URLs", () => {
  assert.equal(withoutCredentials("https://user:tok@host/x.git"), "https://host/x.git");
  assert.equal(withoutCredentials("ssh://git@host/x.git"), "ssh://host/x.git");
  assert.equal(withoutCredentials("git@github.com:a/b.git"), "git@github.com:a/b.git");
});

test("runs created through the wrapped store carry the tags and the notebook's diff", async () => {
  const r = repo();
  const store = await openStore(`sqlite:///${join(r.dir, "t.db")}`);
  try {
    writeFileSync(r.nb, NOTEBOOK + "// tuned\n");
    const git = readGitProvenance(r.nb);
    const stamped = withGitProvenance(store, () => git, (m) => assert.fail(m));
    const run = await stamped.createRun({ experiment_id: "0", tags: [{ key: "mlflow.source.git.commit", value: "forged" }] });
    const tags = tagsOf(await store.getRun(run.info.run_id));
    assert.equal(tags["mlflow.source.git.commit"], r.commit);
    assert.equal(tags["mlflow.source.git.branch"], "main");
    assert.equal(tags["mlflow.source.git.repoURL"], "https://example.com/team/notebooks.git");
    assert.equal(tags["flowbook.git.dirty"], "true");
    const diff = readFileSync(new URL(`${run.info.artifact_uri}/${GIT_DIFF_PATH}`), "utf8");
    assert.match(diff, /^\+\/\/ tuned$/m);
  } finally {
    await store.close();
    r.close();
  }
});

test("the diff of a run under an mlflow-artifacts: root lands in the owner's artifacts folder", async () => {
  const r = repo();
  const store = await openStore(`sqlite:///${join(r.dir, "t.db")}`);
  try {
    writeFileSync(r.nb, NOTEBOOK + "// tuned\n");
    // As `flowbook server` makes experiments on a shared store: roots behind its artifact proxy.
    const experiment = await store.createExperiment("team", "mlflow-artifacts:/team");
    const git = readGitProvenance(r.nb);
    const destination = join(r.dir, "shared-artifacts");
    const stamped = withGitProvenance(store, () => git, (m) => assert.fail(m), destination);
    const run = await stamped.createRun({ experiment_id: experiment });
    const diff = readFileSync(join(destination, "team", run.info.run_id, "artifacts", ...GIT_DIFF_PATH.split("/")), "utf8");
    assert.match(diff, /^\+\/\/ tuned$/m);
  } finally {
    await store.close();
    r.close();
  }
});

test("flowbook run in a repository tags its runs beside the cell's provenance", async () => {
  const r = repo();
  try {
    const db = join(r.dir, "t.db");
    const out = spawnSync(process.execPath, ["bin/flowbook.js", "run", r.nb, "--tracking-uri", `sqlite:///${db}`], { cwd: root, encoding: "utf8", timeout: 60_000 });
    assert.equal(out.status, 0, out.stderr);
    const store = await openStore(`sqlite:///${db}`);
    try {
      const [run] = (await store.searchRuns({ experiment_ids: ["0"] })).items;
      const tags = tagsOf(run!);
      assert.equal(tags["mlflow.source.git.commit"], r.commit);
      // The store file itself is untracked, so the tree is dirty; the notebook equals HEAD, so no diff.
      assert.equal(tags["flowbook.git.dirty"], "true");
      assert.equal(tags["flowbook.cellId"], "train", "beside the cell provenance");
      assert.deepEqual(readdirSync(new URL(`${run!.info.artifact_uri}/flowbook`)), ["notebook.ts"]);
    } finally {
      await store.close();
    }
  } finally {
    r.close();
  }
});

test("the app's runs carry the provenance read at the last open or save", async () => {
  const r = repo();
  // Only the cells this test sends run: not the notebook on open.
  const host = await createHost({ notebookPath: r.nb, settings: { runOnOpen: false }, log: () => undefined });
  const c = connection();
  host.connect(c.conn);
  try {
    const runs = async () => (await host.store.searchRuns({ experiment_ids: ["0"], order_by: ["attributes.start_time ASC"] })).items;
    const runOnce = async (count: number) => {
      c.raw({ type: "execute-cells", cells: [{ id: "imp", code: 'import { mlflow } from "flowbook";', config: {} }, { id: "train", code: 'await mlflow.startRun({ runName: "g" });\nawait mlflow.endRun();', config: {} }], requestedAt: Date.now() });
      // The cell ends its run before it finishes, so its pass's completed-run means the run is over.
      const passes = () => c.events.filter((e) => e.type === "kernel-event" && e.event.type === "completed-run").length;
      await c.next(() => passes() >= count);
      return (await runs())[count - 1]!;
    };
    const first = tagsOf(await runOnce(1));
    assert.equal(first["mlflow.source.git.commit"], r.commit);
    assert.equal(first["flowbook.git.dirty"], "true", "the store beside the notebook is untracked");
    // Saving an edit is when git is asked again: the next run has the notebook's diff.
    const saved = await c.request({ type: "save-notebook", cells: [{ id: "imp", code: 'import { mlflow } from "flowbook";', config: {} }, { id: "train", code: "// tuned\nawait mlflow.startRun({ runName: \"g\" });\nawait mlflow.endRun();", config: {} }] });
    assert.equal(saved.error, undefined);
    const second = await runOnce(2);
    assert.match(readFileSync(new URL(`${second.info.artifact_uri}/${GIT_DIFF_PATH}`), "utf8"), /^\+\/\/ tuned$/m);
  } finally {
    await host.close();
    r.close();
  }
});
