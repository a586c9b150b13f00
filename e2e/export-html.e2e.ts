/**
 * `flowbook export html` and the app's Export: one HTML file that Chromium opens from a file://
 * URL with its Markdown, table and an interactive Plotly chart drawn, and not one request beyond
 * the file itself (nor one the page's policy had to block).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, startApp } from "./harness.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const WAIT_MS = 30_000;
const SHOTS = "/work/helpers/shots";

const NOTEBOOK = `// %% [cell id=imports hidden]
import { md, plot, table } from "flowbook";

// %% [cell id=intro]
md("# Loss report\\n\\nTrained **3** epochs.");

// %% [cell id=rows]
const rows = [[1, 0.9], [2, 0.5], [3, 0.2]];
table(rows, { columns: ["epoch", "loss"] });

// %% [cell id=chart]
plot({ data: [{ x: rows.map((r) => r[0]), y: rows.map((r) => r[1]), type: "scatter", name: "loss" }], layout: { title: "loss by epoch" } });
`;

/** Runs `flowbook …` as a user would; returns its exit code and output. */
function flowbook(args: string[], cwd: string) {
  // The store is the one beside the notebook, whatever the environment points at.
  const { MLFLOW_TRACKING_URI: _, ...env } = process.env;
  const r = spawnSync(process.execPath, [join(root, "bin", "flowbook.js"), ...args], { cwd, encoding: "utf8", env });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/**
 * Opens `file` from disk in a fresh page; resolves once its chart is drawn, with every request the
 * page made and every policy violation it reported.
 */
async function openExport(browser: Browser, file: string, shot: string): Promise<{ page: Page; requests: string[]; violations: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { violations: string[] }).violations = seen;
    document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(pathToFileURL(file).href);
  await page.locator(".plot .main-svg").first().waitFor({ timeout: WAIT_MS });
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `life-save-${shot}.png`), fullPage: true });
  const violations = await page.evaluate(() => (window as unknown as { violations: string[] }).violations);
  return { page, requests, violations };
}

describe("export html", { timeout: 180_000 }, () => {
  test("flowbook export html --run writes one page that draws its chart offline", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flowbook-export-"));
    const browser = await launchBrowser();
    try {
      writeFileSync(join(dir, "report.ts"), NOTEBOOK);
      // No outputs kept yet: the page says so and shows code only.
      const bare = flowbook(["export", "html", "report.ts", "-o", "bare.html"], dir);
      assert.equal(bare.code, 0, bare.out);
      assert.match(bare.out, /no outputs kept beside it yet/);
      assert.doesNotMatch(readFileSync(join(dir, "bare.html"), "utf8"), /<script/);

      const run = flowbook(["export", "html", "report.ts", "--run"], dir);
      assert.equal(run.code, 0, run.out);
      const file = join(dir, "report.html");
      assert.match(run.out, new RegExp(`Wrote ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));

      const { page, requests, violations } = await openExport(browser, file, "export-cli");
      assert.deepEqual(requests, [pathToFileURL(file).href], "the page loads nothing but itself");
      assert.deepEqual(violations, [], "and tries to load nothing");
      assert.equal(await page.locator(".markdown h1").innerText(), "Loss report");
      assert.equal(await page.locator("table tbody tr").count(), 3);
      assert.match(await page.locator("pre.code").first().innerText(), /md\("# Loss report/);
      assert.equal(await page.locator("pre.code", { hasText: "import {" }).count(), 0, "the hidden import cell's code stays hidden");
      // Interactive: Plotly's own mode bar and hover layer are there.
      assert.equal(await page.locator(".plot .modebar").count(), 1);
      assert.match((await page.locator(".plot .gtitle").textContent()) ?? "", /loss by epoch/);

      // --no-code, from the outputs --run kept beside the notebook: no code, same chart.
      const noCode = flowbook(["export", "html", "report.ts", "--no-code", "-o", "outputs-only.html"], dir);
      assert.equal(noCode.code, 0, noCode.out);
      const second = await openExport(browser, join(dir, "outputs-only.html"), "export-no-code");
      assert.equal(await second.page.locator("pre.code").count(), 0);
      assert.equal(await second.page.locator(".markdown h1").innerText(), "Loss report");
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the app's Export offers the same page for the notebook as it is on screen", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flowbook-export-app-"));
    writeFileSync(join(dir, "report.ts"), NOTEBOOK);
    const app = await startApp({ dir, notebook: join(dir, "report.ts"), settings: { runOnOpen: true, autosave: false } });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 800 }, acceptDownloads: true });
      await page.goto(app.url);
      await page.locator('[data-cell-id="chart"] .main-svg').first().waitFor({ timeout: WAIT_MS });
      await page.getByTestId("export").click();
      await page.getByTestId("export-dialog").waitFor();
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, "life-save-export-dialog.png") });
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-html").click()]);
      assert.equal(download.suggestedFilename(), "report.html");
      const saved = join(dir, "downloaded.html");
      await download.saveAs(saved);

      const { page: exported, requests, violations } = await openExport(browser, saved, "export-app");
      assert.deepEqual(requests, [pathToFileURL(saved).href]);
      assert.deepEqual(violations, []);
      assert.equal(await exported.locator(".markdown h1").innerText(), "Loss report");
      assert.equal(await exported.locator("table tbody tr").count(), 3);
    } finally {
      await browser.close();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
