// The local artifact repository: writes, listings, reads, copies, deletes, and escape attempts.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { MlflowError } from "../types.ts";
import { LocalArtifactRepo } from "./index.ts";

let base: string;
let counter = 0;
const repo = new LocalArtifactRepo();

/** A fresh, empty artifact root (as a file URI) for one test. */
async function freshRoot(): Promise<{ dir: string; uri: string }> {
  const dir = join(base, `root-${++counter}`);
  await mkdir(dir, { recursive: true });
  return { dir, uri: pathToFileURL(dir).href };
}

const rejectsWith = (p: Promise<unknown>, errorCode: string, message = "") =>
  assert.rejects(p, (e: unknown) => e instanceof MlflowError && e.code === errorCode && e.message.includes(message));

before(async () => {
  base = await mkdtemp(join(tmpdir(), "flowbook-artifacts-"));
});
after(async () => {
  await rm(base, { recursive: true, force: true });
});

describe("writing and listing", () => {
  test("nested writes list like MLflow: sorted, root-relative, sizes for files only", async () => {
    const { uri } = await freshRoot();
    await repo.writeArtifact(uri, "model/MLmodel", Buffer.from("flavors: {}\n"));
    await repo.writeArtifact(uri, "model/data/weights.bin", Buffer.alloc(1024));
    await repo.writeArtifact(uri, "b.txt", Buffer.from("bb"));
    await repo.writeArtifact(uri, "a.txt", Buffer.from("a"));
    assert.deepEqual(await repo.listArtifacts(uri), [
      { path: "a.txt", is_dir: false, file_size: 1 },
      { path: "b.txt", is_dir: false, file_size: 2 },
      { path: "model", is_dir: true },
    ]);
    assert.deepEqual(await repo.listArtifacts(uri, "model/"), [
      { path: "model/MLmodel", is_dir: false, file_size: 12 },
      { path: "model/data", is_dir: true },
    ]);
    assert.deepEqual(await repo.listArtifacts(uri, "model/data"), [{ path: "model/data/weights.bin", is_dir: false, file_size: 1024 }]);
  });

  test("a missing directory, a file, and a missing root all list as empty", async () => {
    const { uri } = await freshRoot();
    await repo.writeArtifact(uri, "f.txt", Buffer.from("x"));
    assert.deepEqual(await repo.listArtifacts(uri, "nope"), []);
    assert.deepEqual(await repo.listArtifacts(uri, "f.txt"), []);
    assert.deepEqual(await repo.listArtifacts(pathToFileURL(join(base, "never-created")).href), []);
  });

  test("streams are written whole and overwrite atomically without leaving temp files", async () => {
    const { dir, uri } = await freshRoot();
    await repo.writeArtifact(uri, "log.txt", Buffer.from("old"));
    const size = await repo.writeArtifact(uri, "log.txt", Readable.from([Buffer.from("new "), Buffer.from("content")]));
    assert.equal(size, 11);
    assert.equal(await readFile(join(dir, "log.txt"), "utf8"), "new content");
    assert.deepEqual(await readdir(dir), ["log.txt"]);
  });

  test("an aborted write keeps the old file and cleans up", async () => {
    const { dir, uri } = await freshRoot();
    await repo.writeArtifact(uri, "log.txt", Buffer.from("old"));
    const controller = new AbortController();
    async function* chunks() {
      yield Buffer.from("partial");
      controller.abort();
      yield Buffer.from("never");
    }
    await assert.rejects(repo.writeArtifact(uri, "log.txt", Readable.from(chunks()), { signal: controller.signal }));
    assert.equal(await readFile(join(dir, "log.txt"), "utf8"), "old");
    assert.deepEqual(await readdir(dir), ["log.txt"]);
  });

  test("in-flight temp files are hidden from listings", async () => {
    const { dir, uri } = await freshRoot();
    await writeFile(join(dir, ".flowbook-tmp-123"), "x");
    await writeFile(join(dir, "real"), "x");
    assert.deepEqual((await repo.listArtifacts(uri)).map((f) => f.path), ["real"]);
  });

  test("writing onto a directory, or through a file, is INVALID_PARAMETER_VALUE", async () => {
    const { uri } = await freshRoot();
    await repo.writeArtifact(uri, "d/x", Buffer.from("x"));
    await rejectsWith(repo.writeArtifact(uri, "d", Buffer.from("y")), "INVALID_PARAMETER_VALUE", "directory");
    await rejectsWith(repo.writeArtifact(uri, "d/x/y", Buffer.from("y")), "INVALID_PARAMETER_VALUE");
    await rejectsWith(repo.writeArtifact(uri, "", Buffer.from("y")), "INVALID_PARAMETER_VALUE", "Invalid path");
  });
});

