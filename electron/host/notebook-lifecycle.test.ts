import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AppSettings, CellId, HostEvent } from "../protocol.ts";
import { createHost, type Host } from "./host.ts";
import { connection } from "./test-connection.ts";

const NOTEBOOK = `// %% [cell id=imports]
import { md, plot } from "flowbook";

// %% [cell id=chart]
plot({ data: [{ x: [1, 2, 3], y: [2, 4, 8] }] });

// %% [cell id=note]
md("# trained");
`;

/** A host on `dir`/nb.ts with `settings`, a connected client, and the kernel idle. */
async function open(dir: string, settings: Partial<AppSettings>, settingsFile?: string) {
  const host = await createHost({ notebookDir: dir, notebookPath: join(dir, "nb.ts"), settings, ...(settingsFile ? { settingsFile } : {}), log: () => undefined });
  const client = connection();
  host.connect(client.conn);
  await client.next((e) => e.type === "host-status" && e.kernel === "idle");
  return { host, client };
}

const outputOf = (events: HostEvent[], id: string) =>
  events.some((e) => e.type === "kernel-event" && e.event.type === "cell-output" && e.event.id === id && e.event.output !== null);

test("opening runs the notebook, its outputs are kept beside it, and the next open shows them before anything runs", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-lifecycle-"));
  let host: Host | undefined;
  try {
    writeFileSync(join(dir, "nb.ts"), NOTEBOOK);
    const first = await open(dir, { runOnOpen: true });
    host = first.host;
    const opened = first.client.events.find((e) => e.type === "notebook-opened");
    assert.ok(opened?.type === "notebook-opened" && opened.runOnOpen);
    await first.client.next((e) => e.type === "kernel-event" && e.event.type === "cell-output" && e.event.id === "note");
    await host.close();
    host = undefined;
    const kept = join(dir, "__flowbook__", "nb", "last");
    assert.ok(existsSync(join(kept, "chart.json")) && existsSync(join(kept, "note.json")));
    assert.equal(readFileSync(join(dir, "nb.ts"), "utf8"), NOTEBOOK, "outputs never go into the notebook file");

    const second = await open(dir, { runOnOpen: false });
    host = second.host;
    const last = second.client.events.find((e) => e.type === "last-outputs");
    assert.ok(last?.type === "last-outputs");
    const byId = new Map(last.outputs.map((o) => [o.id, o.output?.kind]));
    assert.equal(byId.get("chart" as CellId), "plot");
    assert.equal(byId.get("note" as CellId), "markdown");
    const reopened = second.client.events.find((e) => e.type === "notebook-opened");
    assert.ok(reopened?.type === "notebook-opened" && !reopened.runOnOpen);
    // Nothing ran: every cell is stale and no output came from the kernel.
    assert.equal(outputOf(second.client.events, "chart"), false);

    // A window that joins later gets the same last outputs; once a cell recomputes, its entry is gone.
    // (Lazy: running `note` runs the import cell it reads, which would otherwise re-run `chart` too.)
    second.client.raw({ type: "set-run-mode", mode: "lazy" });
    second.client.raw({ type: "execute-cells", cells: [{ id: "note", code: 'md("# again")', config: {} }], requestedAt: Date.now() });
    await second.client.next((e) => e.type === "kernel-event" && e.event.type === "cell-output" && e.event.id === "note");
    const late = connection();
    host.connect(late.conn);
    const lateLast = late.events.find((e) => e.type === "last-outputs");
    assert.deepEqual(lateLast?.type === "last-outputs" && lateLast.outputs.map((o) => o.id), ["chart"]);
  } finally {
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the notebook's header line beats the app's run-on-open setting", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-lifecycle-"));
  writeFileSync(join(dir, "nb.ts"), `// flowbook: run-on-open=false\n\n${NOTEBOOK}`);
  const { host, client } = await open(dir, { runOnOpen: true });
  try {
    const opened = client.events.find((e) => e.type === "notebook-opened");
    assert.ok(opened?.type === "notebook-opened" && opened.runOnOpen === false);
    assert.equal(outputOf(client.events, "chart"), false);
  } finally {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("app settings persist in their file across hosts, and a bad change is refused", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-lifecycle-"));
  const file = join(dir, "config", "settings.json");
  writeFileSync(join(dir, "nb.ts"), NOTEBOOK);
  const first = await open(dir, {}, file);
  try {
    const greeting = first.client.events.find((e) => e.type === "app-settings");
    assert.deepEqual(greeting?.type === "app-settings" && greeting.settings, { autosave: true, runOnOpen: true, trackingUri: "" });
    const r = await first.client.request({ type: "set-app-settings", settings: { autosave: false } });
    assert.deepEqual(r.result, { autosave: false, runOnOpen: true, trackingUri: "" });
    const bad = await first.client.request({ type: "set-app-settings", settings: { autosave: "no" } });
    assert.match(bad.error?.message ?? "", /'autosave' must be true or false/);
  } finally {
    await first.host.close();
  }
  assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), { autosave: false, runOnOpen: true, trackingUri: "" });
  const second = await open(dir, { runOnOpen: false }, file);
  try {
    const greeting = second.client.events.find((e) => e.type === "app-settings");
    assert.deepEqual(greeting?.type === "app-settings" && greeting.settings, { autosave: false, runOnOpen: false, trackingUri: "" });
  } finally {
    await second.host.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the tracking store setting applies at the next start, and --tracking-uri wins over it", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-lifecycle-"));
  const file = join(dir, "config", "settings.json");
  writeFileSync(join(dir, "nb.ts"), NOTEBOOK);
  const setting = `sqlite:///${join(dir, "set.db")}`;
  const first = await open(dir, {}, file);
  try {
    assert.equal(first.host.trackingUri, `sqlite:///${join(dir, "flowbook.db")}`, "unset: the store beside the notebooks");
    const bad = await first.client.request({ type: "set-app-settings", settings: { trackingUri: "mysql://u:pw@db/x" } });
    assert.match(bad.error?.message ?? "", /unsupported tracking store 'mysql:\/\/u:\*\*\*@db\/x': expected sqlite:\/\/\/relative\.db/);
    assert.doesNotMatch(bad.error?.message ?? "", /pw/);
    const r = await first.client.request({ type: "set-app-settings", settings: { trackingUri: setting } });
    assert.deepEqual(r.result, { autosave: true, runOnOpen: true, trackingUri: setting });
    assert.equal(first.host.trackingUri, `sqlite:///${join(dir, "flowbook.db")}`, "the store in use stays until the next start");
  } finally {
    await first.host.close();
  }
  const second = await open(dir, {}, file);
  try {
    assert.equal(second.host.trackingUri, setting);
    const status = second.client.events.find((e) => e.type === "host-status");
    assert.equal(status?.type === "host-status" && status.trackingUri, setting);
    assert.ok(existsSync(join(dir, "set.db")));
  } finally {
    await second.host.close();
  }
  const flag = `sqlite:///${join(dir, "flag.db")}`;
  const third = await createHost({ notebookDir: dir, trackingUri: flag, settingsFile: file, log: () => undefined });
  try {
    assert.equal(third.trackingUri, flag);
  } finally {
    await third.close();
  }
  // A setting whose store cannot open stops the start with where to change it, never the password.
  writeFileSync(file, JSON.stringify({ trackingUri: "postgresql://team:s3cret@127.0.0.1:1/none" }));
  await assert.rejects(createHost({ notebookDir: dir, settingsFile: file, log: () => undefined }), (err: Error) => {
    assert.match(err.message, /could not open the tracking store 'postgresql:\/\/team:\*\*\*@127\.0\.0\.1:1\/none' set in Settings \(change "trackingUri" in .*settings\.json, or start with --tracking-uri\)/);
    assert.doesNotMatch(err.message, /s3cret/);
    return true;
  });
  rmSync(dir, { recursive: true, force: true });
});

