import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveSessionFile, sessionDir } from "../notebook/index.ts";
import { serveSessionFile } from "./session-routes.ts";

let dir: string;
let server: Server;
let base: string;
/** The notebook the fake host has open; undefined: none. */
let open: string | undefined;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "fb-session-routes-"));
  open = join(dir, "nb.ts");
  const session = sessionDir(open);
  mkdirSync(join(session, "console"), { recursive: true });
  mkdirSync(join(session, "outputs"), { recursive: true });
  writeFileSync(join(session, "console", "c1.log"), "line 0\nline 1\n");
  writeFileSync(join(session, "outputs", "c1.md"), "# big");
  writeFileSync(join(dir, "secret.txt"), "do not serve");
  const host = { notebookPath: () => open, sessionFile: (file: string) => (open ? resolveSessionFile(open, file) : undefined) };
  server = createServer((req, res) => void serveSessionFile(req, res, host));
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

after(async () => {
  await new Promise((ok) => server.close(ok));
  rmSync(dir, { recursive: true, force: true });
});

const get = async (path: string) => {
  const res = await fetch(base + path);
  return { status: res.status, type: res.headers.get("content-type"), body: await res.text(), disposition: res.headers.get("content-disposition") };
};

test("serves a cell's full console log as text, and says so when there is none", async () => {
  const log = await get("/flowbook/console-log?cell=c1");
  assert.deepEqual([log.status, log.type, log.body], [200, "text/plain; charset=utf-8", "line 0\nline 1\n"]);
  const none = await get("/flowbook/console-log?cell=c2");
  assert.equal(none.status, 404);
  assert.match(none.body, /no console log for cell 'c2'/);
  assert.equal((await get("/flowbook/console-log?cell=../nb")).status, 400);
  assert.equal((await get("/flowbook/console-log")).status, 400);
});

test("serves a saved output by its session path, as a download when asked", async () => {
  const md = await get("/flowbook/session-file?path=outputs%2Fc1.md");
  assert.deepEqual([md.status, md.type, md.body], [200, "text/markdown; charset=utf-8", "# big"]);
  const download = await get("/flowbook/session-file?path=outputs/c1.md&download=1");
  assert.equal(download.disposition, 'attachment; filename="c1.md"');
  assert.equal((await get("/flowbook/session-file?path=outputs/c9.json")).status, 404);
});

test("refuses paths that leave the session folder", async () => {
  for (const path of ["../../secret.txt", "..%2F..%2Fsecret.txt", "%2Fetc%2Fpasswd", "outputs/../../../secret.txt"]) {
    const r = await get(`/flowbook/session-file?path=${path}`);
    assert.equal(r.status, 403, path);
    assert.doesNotMatch(r.body, /do not serve/);
  }
  assert.equal((await get("/flowbook/session-file")).status, 400);
  assert.equal((await get("/flowbook/elsewhere")).status, 404);
});

test("answers 404 when no notebook is open", async () => {
  const was = open;
  open = undefined;
  try {
    assert.match((await get("/flowbook/console-log?cell=c1")).body, /no notebook is open/);
    assert.equal((await get("/flowbook/session-file?path=outputs/c1.md")).status, 404);
  } finally {
    open = was;
  }
});
