/**
 * Notebook parameters in the app, in Chromium on a real host and kernel (`flowbook edit nb.ts -P
 * epochs=7 -P lr=0.05`): a slider named after a parameter starts at its value, a cell reading
 * `args.number` sees it, and moving the slider still re-runs its reader.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openNotebookInBrowser, type NotebookSession } from "./harness.ts";

const WAIT_MS = 20_000;
const ARTIFACTS = fileURLToPath(new URL("./artifacts/", import.meta.url));
const NOTEBOOK = `// %% [cell id=imp]
import { args, ui } from "flowbook";

// %% [cell id=epochs]
const epochs = ui.slider({ label: "epochs", name: "epochs", min: 1, max: 20, value: 3 });
epochs;

// %% [cell id=plan]
\`train \${epochs.value} epochs at lr \${args.number("lr", 0.1)}\`;
`;

describe("notebook parameters in the app", () => {
  let s: NotebookSession;
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    s = await openNotebookInBrowser(NOTEBOOK, { params: { epochs: "7", lr: "0.05" } });
  });
  after(async () => {
    await s?.close();
  });

  test("a named slider starts at -P's value and its reader sees it; moving it re-runs the reader", async () => {
    const cell = (id: string) => s.page.locator(`[data-testid="cell"][data-cell-id="${id}"]`);
    await s.page.getByTestId("run-all").click();
    await cell("plan").getByTestId("cell-output").filter({ hasText: "train 7 epochs at lr 0.05" }).waitFor({ timeout: WAIT_MS });
    const slider = cell("epochs").locator('[data-testid="widget"] input[type="range"]');
    assert.equal(await slider.inputValue(), "7");
    await s.page.screenshot({ path: join(ARTIFACTS, "params.png") });
    await slider.fill("12");
    await cell("plan").getByTestId("cell-output").filter({ hasText: "train 12 epochs at lr 0.05" }).waitFor({ timeout: WAIT_MS });
  });
});
