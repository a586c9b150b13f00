/**
 * A console flood measured two ways, for `outputs.e2e.ts` and `bench/ui.ts`: a cell printing a
 * million lines timed in the app (click Run → the cell idle, with the renderer's JS heap sampled
 * meanwhile) and the same cell under `flowbook run`, the headless baseline the app is held to.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** How many lines the flood prints. */
export const FLOOD_LINES = 1_000_000;

/** The flood cell's code: `line 0` … `line 999999`. */
export const FLOOD_CODE = `for (let i = 0; i < ${FLOOD_LINES}; i++) console.log("line", i);`;

/** Chromium switches the heap readings need (without it `usedJSHeapSize` is coarse and delayed). */
export const HEAP_ARGS = ["--enable-precise-memory-info"];

/** A notebook cell in the file format. */
export function cellText(id: string, code: string): string {
  return `// %% [cell id=${id}]\n${code}\n`;
}

/**
 * Wall time of `flowbook run` on a notebook holding only the flood (process start included, which
 * favours the app), its stdout read through a pipe. Throws when the run fails or prints short.
 */
export function headlessFloodMs(): number {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-flood-"));
  try {
    const notebook = join(dir, "flood.ts");
    writeFileSync(notebook, cellText("flood", FLOOD_CODE));
    const t0 = performance.now();
    const run = spawnSync(process.execPath, [join(root, "bin", "flowbook.js"), "run", notebook], {
      cwd: dir,
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    });
    const ms = performance.now() - t0;
    if (run.status !== 0) throw new Error(`flowbook run failed (${run.status}): ${run.stderr}`);
    const printed = run.stdout.split("\n").filter((l) => l.startsWith("line ")).length;
    if (printed !== FLOOD_LINES) throw new Error(`flowbook run printed ${printed} flood lines, not ${FLOOD_LINES}`);
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Page script: samples `performance.memory.usedJSHeapSize` every 50 ms and at each frame into
 * `window.__heap`. A string, because tsx wraps named functions in a helper the page lacks.
 */
const HEAP_SAMPLER = `(() => {
  const read = () => (performance.memory ? performance.memory.usedJSHeapSize : 0);
  const state = { peak: read(), samples: 0, live: true, timer: 0 };
  const sample = () => { state.peak = Math.max(state.peak, read()); state.samples++; };
  const frame = () => { if (!state.live) return; sample(); requestAnimationFrame(frame); };
  state.timer = setInterval(sample, 50);
  requestAnimationFrame(frame);
  window.__heap = state;
})()`;

/** Starts sampling the page's JS heap every 50 ms and at each frame; `heapPeak` reads the highest. */
export async function startHeapSampler(page: Page): Promise<void> {
  await page.evaluate(HEAP_SAMPLER);
}

/** Stops the sampler; the peak heap in bytes and how many samples were taken. */
export async function heapPeak(page: Page): Promise<{ peak: number; samples: number }> {
  return page.evaluate(() => {
    const h = (window as unknown as { __heap: { peak: number; samples: number; live: boolean; timer: number } }).__heap;
    h.live = false;
    clearInterval(h.timer);
    return { peak: h.peak, samples: h.samples };
  });
}

const cellSelector = (id: string) => `[data-testid="cell"][data-cell-id="${id}"]`;

/**
 * Clicks the cell's Run and waits until it has run and is idle again: the time a user waits, in ms.
 * Every status the cell shows is recorded in the page, so a run shorter than a poll still counts;
 * the cell must run longer than a frame (a shorter run may never show "running").
 */
export async function runCellTimed(page: Page, id: string, timeoutMs: number): Promise<number> {
  await page.evaluate((sel) => {
    const el = document.querySelector(sel)!;
    const seen: string[] = [];
    (window as unknown as { __statuses: string[] }).__statuses = seen;
    new MutationObserver(() => seen.push(el.getAttribute("data-status") ?? "")).observe(el, { attributes: true, attributeFilter: ["data-status"] });
  }, cellSelector(id));
  const t0 = performance.now();
  await page.locator(cellSelector(id)).getByTestId("run-cell").click();
  await page.waitForFunction(
    (sel) => {
      const seen = (window as unknown as { __statuses: string[] }).__statuses;
      return seen.includes("running") && document.querySelector(sel)?.getAttribute("data-status") === "idle";
    },
    cellSelector(id),
    { timeout: timeoutMs, polling: 20 },
  );
  return performance.now() - t0;
}

/** What a cell's console shows: the "earlier lines" count and the lines of its tail. */
export async function consoleShown(page: Page, id: string): Promise<{ dropped: number; lines: string[]; notice: string }> {
  return page.evaluate((sel) => {
    const consoleEl = document.querySelector(`${sel} [data-testid="cell-console"]`);
    const dropped = consoleEl?.querySelector('[data-testid="console-dropped"]');
    // textContent, not innerText: the tail's chunks are blocks, and innerText adds a break between them.
    const text = Array.from(consoleEl?.querySelectorAll("[data-stream]") ?? [], (s) => s.textContent ?? "").join("");
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    return { dropped: Number(dropped?.getAttribute("data-dropped") ?? 0), lines, notice: dropped?.textContent ?? "" };
  }, cellSelector(id));
}
