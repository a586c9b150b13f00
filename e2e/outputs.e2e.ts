/**
 * Bounded outputs (issue 17) in Chromium against the real app: a cell printing a million lines
 * finishes within 3× its `flowbook run` time with the renderer's heap under 300 MB, shows the last
 * 10,000 lines under "… 990,000 earlier lines not shown", and links the complete log; Stop during an
 * endless flood leaves the kernel idle within a moment, showing the last lines printed; an output
 * over the limit is reported with its size, its saved copy opens, and raising the limit shows it.
 * Needs `dist/renderer` (npm run build:renderer).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import {
  cellText,
  consoleShown,
  FLOOD_CODE,
  FLOOD_LINES,
  HEAP_ARGS,
  headlessFloodMs,
  heapPeak,
  runCellTimed,
  startHeapSampler,
} from "./console-flood.ts";
import { launchBrowser, startApp, type App } from "./harness.ts";

const WAIT_MS = 30_000;
const MB = 1024 * 1024;
const CONSOLE_LINES = 10_000;
/** The acceptance: the flood in the app takes at most this many times its headless run. */
const MAX_RATIO = 3;
const MAX_HEAP = 300 * MB;

const NOTEBOOK = [
  "// Bounded outputs e2e notebook.",
  "",
  cellText("imports", 'import { md } from "flowbook";'),
  cellText("flood", FLOOD_CODE),
  cellText("forever", 'let tick = 0;\nwhile (true) console.log("tick", tick++);'),
  cellText("huge", 'md("# Fifty\\n\\n" + "y".repeat(50 * 1024 * 1024));'),
].join("\n");

/** A notebook whose header sets a 1 MB output limit, and a 3 MB markdown cell. */
const SMALL_LIMIT_NOTEBOOK = [
  "// Raising the output limit.",
  "// flowbook: output-limit=1MB",
  "",
  cellText("imports", 'import { md } from "flowbook";'),
  cellText("big", 'md("# Big\\n\\n" + "lorem ipsum ".repeat(260_000));'),
].join("\n");

const cell = (page: Page, id: string): Locator => page.locator(`[data-testid="cell"][data-cell-id="${id}"]`);

async function openApp(browser: Browser, app: App): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(app.url);
  await page.waitForSelector('[data-testid="connection"][data-connected="yes"]', { timeout: WAIT_MS });
  await page.waitForSelector('[data-testid="kernel-state"][data-state="idle"]', { timeout: WAIT_MS });
  return page;
}

/** The text at a same-origin URL, fetched by the page as a click on its link would. */
async function fetchText(page: Page, href: string): Promise<{ status: number; length: number; head: string; tail: string; lines: number }> {
  return page.evaluate(async (url) => {
    const res = await fetch(url);
    const text = await res.text();
    let lines = 0;
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines++;
    return { status: res.status, length: text.length, head: text.slice(0, 200), tail: text.slice(-200), lines };
  }, href);
}

/** The same-origin URL a link points at, after checking that clicking it opens a new tab. */
async function linkOpensTab(page: Page, link: Locator): Promise<URL> {
  const href = await link.getAttribute("href");
  assert.ok(href, "the link has an href");
  const [popup] = await Promise.all([page.waitForEvent("popup", { timeout: WAIT_MS }), link.click()]);
  await popup.close();
  return new URL(href, page.url());
}