test("export-html writes one page with the cells as the window has them and their outputs", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-lifecycle-"));
  writeFileSync(join(dir, "nb.ts"), NOTEBOOK);
  const { host, client } = await open(dir, { runOnOpen: true });
  try {
    await client.next((e) => e.type === "kernel-event" && e.event.type === "cell-output" && e.event.id === "note");
    const cells = [{ id: "note", code: 'md("# trained") // edited', config: {} }];
    const r = await client.request({ type: "export-html", cells, includeCode: true });
    assert.deepEqual(r.result, { file: "export/nb.html" });
    const html = readFileSync(host.sessionFile("export/nb.html")!, "utf8");
    assert.match(html, /\/\/ edited/);
    assert.match(html, /<h1[^>]*>trained<\/h1>/);
    const bad = await client.request({ type: "export-html", cells, includeCode: "yes" });
    assert.match(bad.error?.message ?? "", /'includeCode' must be a boolean/);

    // Saving the notebook without a cell drops that cell's kept output.
    const last = join(dir, "__flowbook__", "nb", "last");
    // The writer batches: wait (polling, the file system has no event here) until chart's is on disk.
    for (let i = 0; i < 100 && !existsSync(join(last, "chart.json")); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(existsSync(join(last, "chart.json")));
    await client.request({ type: "save-notebook", cells });
    assert.ok(existsSync(join(last, "note.json")));
    assert.equal(existsSync(join(last, "chart.json")), false);
  } finally {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("last outputs reach a window in messages of about one output limit each", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-lifecycle-"));
  const cells = ["a", "b", "c"].map((id) => `// %% [cell id=${id}]\n"${id}".repeat(1500);\n`).join("\n");
  writeFileSync(join(dir, "nb.ts"), `// flowbook: output-limit=2KB\n\n${cells}`);
  let host: Host | undefined;
  try {
    const first = await open(dir, { runOnOpen: true });
    host = first.host;
    await first.client.next((e) => e.type === "kernel-event" && e.event.type === "cell-output" && e.event.id === "c");
    await host.close();
    const second = await open(dir, { runOnOpen: false });
    host = second.host;
    const messages = second.client.events.filter((e) => e.type === "last-outputs");
    assert.equal(messages.length, 3);
    assert.deepEqual(messages.flatMap((m) => (m.type === "last-outputs" ? m.outputs.map((o) => o.id) : [])), ["a", "b", "c"]);
  } finally {
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
