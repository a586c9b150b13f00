/**
 * Kernel latency: scheduling overhead of editing the first cell of a 200-cell chain (against the
 * same 200 cell bodies called directly), interrupt latency (against a kernel cold start) of an
 * async loop, a loop swallowing its interrupts, a synchronous busy loop and a console flood, all
 * stopped in place with a model's values checked after, and of a blocking call, which only a kill
 * and restart ends; and live-reader latency — a
 * metric logged to the store until the reader cell's re-run has finished — measured end to end
 * through the real host and kernel process (against the store write alone). Bounded outputs: a cell
 * printing a million lines through the host and kernel process (against `flowbook run` of the same
 * notebook), and the memory a 1M-point line plot costs the host and the kernel once shown.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CellSource, RequestId } from "../electron/protocol.ts";
import { createHost } from "../electron/host/host.ts";
import { Kernel } from "../electron/kernel/kernel.ts";
import type { BenchRow } from "./index.ts";
import { cellSource, hostWith, kernelEvent, kernelIdle, statusOf } from "./support/host-session.ts";
import { median, percentile } from "./support/stats.ts";

const CHAIN = 200;

const chainCode = (i: number, first: number) => (i === 0 ? `const v0 = ${first};` : `const v${i} = v${i - 1} + 1;`);

/** Median ms for the kernel to re-run the whole chain after an edit of its first cell. */
async function chainEdit(): Promise<{ kernelMs: number; directMs: number }> {
  const kernel = new Kernel({ notebookPath: join(tmpdir(), "bench-chain.ts"), runtimeModule: {}, emit: () => {} });
  const cells = Array.from({ length: CHAIN }, (_, i) => cellSource(`c${i}`, chainCode(i, 0)));
  await kernel.handle({ type: "kernel-init", notebookPath: "bench-chain.ts", cells, mode: "autorun" });
  await kernel.handle({ type: "execute-cells", cells, requestedAt: Date.now() });
  await kernel.idle();
  const times: number[] = [];
  for (let rep = 1; rep <= 15; rep++) {
    const t = performance.now();
    await kernel.handle({ type: "execute-cells", cells: [cellSource("c0", chainCode(0, rep))], requestedAt: Date.now() });
    await kernel.idle();
    times.push(performance.now() - t);
  }
  await kernel.handle({ type: "shutdown" });
  // The baseline: the same 200 bodies as async functions, awaited in order, passing values along.
  const bodies = Array.from({ length: CHAIN }, (_, i) =>
    i === 0 ? new Function("return (async () => 1)")() : new Function(`return (async (v) => v + 1)`)(),
  ) as ((v?: number) => Promise<number>)[];
  const direct: number[] = [];
  for (let rep = 0; rep < 15; rep++) {
    const t = performance.now();
    let v: number | undefined;
    for (const body of bodies) v = await body(v);
    direct.push(performance.now() - t);
  }
  return { kernelMs: median(times), directMs: median(direct) };
}

const LOOP = "let s = 0;\nfor (let i = 0; i < 50_000_000; i++) { s += i & 7; }\ns;";

/** Median ms of a tight 50M-iteration loop run as a cell (its body checks for a Stop) and as a plain function. */
async function loopCheckCost(): Promise<{ cellMs: number; directMs: number }> {
  const kernel = new Kernel({ notebookPath: join(tmpdir(), "bench-loop.ts"), runtimeModule: {}, emit: () => {}, sessionDir: null });
  const cells = [cellSource("loop", LOOP)];
  await kernel.handle({ type: "kernel-init", notebookPath: "bench-loop.ts", cells, mode: "autorun" });
  const times: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    const t = performance.now();
    await kernel.handle({ type: "execute-cells", cells, requestedAt: Date.now() });
    await kernel.idle();
    times.push(performance.now() - t);
  }
  await kernel.handle({ type: "shutdown" });
  const direct = new Function(`return (async () => { ${LOOP.replace(/\ns;$/, "\nreturn s;")} })`)() as () => Promise<number>;
  const plain: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    const t = performance.now();
    await direct();
    plain.push(performance.now() - t);
  }
  return { cellMs: median(times), directMs: median(plain) };
}