describe("bounded outputs", () => {
  let browser: Browser;
  let app: App;
  let page: Page;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "flowbook-outputs-"));
    writeFileSync(join(dir, "outputs.ts"), NOTEBOOK);
    app = await startApp({ notebook: join(dir, "outputs.ts"), dir });
    browser = await launchBrowser({ args: HEAP_ARGS });
    page = await openApp(browser, app);
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("a million-line cell finishes within 3× its headless time, keeps the heap small and shows the last 10,000 lines", { timeout: 180_000 }, async () => {
    const headless = headlessFloodMs();
    await startHeapSampler(page);
    const inApp = await runCellTimed(page, "flood", 120_000);
    const heap = await heapPeak(page);
    const ratio = inApp / headless;
    process.stdout.write(
      `# flood: app ${Math.round(inApp)} ms, headless ${Math.round(headless)} ms (${ratio.toFixed(2)}×); ` +
        `renderer heap peak ${(heap.peak / MB).toFixed(1)} MB over ${heap.samples} samples\n`,
    );
    assert.ok(heap.samples > 3, "the heap was sampled during the flood");
    assert.ok(heap.peak < MAX_HEAP, `renderer heap peaked at ${(heap.peak / MB).toFixed(1)} MB`);
    assert.ok(ratio <= MAX_RATIO, `the flood took ${Math.round(inApp)} ms in the app, ${ratio.toFixed(2)}× its ${Math.round(headless)} ms headless`);

    const shown = await consoleShown(page, "flood");
    assert.equal(shown.lines.length, CONSOLE_LINES);
    assert.equal(shown.lines[0], `line ${FLOOD_LINES - CONSOLE_LINES}`);
    assert.equal(shown.lines[CONSOLE_LINES - 1], `line ${FLOOD_LINES - 1}`);
    assert.equal(shown.dropped, FLOOD_LINES - CONSOLE_LINES);
    assert.match(shown.notice, /^… 990,000 earlier lines not shown — open the full log/);
  });

  test("the full-log link opens every line the cell printed", { timeout: 60_000 }, async () => {
    const link = cell(page, "flood").getByTestId("console-full-log");
    const url = await linkOpensTab(page, link);
    assert.equal(url.pathname, "/flowbook/console-log");
    assert.equal(url.searchParams.get("cell"), "flood");
    const log = await fetchText(page, `${url.pathname}${url.search}`);
    assert.equal(log.status, 200);
    assert.equal(log.lines, FLOOD_LINES);
    assert.ok(log.head.startsWith("line 0\nline 1\n"), log.head);
    assert.ok(log.tail.endsWith(`line ${FLOOD_LINES - 1}\n`), log.tail);
  });

  test("Stop during an endless flood has the kernel idle again within a moment, showing the last lines printed", { timeout: 90_000 }, async () => {
    await startHeapSampler(page);
    const started = performance.now();
    await cell(page, "forever").getByTestId("run-cell").click();
    // Let it flood for a while: well past the console bounds.
    await page.waitForFunction(
      () => Number(document.querySelector('[data-cell-id="forever"] [data-testid="console-dropped"]')?.getAttribute("data-dropped") ?? 0) > 100_000,
      null,
      { timeout: WAIT_MS },
    );
    const before = await consoleShown(page, "forever");
    const lastBefore = Number(before.lines[before.lines.length - 1].split(" ")[1]);
    const t0 = performance.now();
    await page.getByTestId("interrupt").click();
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="kernel-state"]')?.getAttribute("data-state") === "idle" &&
        document.querySelector('[data-cell-id="forever"]')?.getAttribute("data-status") !== "running",
      null,
      { timeout: WAIT_MS, polling: 20 },
    );
    const stopMs = performance.now() - t0;
    const floodMs = performance.now() - started;
    const heap = await heapPeak(page);
    const after = await consoleShown(page, "forever");
    const log = await fetchText(page, `/flowbook/console-log?cell=forever`);
    const lastLogged = Number(log.tail.trimEnd().split("\n").pop()!.split(" ")[1]);
    const lastShown = Number(after.lines[after.lines.length - 1].split(" ")[1]);
    // How long the cell went on printing after the last line shown, at its average rate.
    const unseenMs = ((lastLogged - lastShown) / lastLogged) * floodMs;
    process.stdout.write(
      `# stop: idle ${Math.round(stopMs)} ms after Stop; last tick shown ${lastShown}, last logged ${lastLogged} ` +
        `(≈ ${Math.round(unseenMs)} ms of printing not shown), last seen before Stop ${lastBefore}; heap peak ${(heap.peak / MB).toFixed(1)} MB\n`,
    );
    // Stop ends the flood's loop in place (a kill and a fresh kernel only for code outside the cell's loops).
    assert.ok(stopMs < 5000, `the kernel was idle ${Math.round(stopMs)} ms after Stop`);
    assert.ok(heap.peak < MAX_HEAP, `renderer heap peaked at ${(heap.peak / MB).toFixed(1)} MB`);
    // The tail is the newest lines, contiguous, ending at (or just before) the last line printed.
    assert.ok(after.lines.length > 0 && after.lines.length <= CONSOLE_LINES);
    after.lines.forEach((line, i) => assert.equal(line, `tick ${lastShown - (after.lines.length - 1) + i}`));
    assert.ok(lastShown >= lastBefore, `the tail went back from tick ${lastBefore} to ${lastShown}`);
    assert.ok(lastShown <= lastLogged, `tick ${lastShown} shown but the log ends at ${lastLogged}`);
    assert.ok(unseenMs <= 1000, `the tail ends at tick ${lastShown}, about ${Math.round(unseenMs)} ms of printing before the last, ${lastLogged}`);
    assert.equal(after.dropped + after.lines.length, lastShown + 1, "every earlier line is counted");
  });

  test("an output over the limit is reported with its size and its saved copy opens", { timeout: 90_000 }, async () => {
    await cell(page, "imports").getByTestId("run-cell").click();
    const notice = cell(page, "huge").getByTestId("output-too-large");
    await notice.waitFor({ timeout: 60_000 });
    assert.match(await notice.innerText(), /output too large \(50\.0 MB > 8\.0 MB limit\)/);
    assert.equal(await notice.getAttribute("data-output-kind"), "markdown");
    const open = notice.getByTestId("open-saved-output");
    const url = await linkOpensTab(page, open);
    assert.equal(url.pathname, "/flowbook/session-file");
    const saved = await fetchText(page, `${url.pathname}${url.search}`);
    assert.equal(saved.status, 200);
    assert.ok(saved.length >= 50 * MB, `the saved output holds ${saved.length} characters`);
    assert.ok(saved.head.includes("# Fifty"), saved.head);
    assert.match((await notice.getByTestId("download-saved-output").getAttribute("href")) ?? "", /^\/flowbook\/session-file\?path=.+&download=1$/);
    // The raise offers the next power of two megabytes above the output.
    assert.match(await notice.getByTestId("raise-output-limit").innerText(), /Raise the limit to 64\.0 MB and re-run/);
  });
});

