/**
 * The runs table on experiments bigger than one page, in browser mode against the real host and
 * store: pages load as the table scrolls (not all at once), children stay under parents that sit on
 * pages not loaded yet, grouping loads every run for its aggregates, Duration sorts on the server
 * (Flowbook's `attributes.duration`), and visible rows stay live.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, startApp, type App } from "./harness.ts";
import { createExperiment, seedRun } from "./tracking-fixtures.ts";

const WAIT_MS = 20_000;
/** More runs than the table's first page (100) plus one further page (500). */
const RUNS = 700;

let app: App;
let browser: Browser;
let page: Page;

const names = () => page.locator('[data-testid="runs-row"] [data-testid="run-link"]').allInnerTexts();
const firstName = async () => (await names())[0];
const count = () => page.getByTestId("runs-count").innerText();

async function open(experimentId: string): Promise<void> {
  await page.goto(app.url);
  await page.getByTestId("tab-tracking").click();
  await page.locator(`[data-testid="experiment-item"][data-experiment-id="${experimentId}"] [data-testid="experiment-link"]`).click();
  await page.getByTestId("runs-row").first().waitFor({ timeout: WAIT_MS });
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + WAIT_MS;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Creates `n` runs named `<prefix>0000…` one second apart (newest last), plus `extra` fields per index. */
async function manyRuns(experimentId: string, prefix: string, n: number, extra: (i: number) => { params?: Record<string, string>; tags?: Record<string, string> } = () => ({})) {
  const t = Date.now() - 10_000_000;
  for (let i = 0; i < n; i++) {
    const { params, tags } = extra(i);
    const run = await app.host.store.createRun({
      experiment_id: experimentId,
      run_name: `${prefix}${String(i).padStart(4, "0")}`,
      start_time: t + i * 1000,
      tags: Object.entries(tags ?? {}).map(([key, value]) => ({ key, value })),
    });
    if (params) await app.host.store.logBatch({ run_id: run.info.run_id, params: Object.entries(params).map(([key, value]) => ({ key, value })) });
  }
}

describe("runs table on large experiments", () => {
  before(async () => {
    app = await startApp();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    await app?.close();
  });

  test("pages load as the table scrolls, and a new sort starts again from one page", async () => {
    const exp = await createExperiment(app, "paged");
    await manyRuns(exp, "r", RUNS);
    await open(exp);
    assert.equal(await firstName(), `r${String(RUNS - 1).padStart(4, "0")}`);
    assert.equal(await count(), "100+ runs");
    const scroller = page.getByTestId("runs-scroll");
    await waitFor("every page", async () => {
      await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
      return (await count()) === `${RUNS} runs`;
    });
    await waitFor("the oldest run at the bottom", async () => {
      await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
      return (await names()).includes("r0000");
    });
    assert.ok((await page.getByTestId("runs-row").count()) < 100, "rows stay virtualized");

    await page.getByTestId("sort-attr:run_name").click(); // descending
    await page.getByTestId("sort-attr:run_name").click(); // ascending
    await waitFor("ascending names from the top", async () => (await firstName()) === "r0000");
    assert.equal(await scroller.evaluate((el) => el.scrollTop), 0);
    assert.equal(await count(), "100+ runs");
  });

  test("children stay under parents that are on pages not loaded yet, and expanding loads them all", async () => {
    const exp = await createExperiment(app, "nested");
    const t = Date.now() - 20_000_000; // older than the fillers
    // Newest first, the parent and its first child are far beyond the first page; three newer
    // children are on it.
    const parent = await seedRun(app, exp, { name: "parent", startTime: t });
    const child = (name: string, startTime: number) => seedRun(app, exp, { name, startTime, tags: { "mlflow.parentRunId": parent.info.run_id } });
    await child("kid-early", t + 1000);
    await manyRuns(exp, "filler", 300);
    for (const [i, name] of ["kid-a", "kid-b", "kid-c"].entries()) await child(name, Date.now() - 5_000 + i * 1000);
    await open(exp);

    // The parent is fetched for its loaded children and takes the place of the first of them.
    await waitFor("the parent at the top", async () => (await names())[0] === "parent");
    assert.ok(!(await names()).includes("kid-c"), "children are not top-level rows");
    const twisty = page.locator(`[data-testid="runs-row"][data-run-id="${parent.info.run_id}"] [data-testid="run-expand"]`);
    assert.match(await twisty.innerText(), /3/);
    await twisty.click();
    await waitFor("all four children under it", async () => (await names()).slice(0, 5).join() === "parent,kid-c,kid-b,kid-a,kid-early");
    assert.match(await twisty.innerText(), /4/);

    // Oldest first, the parent leads the first page and stays expanded with all its children.
    await page.getByTestId("sort-attr:start_time").click(); // newest first
    await page.getByTestId("sort-attr:start_time").click(); // oldest first
    await waitFor("the oldest first", async () => (await names()).slice(0, 5).join() === "parent,kid-early,kid-a,kid-b,kid-c");
  });

  test("grouping loads every run of the filter for its aggregates", async () => {
    const exp = await createExperiment(app, "grouped");
    await manyRuns(exp, "g", RUNS, (i) => ({ params: { half: i % 2 ? "odd" : "even" } }));
    await open(exp);
    assert.equal(await count(), "100+ runs");
    await page.getByTestId("runs-groupby").selectOption("param:half");
    await waitFor("every run", async () => (await count()) === `${RUNS} runs`);
    // Collapse the first group, so the second one's header is on screen too.
    await page.getByTestId("runs-group-row").first().locator("button").click();
    await waitFor("both group headers", async () => (await page.getByTestId("runs-group-row").count()) === 2);
    const groups = await page.getByTestId("runs-group-row").allInnerTexts();
    for (const g of groups) assert.match(g, new RegExp(`\\(${RUNS / 2} runs\\)`));
  });

  test("Duration sorts on the server, running runs last either way", async () => {
    const exp = await createExperiment(app, "durations");
    const t = Date.now() - 100_000;
    await seedRun(app, exp, { name: "short", startTime: t, metrics: { loss: [1, 2] } });
    await seedRun(app, exp, { name: "long", startTime: t + 1000, metrics: { loss: [1, 2, 3, 4, 5] } });
    await seedRun(app, exp, { name: "running", startTime: t + 2000, status: "RUNNING" });
    await seedRun(app, exp, { name: "medium", startTime: t + 3000, metrics: { loss: [1, 2, 3] } });
    await open(exp);
    const header = page.getByTestId("sort-attr:duration");
    await waitFor("Duration to become sortable", async () => (await header.getAttribute("data-sortable")) === "true");
    await header.click();
    await waitFor("longest first", async () => (await names()).join() === "long,medium,short,running");
    await header.click();
    await waitFor("shortest first", async () => (await names()).join() === "short,medium,long,running");
  });

  test("a visible row follows its run's new metrics, and a new run appears at the top", async () => {
    const exp = await createExperiment(app, "live");
    await manyRuns(exp, "l", 300);
    await open(exp);
    await page.getByTestId("columns-button").click();
    const newest = await app.host.store.searchRuns({ experiment_ids: [exp], max_results: 1 });
    const id = newest.items[0].info.run_id;
    await app.host.store.logBatch({ run_id: id, metrics: [{ key: "acc", value: 0.25, step: 0, timestamp: Date.now() }] });
    await waitFor("the new metric column", async () => (await page.getByTestId("column-option-metrics:acc").count()) > 0);
    await page.getByTestId("column-option-metrics:acc").check();
    const cell = page.locator(`[data-testid="runs-row"][data-run-id="${id}"] [data-testid="cell-metrics:acc"]`);
    await waitFor("the first value", async () => (await cell.innerText()) === "0.25");
    await app.host.store.logBatch({ run_id: id, metrics: [{ key: "acc", value: 0.75, step: 1, timestamp: Date.now() }] });
    await waitFor("the newer value", async () => (await cell.innerText()) === "0.75");
    await app.host.store.createRun({ experiment_id: exp, run_name: "brand-new", start_time: Date.now() });
    await waitFor("the new run on top", async () => (await firstName()) === "brand-new");
  });
});