/** A model's values another cell reads, for checking that an interrupt kept them. */
const MODEL = "const weights = Array.from({ length: 1_000_000 }, (_, i) => i);\nweights.length;";
const READER = "weights[999_999] + 1";

/**
 * ms from `interrupt` until the loop cell is idle again (stopped in place) or stale (the kernel
 * process was killed and a new one started in its place). The notebook also holds a model and a
 * reader of it, run first: `kept` says no cell went stale and the reader still gets the model's value.
 */
async function interruptLatency(dir: string, code: string, done: "idle" | "stale"): Promise<{ ms: number; coldStartMs: number; kept: boolean }> {
  const { host, next, watch, send, sources } = await hostWith(dir, { model: MODEL, reader: READER, loop: code });
  const [model, reader, loop] = sources as [CellSource, CellSource, CellSource];
  try {
    await next(kernelIdle);
    const modelled = next(statusOf("reader", "idle"));
    send({ type: "execute-cells", cells: [model], requestedAt: Date.now() });
    await modelled;
    const running = next(statusOf("loop", "running"));
    send({ type: "execute-cells", cells: [loop], requestedAt: Date.now() });
    await running;
    await new Promise((r) => setTimeout(r, 300));
    let touched = false;
    const stop = watch((e) => {
      const k = kernelEvent(e);
      if ((k?.type === "cell-status" && k.status === "stale") || (k?.type === "cell-output" && k.id !== "loop")) touched = true;
    });
    const finished = next(statusOf("loop", done));
    const t = performance.now();
    send({ type: "interrupt" });
    const ms = (await finished) - t;
    stop();
    let value: unknown;
    if (done === "idle") {
      const answered = next((e) => {
        const k = kernelEvent(e);
        if (k?.type !== "cell-output" || k.id !== "reader") return false;
        value = k.output?.kind === "json" ? k.output.value : undefined;
        return true;
      });
      send({ type: "execute-cells", cells: [reader], requestedAt: Date.now() });
      await answered;
    }
    // The baseline: a cold start of the kernel process, which a restarting interrupt includes.
    const ready = next(kernelIdle);
    const t2 = performance.now();
    send({ type: "restart-kernel", requestId: "bench" as RequestId });
    const coldStartMs = (await ready) - t2;
    return { ms, coldStartMs, kept: !touched && value === 1_000_000 };
  } finally {
    await host.close();
  }
}

/** p95 ms from a metric write to the live reader's re-run being finished, with the write alone as baseline. */
async function liveReader(dir: string): Promise<{ p95: number; writeP95: number }> {
  const seedHost = await createHost({ notebookDir: dir, log: () => {} });
  const runId = (await seedHost.store.createRun({ experiment_id: "0" })).info.run_id;
  await seedHost.close();
  const { host, next, send, sources } = await hostWith(dir, {
    imports: `import { mlflow } from "flowbook";`,
    reader: `const history = await mlflow.getMetricHistory("${runId}", "loss");\nhistory.length;`,
  });
  try {
    await next(kernelIdle);
    const first = next(statusOf("reader", "idle"));
    send({ type: "execute-cells", cells: sources, requestedAt: Date.now() });
    await first;
    const latencies: number[] = [];
    const writes: number[] = [];
    for (let i = 0; i < 60; i++) {
      const rerun = next(statusOf("reader", "idle"));
      const t = performance.now();
      await host.store.logMetric(runId, { key: "loss", value: 1 / (i + 1), timestamp: Date.now(), step: i });
      writes.push(performance.now() - t);
      latencies.push((await rerun) - t);
      // Readers re-run at most 10 times a second; space writes so each one is its own update.
      await new Promise((r) => setTimeout(r, 120));
    }
    return { p95: percentile(latencies, 95), writeP95: percentile(writes, 95) };
  } finally {
    await host.close();
  }
}

const FLOOD = `for (let i = 0; i < 1_000_000; i++) console.log("line", i);`;
const BIN = fileURLToPath(new URL("../bin/flowbook.js", import.meta.url));

