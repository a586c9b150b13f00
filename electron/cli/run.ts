/**
 * `flowbook run notebook.ts [-P name=value] [--params file.json] [--tracking-uri URI] [--output-limit SIZE]`:
 * runs a notebook top to bottom as a script, with the given parameters (cells read them with `args()`).
 *
 * Every enabled cell runs once, in dependency order, on an in-process kernel; UI elements keep their
 * defaults. Cell console output goes to stdout/stderr as it happens, whole, and each cell's final output is
 * printed readably when the cell finishes (markdown and text as text, tables as aligned columns).
 * An output over the limit (the notebook's `// flowbook: output-limit=…` line, else `--output-limit`
 * or `FLOWBOOK_OUTPUT_LIMIT`, else 8 MB) prints the app's notice and is saved beside the notebook.
 * Tracking goes to `--tracking-uri`, else `MLFLOW_TRACKING_URI`, else `flowbook.db` beside the
 * notebook. The exit code is 0 when every cell succeeded, 1 naming the first failing cell otherwise.
 */
import { readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { analyzeCell } from "../kernel/analyze.ts";
import type { CellError, CellId, KernelEvent, LastOutput, Output, OutputLimits } from "../protocol.ts";
import { mergeLimits } from "../common/output-bounds.ts";
import { describeError } from "../common/cell-error-text.ts";
import { loadNotebook, parseLimitsDirective, sessionDir, writeLastOutput, type Notebook } from "../notebook/index.ts";
import { defaultStoreUri, openStore } from "../tracking/store/index.ts";
import { Kernel } from "../kernel/kernel.ts";
import { createRuntime, kernelProvenance } from "../kernel/runtime/index.ts";
import { appOutputLimit, command, OUTPUT_LIMIT_OPTION, type ValuesOf } from "./args.ts";
import { formatOutput } from "./format-output.ts";
import { readGitProvenance, withGitProvenance } from "../host/git-provenance.ts";
import { notebookParams, paramsHelp, PARAM_OPTIONS } from "./params.ts";

/** `flowbook run`'s parameter, store and limit options, which `flowbook export html --run` takes too. */
export const RUN_OPTIONS = {
  ...PARAM_OPTIONS,
  "tracking-uri": { type: "string", description: "where runs are logged (default: MLFLOW_TRACKING_URI, else the store the app uses beside the notebook)" },
  "output-limit": OUTPUT_LIMIT_OPTION,
} as const;

const RUN = command({
  name: "flowbook run",
  usage: "usage: flowbook run <notebook.ts> [-P name=value …] [--params file.json] [--tracking-uri sqlite:///path.db | postgresql://user:password@host:port/db | http://host:port] [--output-limit 16MB]",
  options: RUN_OPTIONS,
  positional: { name: "notebook", missing: "missing notebook path" },
  moreHelp: paramsHelp,
});

/** Runs `flowbook run`; resolves to the process exit code. */
export function runCommand(args: string[]): Promise<number> {
  return RUN.run(args, runNotebook);
}

/**
 * Runs the notebook as `flowbook run` does and keeps each cell's last output beside it (as the app
 * does), for the app to show on open and for `flowbook export html --run`.
 */
export async function runNotebook(parsed: ValuesOf<typeof RUN>): Promise<number> {
  const path = resolve(parsed.notebook);
  const loaded = await loadForCommand("flowbook run", path, parsed.outputLimit);
  if (!loaded) return 1;
  const { notebook, limits } = loaded;
  const params = notebookParams(parsed);
  const where = cellLines(path);
  const file = basename(path);
  const names0 = new Map(notebook.cells.map((c) => [c.id, c.config.name] as const));
  const label0 = (id: CellId) => (names0.get(id) ? `'${names0.get(id)}' (${id})` : id);
  // A syntax error anywhere fails the notebook at load, before any cell runs.
  for (const c of notebook.cells) {
    const analysed = analyzeCell(c.code);
    if (analysed.ok || analysed.error.kind !== "syntax") continue;
    const { line, column, message } = analysed.error;
    process.stderr.write(`flowbook run: ${file}:${(where.get(c.id) ?? 1) + line - 1}:${column + 1}: syntax error in cell ${label0(c.id)}: ${message}\n`);
    return 1;
  }
  const session = sessionDir(path);
  const trackingUri = parsed.trackingUri ?? process.env.MLFLOW_TRACKING_URI ?? defaultStoreUri(dirname(path));
  // Read once, before any cell runs: every run of this script carries the same git provenance.
  const git = readGitProvenance(path);
  const store = withGitProvenance(await openStore(trackingUri), () => git, (m) => process.stderr.write(`flowbook run: ${m}\n`));
  // Runs record the cells as the kernel (built below, around the runtime) has them.
  const runtime = createRuntime({ store, params, script: true, provenance: kernelProvenance(path, () => kernel.cells()) });
  const names = new Map(notebook.cells.map((c) => [c.id, c.config.name] as const));
  const label = (id: CellId) => (names.get(id) ? `'${names.get(id)}' (${id})` : id);

  const outputs = new Map<CellId, Output | null>();
  const shown = new Map<CellId, Pick<LastOutput, "output" | "error">>();
  const stopped: CellId[] = [];
  const failures: { id: CellId; error: CellError }[] = [];

  const emit = (event: KernelEvent): void => {
    runtime.observe(event);
    switch (event.type) {
      case "cell-console":
        (event.stream === "stderr" ? process.stderr : process.stdout).write(event.text);
        break;
      case "cell-output":
        outputs.set(event.id, event.output);
        shown.set(event.id, { output: event.output, ...(event.error ? { error: event.error } : {}) });
        if (event.error && !failures.some((f) => f.id === event.id)) failures.push({ id: event.id, error: event.error });
        if (event.stopped?.cell === event.id) stopped.push(event.id);
        break;
      case "cell-status":
        if (event.status === "idle" && outputs.get(event.id)) {
          process.stdout.write(formatOutput(outputs.get(event.id)!, { sessionDir: session }) + "\n");
          outputs.delete(event.id);
        }
        break;
      case "completed-run":
      case "kernel-ready":
      case "interrupted":
      case "variables":
      case "tracking-request":
        break;
    }
  };

  // A script prints its whole console (no bounds, no log file); outputs keep the app's limit.
  const kernel = new Kernel({ notebookPath: path, runtimeModule: runtime.module, emit, boundedConsole: false, sessionDir: session });
  try {
    const enabled = notebook.cells.filter((c) => !c.config.disabled);
    await kernel.handle({ type: "kernel-init", notebookPath: path, cells: notebook.cells, mode: "autorun", limits });
    if (enabled.length > 0) await kernel.handle({ type: "execute-cells", cells: enabled, requestedAt: Date.now() });
    // Re-runs the first pass scheduled (state setters, requested runs) finish too.
    await kernel.idle();
    await runtime.mlflow.flush();
    const savedAt = Date.now();
    await Promise.all([...shown].map(([id, e]) => writeLastOutput(path, { id, ...e, savedAt }, limits.outputBytes))).catch((err: Error) =>
      process.stderr.write(`flowbook run: could not keep the outputs beside the notebook: ${err.message}\n`),
    );
  } finally {
    await kernel.handle({ type: "shutdown" });
    await store.close();
  }
  // Cells that failed only because an ancestor did are named by the ancestor's failure.
  for (const id of stopped) process.stderr.write(`flowbook run: cell ${label(id)} stopped (stop() was called); its descendants did not run\n`);
  const root = failures.find((f) => f.error.kind !== "ancestor-failed") ?? failures[0];
  if (root) {
    const { error } = root;
    const at = error.kind === "exception" && error.line ? `${file}:${(where.get(root.id) ?? 1) + error.line - 1}:${error.column ?? 1}: ` : "";
    process.stderr.write(`flowbook run: ${at}cell ${label(root.id)} failed: ${describeError(error)}\n`);
    if (error.kind === "exception" && error.stack) process.stderr.write(notebookStack(error.stack, file, where) + "\n");
    return 1;
  }
  return 0;
}

/**
 * The notebook at `path` and its output bounds (built-in, then `--output-limit` or
 * `FLOWBOOK_OUTPUT_LIMIT`, then its header line), its header's warnings printed as `name`'s; or
 * undefined once why it cannot be read is printed.
 */
export async function loadForCommand(name: string, path: string, outputLimitFlag: number | undefined): Promise<{ notebook: Notebook; limits: OutputLimits } | undefined> {
  const appLimit = appOutputLimit(outputLimitFlag);
  let notebook: Notebook;
  let directive: ReturnType<typeof parseLimitsDirective>;
  try {
    notebook = await loadNotebook(path);
    directive = parseLimitsDirective(notebook.header, path);
  } catch (err) {
    process.stderr.write(`${name}: ${(err as Error).message}\n`);
    return undefined;
  }
  for (const warning of directive.warnings) process.stderr.write(`${name}: ${warning}\n`);
  return { notebook, limits: mergeLimits(appLimit !== undefined ? { outputBytes: appLimit } : undefined, directive.limits) };
}

/** The file line of each cell's first code line (the line after its `// %% [cell id=…]` marker). */
function cellLines(path: string): Map<CellId, number> {
  const lines = new Map<CellId, number>();
  readFileSync(path, "utf8")
    .split("\n")
    .forEach((text, i) => {
      const id = /^\/\/ %% \[cell\b.*?\bid=([\w-]+)/.exec(text)?.[1];
      if (id) lines.set(id as CellId, i + 2);
    });
  return lines;
}

/** A cell error's stack with each cell frame as `notebook.ts:LINE:COL` of the notebook file. */
function notebookStack(stack: string, file: string, where: Map<CellId, number>): string {
  return stack.replace(/flowbook-cell:([\w-]+):(\d+):(\d+)/g, (whole, id: string, line: string, col: string) => {
    const start = where.get(id as CellId);
    return start === undefined ? whole : `${file}:${start + Number(line) - 1}:${col}`;
  });
}
