import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CellId, HostCommand, HostEvent } from "../protocol.ts";
import { createHost, type Connection, type Host } from "./host.ts";

/** A connection as a transport would make it: records events, lets the test send raw commands. */
function connection() {
  const events: HostEvent[] = [];
  const waiters: { match: (e: HostEvent) => boolean; resolve: (e: HostEvent) => void }[] = [];
  let deliver: (raw: unknown) => void = () => undefined;
  const conn: Connection = {
    send(e) {
      events.push(e);
      for (const w of waiters.splice(0)) {
        if (w.match(e)) w.resolve(e);
        else waiters.push(w);
      }
    },
    onCommand(cb) {
      deliver = cb;
      return () => (deliver = () => undefined);
    },
  };
  const next = (match: (e: HostEvent) => boolean) => {
    const seen = events.find(match);
    return seen ? Promise.resolve(seen) : new Promise<HostEvent>((resolve) => waiters.push({ match, resolve }));
  };
  let n = 0;
  /** Sends a request and resolves with its reply. */
  const request = async (cmd: Record<string, unknown>) => {
    const requestId = `t${++n}`;
    deliver({ ...cmd, requestId });
    return (await next((e) => e.type === "reply" && e.requestId === requestId)) as Extract<HostEvent, { type: "reply" }>;
  };
  return { conn, events, next, request, raw: (c: unknown) => deliver(c) };
}

describe("host", () => {
  let dir: string;
  let host: Host;
  let client: ReturnType<typeof connection>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "flowbook-host-"));
    writeFileSync(join(dir, "a.ts"), "// %% [cell id=one]\nconst one = 1;\n");
    host = await createHost({ notebookDir: dir, notebookPath: join(dir, "a.ts") });
    client = connection();
    host.connect(client.conn);
  });

  after(async () => {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("greets a connection with its status and the open notebook", async () => {
    assert.equal(client.events[0].type, "host-status");
    const opened = client.events[1];
    assert.equal(opened.type, "notebook-opened");
    assert.equal(opened.type === "notebook-opened" && opened.cells[0].id, "one");
  });

  test("forwards kernel events and reports the kernel idle once ready", async () => {
    await client.next((e) => e.type === "host-status" && e.kernel === "idle");
    client.raw({ type: "execute-cells", cells: [{ id: "one" as CellId, code: "const one = 1;\none;", config: {} }], requestedAt: Date.now() } satisfies HostCommand);
    const out = await client.next((e) => e.type === "kernel-event" && e.event.type === "cell-output" && e.event.id === "one");
    assert.equal(out.type, "kernel-event");
  });

  test("answers tracking calls from the store and pushes the change", async () => {
    const reply = await client.request({ type: "tracking-call", method: "createExperiment", args: ["exp-1"] });
    assert.equal(reply.error, undefined);
    assert.equal(typeof reply.result, "string");
    await client.next((e) => e.type === "store-changed" && e.change.type === "experiment");
    const bad = await client.request({ type: "tracking-call", method: "getExperiment", args: ["does-not-exist"] });
    assert.ok(bad.error?.message);
  });

  test("saves atomically and confines paths to the notebook directory", async () => {
    const saved = await client.request({ type: "save-notebook", cells: [{ id: "one", code: "const one = 2;", config: {} }] });
    assert.deepEqual(saved.result, { path: join(dir, "a.ts") });
    assert.match(readFileSync(join(dir, "a.ts"), "utf8"), /const one = 2;/);
    for (const path of ["../escape.ts", "/etc/passwd", "notes.txt"]) {
      const r = await client.request({ type: "save-notebook", path, cells: [] });
      assert.ok(r.error, path);
      const o = await client.request({ type: "open-notebook", path });
      assert.ok(o.error, path);
    }
  });

  test("creates, lists and opens notebooks", async () => {
    const created = await client.request({ type: "new-notebook", path: "sub/b.ts" }).catch(() => undefined);
    // A missing folder is an error reply, not a crash; a plain name works.
    assert.ok(created?.error);
    const b = await client.request({ type: "new-notebook", path: "b.ts" });
    assert.deepEqual(b.result, { path: join(dir, "b.ts") });
    await client.next((e) => e.type === "notebook-opened" && e.path === join(dir, "b.ts"));
    const list = await client.request({ type: "list-notebooks" });
    assert.deepEqual((list.result as { name: string }[]).map((x) => x.name), ["a.ts", "b.ts"]);
    const again = await client.request({ type: "new-notebook", path: "b.ts" });
    assert.match(again.error?.message ?? "", /already exists/);
  });
});
