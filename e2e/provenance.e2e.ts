/**
 * Run provenance end to end (goals G4, G7): a cell logs a run, the slider it reads moves and the
 * cell is edited and run again; comparing the first and last runs shows the changed code lines, the
 * upstream slider value, and one parallel-coordinates line per run (SVG, so no WebGL is needed);
 * the first run's page knows the cell has changed and opens the notebook as it was for that run.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Locator, Page } from "playwright-core";
import { openNotebookInBrowser, type App, type NotebookSession } from "./harness.ts";
import type { Run } from "../electron/tracking/types.ts";

const WAIT_MS = 30_000;
/** Screenshots for a person to look at (not compared): e2e/artifacts/provenance-*.png. */
const artifacts = join(dirname(fileURLToPath(import.meta.url)), "artifacts");
const TRAIN_V1 = 'await mlflow.setExperiment("provenance");\nawait mlflow.startRun({ runName: `lr${lr.value}` });\nawait mlflow.logParam("lr", lr.value);\nawait mlflow.logMetric("loss", 1 / lr.value);\nawait mlflow.endRun();';
const TRAIN_V2 = 'await mlflow.setExperiment("provenance");\nawait mlflow.startRun({ runName: `v2-lr${lr.value}` });\nawait mlflow.logParam("lr", lr.value);\nawait mlflow.logMetric("loss", 0.5 / lr.value);\nawait mlflow.endRun();';
const NOTEBOOK = [
  "// %% [cell id=imports]",
  'import { mlflow, ui } from "flowbook";',
  "",
  "// %% [cell id=knob]",
  'const lr = ui.slider({ label: "lr", min: 1, max: 9, step: 1, value: 3 });',
  "lr;",
  "",
  '// %% [cell id=train name="train"]',
  TRAIN_V1,
  "",
].join("\n");

let session: NotebookSession;
let app: App;
let page: Page;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(artifacts, `provenance-${name}.png`), fullPage: true });
}

const cell = (id: string): Locator => page.locator(`[data-testid="cell"][data-cell-id="${id}"]`);

