/**
 * Test support: a host in its own process for `run-owner.test.ts`. It opens the notebook given as
 * argv[2], runs the cell `open` (which starts a run and never ends it), prints `run <id>`
 * once the run is RUNNING, and waits to be killed.
 */
import type { CellId, HostEvent } from "../protocol.ts";
import { createHost } from "./host.ts";

const CODE = 'import { mlflow } from "flowbook";\nconst left = await mlflow.startRun({ runName: "left-open" });\nleft.info.run_id;';
const path = process.argv[2];
const host = await createHost({ notebookPath: path, log: () => undefined });
let deliver: (raw: unknown) => void = () => undefined;
let ready: () => void = () => undefined;
const idle = new Promise<void>((resolve) => (ready = resolve));
host.connect({
  send(e: HostEvent) {
    if (e.type === "host-status" && e.kernel === "idle") ready();
  },
  onCommand(cb) {
    deliver = cb;
    return () => undefined;
  },
});
await idle;
deliver({ type: "execute-cells", cells: [{ id: "open" as CellId, code: CODE, config: {} }], requestedAt: Date.now() });
for (;;) {
  const runs = await host.store.searchRuns({ experiment_ids: ["0"], filter: "tags.`flowbook.cellId` = 'open' AND attributes.status = 'RUNNING'" });
  const run = runs.items[0];
  if (run) {
    process.stdout.write(`run ${run.info.run_id}\n`);
    break;
  }
  await new Promise((r) => setTimeout(r, 50));
}