describe("reading", () => {
  test("returns the bytes and their size", async () => {
    const { uri } = await freshRoot();
    await repo.writeArtifact(uri, "dir/hello.txt", Buffer.from("hello"));
    const { stream, size } = await repo.readArtifact(uri, "dir/hello.txt");
    assert.equal(size, 5);
    assert.equal(await text(stream), "hello");
  });

  test("a missing file is RESOURCE_DOES_NOT_EXIST, a directory INVALID_PARAMETER_VALUE", async () => {
    const { uri } = await freshRoot();
    await repo.writeArtifact(uri, "dir/x", Buffer.from("x"));
    await rejectsWith(repo.readArtifact(uri, "dir/missing"), "RESOURCE_DOES_NOT_EXIST");
    await rejectsWith(repo.readArtifact(uri, "dir/x/under-a-file"), "RESOURCE_DOES_NOT_EXIST");
    await rejectsWith(repo.readArtifact(uri, "dir"), "INVALID_PARAMETER_VALUE", "directory");
  });
});

describe("escape attempts", () => {
  const traversals = ["../secret", "a/../../secret", "/etc/passwd", "..\\secret", "a\\..\\..\\secret", "x\0", "%2e%2e/secret", "C:\\secret"];

  test("every operation rejects traversal paths", async () => {
    const { uri } = await freshRoot();
    await writeFile(join(base, "secret"), "top secret");
    for (const p of traversals) {
      await rejectsWith(repo.readArtifact(uri, p), "INVALID_PARAMETER_VALUE", "Invalid path");
      await rejectsWith(repo.listArtifacts(uri, p), "INVALID_PARAMETER_VALUE", "Invalid path");
      await rejectsWith(repo.writeArtifact(uri, p, Buffer.from("x")), "INVALID_PARAMETER_VALUE", "Invalid path");
      await rejectsWith(repo.deleteArtifacts(uri, p), "INVALID_PARAMETER_VALUE", "Invalid path");
      await rejectsWith(repo.downloadArtifacts(uri, p, join(base, "dl")), "INVALID_PARAMETER_VALUE", "Invalid path");
      await rejectsWith(repo.logArtifact(uri, join(base, "secret"), p), "INVALID_PARAMETER_VALUE", "Invalid path");
    }
    assert.equal(await readFile(join(base, "secret"), "utf8"), "top secret");
  });

  test("symlinks leading out of the root are refused and hidden; links inside work", async () => {
    const { dir, uri } = await freshRoot();
    const outside = join(base, `outside-${counter}`);
    await mkdir(outside);
    await writeFile(join(outside, "secret.txt"), "secret");
    await symlink(outside, join(dir, "escape-dir"));
    await symlink(join(outside, "secret.txt"), join(dir, "escape-file"));
    await repo.writeArtifact(uri, "inner/real.txt", Buffer.from("ok"));
    await symlink(join(dir, "inner"), join(dir, "alias"));

    await rejectsWith(repo.readArtifact(uri, "escape-file"), "INVALID_PARAMETER_VALUE", "Invalid path");
    await rejectsWith(repo.readArtifact(uri, "escape-dir/secret.txt"), "INVALID_PARAMETER_VALUE", "Invalid path");
    await rejectsWith(repo.listArtifacts(uri, "escape-dir"), "INVALID_PARAMETER_VALUE", "Invalid path");
    await rejectsWith(repo.writeArtifact(uri, "escape-dir/planted.txt", Buffer.from("x")), "INVALID_PARAMETER_VALUE", "Invalid path");
    await rejectsWith(repo.writeArtifact(uri, "escape-dir/new/planted.txt", Buffer.from("x")), "INVALID_PARAMETER_VALUE", "Invalid path");
    await rejectsWith(repo.deleteArtifacts(uri, "escape-dir/secret.txt"), "INVALID_PARAMETER_VALUE", "Invalid path");
    assert.deepEqual(await readdir(outside), ["secret.txt"]);

    assert.deepEqual(await repo.listArtifacts(uri), [
      { path: "alias", is_dir: true },
      { path: "inner", is_dir: true },
    ]);
    assert.equal(await text((await repo.readArtifact(uri, "alias/real.txt")).stream), "ok");

    // Deleting the escaping link removes the link, never what it points at.
    await repo.deleteArtifacts(uri, "escape-dir");
    assert.equal(await readFile(join(outside, "secret.txt"), "utf8"), "secret");
  });

  test("mlflow-artifacts roots resolve under the destination and stay there", async () => {
    const dest = join(base, `dest-${++counter}`);
    const proxied = new LocalArtifactRepo({ artifactsDestination: dest });
    await proxied.writeArtifact("mlflow-artifacts:/0/run1/artifacts", "m/x.txt", Buffer.from("x"));
    assert.equal(await readFile(join(dest, "0", "run1", "artifacts", "m", "x.txt"), "utf8"), "x");
    assert.deepEqual(await proxied.listArtifacts("mlflow-artifacts://localhost:5000/0/run1/artifacts", "m"), [
      { path: "m/x.txt", is_dir: false, file_size: 1 },
    ]);
    await rejectsWith(proxied.listArtifacts("mlflow-artifacts:/../../etc"), "INVALID_PARAMETER_VALUE", "Invalid path");
    await rejectsWith(repo.listArtifacts("mlflow-artifacts:/0/run1/artifacts"), "INVALID_PARAMETER_VALUE", "artifacts destination");
  });
});