/** The runs of the notebook's experiment by name, once `names` have all finished. */
async function finishedRuns(names: string[]): Promise<Map<string, Run>> {
  const end = Date.now() + WAIT_MS;
  for (;;) {
    const exp = await app.host.store.getExperimentByName("provenance").catch(() => undefined);
    const runs = exp ? (await app.host.store.searchRuns({ experiment_ids: [exp.experiment_id] })).items : [];
    const byName = new Map(runs.filter((r) => r.info.status === "FINISHED").map((r) => [r.info.run_name, r]));
    if (names.every((n) => byName.has(n))) return byName;
    if (Date.now() > end) throw new Error(`runs ${names.join(", ")} did not finish; have ${[...byName.keys()].join(", ")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Opens the Tracking tab on the notebook's experiment. */
async function openExperiment(): Promise<void> {
  const exp = await app.host.store.getExperimentByName("provenance");
  await page.getByTestId("tab-tracking").click();
  await page.locator(`[data-testid="experiment-item"][data-experiment-id="${exp!.experiment_id}"] [data-testid="experiment-link"]`).click();
  await page.getByTestId("runs-row").first().waitFor({ timeout: WAIT_MS });
}

describe("run provenance", () => {
  let runs: Map<string, Run>;

  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    session = await openNotebookInBrowser(NOTEBOOK, {
      fileName: "sweep.ts",
      viewport: { width: 1400, height: 900 },
      timeoutMs: WAIT_MS,
    });
    ({ app, page } = session);
  });

  after(async () => {
    await session?.close();
  });

  test("a run, a slider move and an edited re-run each record their code and upstream values", async () => {
    await page.getByTestId("run-all").click();
    await finishedRuns(["lr3"]);
    // Moving the slider re-runs the cell as the kernel has it; then the edited cell runs.
    await cell("knob").locator('[data-testid="widget"][data-widget-kind="slider"] input[type="range"]').fill("6");
    await finishedRuns(["lr3", "lr6"]);
    await cell("train").locator(".cm-content").click();
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.insertText(TRAIN_V2);
    await page.keyboard.press("Shift+Enter");
    runs = await finishedRuns(["lr3", "lr6", "v2-lr6"]);
    const upstream = (name: string) => JSON.parse(runs.get(name)!.data.tags.find((t) => t.key === "flowbook.upstream")!.value);
    assert.deepEqual([upstream("lr3"), upstream("lr6"), upstream("v2-lr6")], [{ lr: 3 }, { lr: 6 }, { lr: 6 }]);
  });

  test("comparing the first and the edited run shows the changed lines, the slider value and one line per run", async () => {
    await openExperiment();
    for (const name of ["lr3", "v2-lr6"]) {
      await page.locator(`[data-testid="runs-row"][data-run-id="${runs.get(name)!.info.run_id}"] [data-testid="run-select"]`).check();
    }
    await page.getByTestId("compare-button").click();
    const diff = page.getByTestId("code-diff-lines");
    await diff.waitFor({ timeout: WAIT_MS });
    const lines = async (op: string) => diff.locator(`[data-op="${op}"]`).allInnerTexts();
    const [removed, added] = [await lines("del"), await lines("add")];
    assert.equal(removed.length, 2);
    assert.equal(added.length, 2);
    assert.match(removed.join("\n"), /runName: `lr\$\{lr\.value\}`[\s\S]*1 \/ lr\.value/);
    assert.match(added.join("\n"), /runName: `v2-lr\$\{lr\.value\}`[\s\S]*0\.5 \/ lr\.value/);
    assert.match((await lines("same")).join("\n"), /setExperiment\("provenance"\)/);

    const lr = page.locator('[data-testid="compare-upstream"] [data-testid="diff-row"][data-key="lr"]');
    assert.equal(await lr.getAttribute("data-differs"), "true");
    assert.deepEqual(await lr.locator("td").allInnerTexts(), ["3", "6"]);

    const chart = page.getByTestId("parallel-chart");
    assert.equal(await chart.locator("svg path[data-testid='pc-line']").count(), 2);
    await shot("compare");
    // Hovering names a line's run; dragging along the lr axis's upper part keeps only the lr=6 run.
    const first = chart.locator(`[data-run-id="${runs.get("lr3")!.info.run_id}"]`);
    await first.dispatchEvent("mouseenter");
    assert.equal(await chart.getByTestId("pc-hover").innerText(), "lr3");
    await chart.screenshot({ path: join(artifacts, "provenance-parallel.png") });
    await first.dispatchEvent("mouseleave");
    const box = (await chart.locator('[data-axis="params:lr"] .tr-pc-hit').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 3, { steps: 4 });
    await page.mouse.up();
    assert.equal(await chart.getByTestId("pc-count").innerText(), "1 of 2 runs");
    assert.equal(await first.getAttribute("data-passing"), "false");
    await chart.getByTestId("pc-clear").click();
    assert.equal(await chart.getByTestId("pc-count").innerText(), "2 of 2 runs");
    assert.equal(await page.locator("canvas").count(), 0, "no WebGL canvas is drawn");
    // Lower loss is better: the edited run is the best; clicking a line opens its run.
    assert.equal(await chart.locator(`[data-run-id="${runs.get("v2-lr6")!.info.run_id}"]`).getAttribute("data-best"), "true");
    await first.dispatchEvent("click");
    await page.getByTestId("run-title").filter({ hasText: "lr3" }).waitFor({ timeout: WAIT_MS });
  });

  test("the first run's page sees the cell has changed and opens the notebook as it was", async () => {
    const live = page.getByTestId("provenance-live");
    await live.waitFor({ timeout: WAIT_MS });
    assert.equal(await live.getAttribute("data-state"), "changed");
    assert.match(await live.innerText(), /the cell has changed since this run/i);
    assert.match(await page.getByTestId("provenance-upstream").innerText(), /lr = 3/);
    await shot("run-page");

    await page.getByTestId("provenance-open-snapshot").click();
    // The edited notebook is unsaved: opening the snapshot asks first; the user discards the edits.
    await page.getByTestId("leave-discard").click();
    const title = page.getByTestId("notebook-title");
    await title.filter({ hasText: /sweep\.run-/ }).waitFor({ timeout: WAIT_MS });
    await page.waitForSelector('[data-testid="cell"][data-cell-id="train"].focused', { timeout: WAIT_MS });
    assert.equal(await cell("train").locator(".cm-content").innerText(), TRAIN_V1);
    assert.ok(await page.getByTestId("dirty-marker").isVisible(), "the snapshot notebook is unsaved");
    await shot("snapshot-opened");

    // Back on the run page, "open notebook at this cell" reopens the original file at the cell.
    await openExperiment();
    await page.locator(`[data-testid="runs-row"][data-run-id="${runs.get("lr3")!.info.run_id}"] [data-testid="run-link"]`).click();
    await page.getByTestId("provenance-open-cell").click();
    await page.getByTestId("leave-discard").click();
    await title.filter({ hasText: "sweep.ts" }).waitFor({ timeout: WAIT_MS });
    await page.waitForSelector('[data-testid="cell"][data-cell-id="train"].focused', { timeout: WAIT_MS });
  });
});
