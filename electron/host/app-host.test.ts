import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HostCommand, HostEvent, KernelEventForwarded, WidgetSpec } from "../protocol.ts";
import { appSessionRefuses, createAppHost, type AppHost } from "./app-host.ts";
import { connection } from "./test-connection.ts";

const NOTEBOOK = `// %% [cell id=imp]
import { ui, md, args } from "flowbook";

// %% [cell id=pick name="pick"]
const n = ui.slider({ label: "n", name: "n", min: 1, max: 10, value: 2 });
n;

// %% [cell id=show]
console.log("showing", n.value);
md(\`squared: \${n.value * n.value}\`);
`;

type Output = Extract<KernelEventForwarded["event"], { type: "cell-output" }>;
const outputOf = (id: string) => (e: HostEvent) => e.type === "kernel-event" && e.event.type === "cell-output" && e.event.id === id && e.event.output !== null;
const markdown = (e: HostEvent) => ((e as KernelEventForwarded).event as Output).output as { markdown: string };
const lastMarkdown = (events: HostEvent[]) => markdown(events.filter(outputOf("show")).at(-1)!).markdown;

describe("app host", () => {
  let dir: string;
  let nb: string;
  let host: AppHost;
  const logs: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "flowbook-app-host-"));
    nb = join(dir, "nb.ts");
    writeFileSync(nb, NOTEBOOK);
    host = await createAppHost({ notebookPath: nb, params: { n: "3" }, maxSessions: 2, log: (m) => logs.push(m) });
  });
  after(async () => {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("each page gets its own kernel running every cell, without the code; widgets drive only their page", async () => {
    const a = connection();
    const b = connection();
    const offA = host.connect(a.conn);
    const offB = host.connect(b.conn);
    try {
      assert.equal(host.sessions(), 2);
      const opened = (await a.next((e) => e.type === "notebook-opened")) as Extract<HostEvent, { type: "notebook-opened" }>;
      assert.equal(opened.appView, true);
      assert.equal(opened.path, "nb.ts", "the page is not told where the file lives");
      assert.deepEqual(opened.cells.map((c) => c.code), ["", "", ""]);
      assert.equal(opened.cells[1]!.config.name, "pick");
      // The parameter sets the slider's start, and every cell ran on connecting.
      await a.next((e) => outputOf("show")(e) && markdown(e).markdown === "squared: 9");
      await b.next((e) => outputOf("show")(e) && markdown(e).markdown === "squared: 9");
      const slider = ((await a.next(outputOf("pick"))) as KernelEventForwarded).event as Output;
      const id = (slider.output as { widget: WidgetSpec }).widget.id;
      a.raw({ type: "set-ui-value", id, value: 5 });
      await a.next((e) => outputOf("show")(e) && markdown(e).markdown === "squared: 25");
      assert.equal(lastMarkdown(b.events), "squared: 9", "the other page's kernel is untouched");
      assert.equal(a.events.some((e) => e.type === "kernel-event" && e.event.type === "variables"), false, "no variable names either");
      await a.next((e) => e.type === "kernel-event" && e.event.type === "cell-console" && e.event.text.includes("showing 5"));
      assert.equal(existsSync(join(dir, "__flowbook__")), false, "sessions keep no console logs beside the notebook");
    } finally {
      offA();
      offB();
    }
  });

  test("every edit, save, file and run command is refused, over the same path a socket uses", async () => {
    const c = connection();
    const off = host.connect(c.conn);
    try {
      await c.next((e) => outputOf("show")(e));
      const save = await c.request({ type: "save-notebook", cells: [{ id: "imp", code: "process.exit(1)", config: {} }] });
      assert.equal(save.error?.code, "PERMISSION_DENIED");
      assert.match(save.error?.message ?? "", /'save-notebook' is not allowed in an app view/);
      assert.equal(readFileSync(nb, "utf8"), NOTEBOOK, "the file is untouched");
      for (const cmd of [{ type: "open-notebook", path: nb }, { type: "list-notebooks" }, { type: "restart-kernel" }, { type: "new-notebook", path: join(dir, "x.ts") }]) {
        assert.equal((await c.request(cmd)).error?.code, "PERMISSION_DENIED", cmd.type);
      }
      assert.equal((await c.request({ type: "tracking-call", method: "createExperiment", args: ["x"] })).error?.code, "PERMISSION_DENIED");
      assert.deepEqual((await c.request({ type: "tracking-call", method: "getExperiment", args: ["0"] })).result, await host.store.getExperiment("0"));
      // A cell sent to run is dropped: the kernel handles commands in order, so once the widget's
      // reader has re-run, an injected cell that had been forwarded would have run before it.
      c.raw({ type: "execute-cells", cells: [{ id: "evil", code: 'md("injected")', config: {} }], requestedAt: Date.now() });
      const slider = ((await c.next(outputOf("pick"))) as KernelEventForwarded).event as Output;
      c.raw({ type: "set-ui-value", id: (slider.output as { widget: WidgetSpec }).widget.id, value: 4 });
      await c.next((e) => outputOf("show")(e) && markdown(e).markdown === "squared: 16");
      assert.equal(c.events.some((e) => e.type === "kernel-event" && "id" in e.event && e.event.id === "evil"), false);
      assert.ok(logs.some((m) => /'execute-cells' is not allowed in an app view/.test(m)));
    } finally {
      off();
    }
  });

  test("sessions are bounded, and a page that goes closes its kernel", async () => {
    const a = connection();
    const b = connection();
    const offA = host.connect(a.conn);
    const offB = host.connect(b.conn);
    const extra = connection();
    host.connect(extra.conn);
    const closed = (await extra.next((e) => e.type === "session-closed")) as Extract<HostEvent, { type: "session-closed" }>;
    assert.match(closed.reason, /serves 2 sessions at once, all in use/);
    assert.equal(extra.events.some((e) => e.type === "notebook-opened"), false);
    offA();
    offB();
    assert.equal(host.sessions(), 0);
  });

  test("the policy lets only widget input, interrupt and reads of the app's store through", () => {
    const allowed: HostCommand[] = [
      { type: "set-ui-value", id: "w" as never, value: 1 },
      { type: "interrupt" },
      { type: "tracking-call", requestId: "r" as never, method: "searchRuns", args: [{ experiment_ids: ["0"] }] },
    ];
    for (const cmd of allowed) assert.equal(appSessionRefuses(cmd), undefined, cmd.type);
    assert.match(appSessionRefuses({ type: "tracking-call", requestId: "r" as never, method: "getRun", args: ["x"], store: "view" }) ?? "", /only reads/);
    assert.match(appSessionRefuses({ type: "set-output-limits", limits: {} }) ?? "", /not allowed/);
  });
});

test("an app session that sends nothing for the idle time is closed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-app-idle-"));
  writeFileSync(join(dir, "nb.ts"), NOTEBOOK);
  const host = await createAppHost({ notebookPath: join(dir, "nb.ts"), idleMs: 1500, log: () => undefined });
  try {
    const c = connection();
    host.connect(c.conn);
    const closed = (await c.next((e) => e.type === "session-closed")) as Extract<HostEvent, { type: "session-closed" }>;
    assert.match(closed.reason, /closed after 2 s without input; reload the page/);
    assert.equal(host.sessions(), 0);
  } finally {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