describe("raising the output limit", () => {
  test("re-runs the cell and shows the output that was too large", { timeout: 90_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "flowbook-raise-"));
    const notebook = join(dir, "raise.ts");
    writeFileSync(notebook, SMALL_LIMIT_NOTEBOOK);
    const app = await startApp({ notebook, dir });
    const browser = await launchBrowser();
    try {
      const page = await openApp(browser, app);
      await page.getByTestId("run-all").click();
      const notice = cell(page, "big").getByTestId("output-too-large");
      await notice.waitFor({ timeout: WAIT_MS });
      assert.match(await notice.innerText(), /output too large \(3\.0 MB > 1\.0 MB limit\)/);
      const raise = notice.getByTestId("raise-output-limit");
      assert.match(await raise.innerText(), /Raise the limit to 4\.0 MB and re-run/);
      await raise.click();
      await cell(page, "big").getByTestId("output-markdown").getByRole("heading", { name: "Big" }).waitFor({ timeout: WAIT_MS });
      assert.equal(await cell(page, "big").getByTestId("output-too-large").count(), 0);
      // The raised limit is the notebook's: its header line changes, written with the next save.
      await page.getByTestId("dirty-marker").waitFor({ timeout: WAIT_MS });
      await page.getByTestId("save").click();
      await page.waitForSelector('[data-testid="dirty-marker"]', { state: "detached", timeout: WAIT_MS });
      const header = readFileSync(notebook, "utf8").split("// %%")[0];
      assert.match(header, /^\/\/ flowbook: output-limit=4MB$/m);
    } finally {
      await browser.close();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