/** ms `flowbook run` takes on a notebook of `code`, less its time on a notebook doing nothing (start-up). */
function headlessMs(dir: string, code: string): number {
  const time = (name: string, body: string) => {
    const nb = join(dir, `${name}.ts`);
    writeFileSync(nb, `// %% [cell id=c]\n${body}\n`);
    const t = performance.now();
    const r = spawnSync(process.execPath, [BIN, "run", nb, "--tracking-uri", `sqlite:///${join(dir, "headless.db")}`], { stdio: "ignore" });
    if (r.status !== 0) throw new Error(`flowbook run ${name}.ts failed (${r.status})`);
    return performance.now() - t;
  };
  const runs = Array.from({ length: 3 }, () => time("flood", code) - time("empty", "1;"));
  return median(runs);
}

/** Median ms from `execute-cells` to the flooding cell being idle, through the host and the kernel process. */
async function appFloodMs(dir: string, code: string): Promise<number> {
  const { host, next, send, sources } = await hostWith(dir, { flood: code });
  try {
    await next(kernelIdle);
    const times: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      const idle = next(statusOf("flood", "idle"), 120_000);
      const t = performance.now();
      send({ type: "execute-cells", cells: sources, requestedAt: Date.now() });
      times.push((await idle) - t);
    }
    return median(times);
  } finally {
    await host.close();
  }
}

