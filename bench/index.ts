/**
 * `npm run bench`: runs every bench/*.ts (except this file) in this process and prints one table.
 * Each bench module exports `run(): Promise<BenchRow[]>`; figures are compared with a baseline
 * measured in the same run, so the ratios survive a slower or faster machine.
 */
import { readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { join } from "node:path";

/** One measured figure, with the baseline it is judged against. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** The same-run baseline (e.g. raw better-sqlite3 inserts/s) and its unit. */
  baseline?: number;
  baselineUnit?: string;
  /** Human-readable target, e.g. "≥ 50% of raw" or "≤ 20 ms". */
  target?: string;
  /** Whether the target is met (absent: no target). */
  ok?: boolean;
}

function fmt(n: number): string {
  if (n >= 1000) return Math.round(n).toLocaleString("en-US");
  return n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

/** Renders rows as a fixed-width table. */
export function formatTable(rows: BenchRow[]): string {
  const cells = rows.map((r) => [
    r.name,
    `${fmt(r.value)} ${r.unit}`,
    r.baseline === undefined ? "" : `${fmt(r.baseline)} ${r.baselineUnit ?? r.unit}`,
    r.baseline === undefined ? "" : `${((r.value / r.baseline) * 100).toFixed(1)}%`,
    r.target ?? "",
    r.ok === undefined ? "" : r.ok ? "ok" : "MISSED",
  ]);
  const head = ["benchmark", "value", "baseline (same run)", "ratio", "target", ""];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((s, i) => s.padEnd(widths[i])).join("  ").trimEnd();
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

const dir = fileURLToPath(new URL(".", import.meta.url));
const rows: BenchRow[] = [];
// `npm run bench -- kernel training` runs only the named benches.
const only = process.argv.slice(2);
const benches = readdirSync(dir).filter((f) => f.endsWith(".ts") && f !== "index.ts" && !f.endsWith(".test.ts"));
for (const file of benches.filter((f) => only.length === 0 || only.some((o) => f.includes(o))).sort()) {
  process.stderr.write(`bench: ${file}…\n`);
  const mod = (await import(pathToFileURL(join(dir, file)).href)) as { run: () => Promise<BenchRow[]> };
  rows.push(...(await mod.run()));
}
process.stdout.write(`${formatTable(rows)}\n`);