describe("copying in and out, deleting", () => {
  test("logArtifact keeps the base name under artifactPath", async () => {
    const { uri } = await freshRoot();
    const local = join(base, `local-${counter}.csv`);
    await writeFile(local, "a,b\n1,2\n");
    await repo.logArtifact(uri, local);
    await repo.logArtifact(uri, local, "data/raw");
    assert.deepEqual((await repo.listArtifacts(uri)).map((f) => f.path), [`data`, `local-${counter}.csv`]);
    assert.deepEqual(await repo.listArtifacts(uri, "data/raw"), [{ path: `data/raw/local-${counter}.csv`, is_dir: false, file_size: 8 }]);
  });

  test("logArtifacts copies a tree; downloadArtifacts copies it back out", async () => {
    const { uri } = await freshRoot();
    const src = join(base, `src-${counter}`);
    await mkdir(join(src, "sub", "deeper"), { recursive: true });
    await writeFile(join(src, "top.txt"), "top");
    await writeFile(join(src, "sub", "mid.txt"), "mid");
    await writeFile(join(src, "sub", "deeper", "low.txt"), "low");
    await repo.logArtifacts(uri, src, "tree");
    assert.deepEqual(await repo.listArtifacts(uri, "tree/sub"), [
      { path: "tree/sub/deeper", is_dir: true },
      { path: "tree/sub/mid.txt", is_dir: false, file_size: 3 },
    ]);

    const dest = join(base, `download-${counter}`);
    const local = await repo.downloadArtifacts(uri, "tree/sub", dest);
    assert.equal(local, join(dest, "tree", "sub"));
    assert.equal(await readFile(join(local, "deeper", "low.txt"), "utf8"), "low");
    assert.equal(await readFile(await repo.downloadArtifacts(uri, "tree/top.txt", dest), "utf8"), "top");
    const whole = join(base, `whole-${counter}`);
    assert.equal(await repo.downloadArtifacts(uri, "", whole), whole);
    assert.equal(await readFile(join(whole, "tree", "sub", "mid.txt"), "utf8"), "mid");
    await rejectsWith(repo.downloadArtifacts(uri, "tree/none", dest), "RESOURCE_DOES_NOT_EXIST");
  });

  test("deleteArtifacts removes a path, the whole root, and ignores what is missing", async () => {
    const { dir, uri } = await freshRoot();
    await repo.writeArtifact(uri, "keep.txt", Buffer.from("k"));
    await repo.writeArtifact(uri, "gone/a.txt", Buffer.from("a"));
    await repo.deleteArtifacts(uri, "gone");
    assert.deepEqual((await repo.listArtifacts(uri)).map((f) => f.path), ["keep.txt"]);
    await repo.deleteArtifacts(uri, "never/was");
    await repo.deleteArtifacts(uri);
    await assert.rejects(readdir(dir), { code: "ENOENT" });
  });
});