/** Resident memory of a process in MB (Linux /proc), or undefined elsewhere. */
function rssMb(pid: number | string): number | undefined {
  const status = `/proc/${pid}/status`;
  if (!existsSync(status)) return undefined;
  const line = readFileSync(status, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"));
  return line ? Number(/(\d+) kB/.exec(line)![1]) / 1024 : undefined;
}

/** The pid of this process's kernel child (Linux /proc), if one is found. */
function kernelPid(): string | undefined {
  if (!existsSync("/proc")) return undefined;
  return readdirSync("/proc").find((d) => {
    if (!/^\d+$/.test(d)) return false;
    try {
      const ppid = readFileSync(`/proc/${d}/stat`, "utf8").split(") ")[1]!.split(" ")[1];
      return ppid === String(process.pid) && readFileSync(`/proc/${d}/cmdline`, "utf8").includes("kernel/process.ts");
    } catch {
      return false;
    }
  });
}

/** MB the host (this process) and the kernel process grow by once a 1M-point line plot is shown, against both idle. */
async function plotMemory(dir: string): Promise<{ host: number; kernel: number; hostIdle: number; kernelIdle: number } | undefined> {
  const { host, next, send, sources } = await hostWith(dir, {
    imports: `import { plot } from "flowbook";`,
    chart: `const n = 1_000_000;\nconst xs = Array.from({ length: n }, (_, i) => i);\nplot([{ x: xs, y: xs.map((i) => Math.sin(i / 1000) + Math.random() / 10), mode: "lines" }])`,
  });
  try {
    await next(kernelIdle);
    const imported = next(statusOf("imports", "idle"));
    send({ type: "execute-cells", cells: [sources[0]!], requestedAt: Date.now() });
    await imported;
    const pid = kernelPid();
    const hostIdle = rssMb(process.pid);
    const kernelIdleMb = pid && rssMb(pid);
    if (hostIdle === undefined || !kernelIdleMb) return undefined;
    const shown = next(statusOf("chart", "idle"), 60_000);
    send({ type: "execute-cells", cells: [sources[1]!], requestedAt: Date.now() });
    await shown;
    await new Promise((r) => setTimeout(r, 300));
    return { host: rssMb(process.pid)! - hostIdle, kernel: rssMb(pid)! - kernelIdleMb, hostIdle, kernelIdle: kernelIdleMb };
  } finally {
    await host.close();
  }
}

/** Runs the kernel benchmarks. */
export async function run(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-bench-kernel-"));
  try {
    const chain = await chainEdit();
    const asyncLoop = await interruptLatency(dir, "while (true) {\n  await new Promise((r) => setTimeout(r, 5));\n}", "idle");
    const swallowLoop = await interruptLatency(dir, "while (true) {\n  try { await new Promise((r) => setTimeout(r, 10)); } catch {}\n}", "idle");
    const syncLoop = await interruptLatency(dir, "let spins = 0;\nwhile (true) { spins++; }", "idle");
    const floodStop = await interruptLatency(dir, `for (let i = 0; ; i++) console.log("line", i);`, "idle");
    const blocked = await interruptLatency(dir, "Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);", "stale");
    const loopCost = await loopCheckCost();
    const live = await liveReader(dir);
    const floodApp = await appFloodMs(dir, FLOOD);
    const floodHeadless = headlessMs(dir, FLOOD);
    const plotMb = await plotMemory(dir);
    const overhead = chain.kernelMs - chain.directMs;
    return [
      { name: `edit first cell of a ${CHAIN}-cell chain, kernel`, value: chain.kernelMs, unit: "ms", baseline: chain.directMs, baselineUnit: "ms bodies called directly" },
      { name: "  scheduling overhead beyond execution", value: overhead, unit: "ms", target: "≤ 20 ms", ok: overhead <= 20 },
      { name: "interrupt an async loop (until idle)", value: asyncLoop.ms, unit: "ms", baseline: asyncLoop.coldStartMs, baselineUnit: "ms kernel cold start", target: "≤ 1,000 ms", ok: asyncLoop.ms <= 1000 },
      { name: "interrupt a try/catch-swallowing loop", value: swallowLoop.ms, unit: "ms", baseline: swallowLoop.coldStartMs, baselineUnit: "ms kernel cold start", target: "≤ 1,000 ms", ok: swallowLoop.ms <= 1000 },
      {
        name: `sync-loop interrupt with state kept${syncLoop.kept ? "" : " (STATE LOST)"}`,
        value: syncLoop.ms,
        unit: "ms",
        baseline: syncLoop.coldStartMs,
        baselineUnit: "ms kernel cold start",
        target: "≤ 1,000 ms, state kept",
        ok: syncLoop.ms <= 1000 && syncLoop.kept,
      },
      {
        name: `interrupt a console flood, state kept${floodStop.kept ? "" : " (STATE LOST)"}`,
        value: floodStop.ms,
        unit: "ms",
        baseline: floodStop.coldStartMs,
        baselineUnit: "ms kernel cold start",
        target: "≤ 1,000 ms, state kept",
        ok: floodStop.ms <= 1000 && floodStop.kept,
      },
      { name: "interrupt a blocking call (kill, restart, stale)", value: blocked.ms, unit: "ms", baseline: blocked.coldStartMs, baselineUnit: "ms kernel cold start", target: "≤ 1,000 ms", ok: blocked.ms <= 1000 },
      {
        name: "tight 50M-iteration loop in a cell (Stop check per iteration)",
        value: loopCost.cellMs,
        unit: "ms",
        baseline: loopCost.directMs,
        baselineUnit: "ms same loop, plain function",
        target: "≤ 3× plain",
        ok: loopCost.cellMs <= 3 * loopCost.directMs,
      },
      { name: "live reader: metric logged → re-run done, p95", value: live.p95, unit: "ms", baseline: live.writeP95, baselineUnit: "ms store write p95", target: "≤ 100 ms", ok: live.p95 <= 100 },
      {
        name: "console flood 1M lines: app time ÷ headless time",
        value: floodApp,
        unit: "ms in the app",
        baseline: floodHeadless,
        baselineUnit: "ms flowbook run",
        target: "≤ 3× headless",
        ok: floodApp <= 3 * floodHeadless,
      },
      ...(plotMb
        ? [
            { name: "1M-point line plot shown: host RSS growth", value: plotMb.host, unit: "MB", baseline: plotMb.hostIdle, baselineUnit: "MB host idle", target: "≤ 150 MB", ok: plotMb.host <= 150 },
            { name: "1M-point line plot shown: kernel RSS growth", value: plotMb.kernel, unit: "MB", baseline: plotMb.kernelIdle, baselineUnit: "MB kernel idle", target: "≤ 150 MB", ok: plotMb.kernel <= 150 },
          ]
        : []),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
