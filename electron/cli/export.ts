/**
 * `flowbook export html <notebook.ts> [-o out.html] [--no-code] [--run]`: the notebook as one
 * self-contained HTML page (no server, no network: Plotly and styles inline) with its cells' code,
 * Markdown, tables and interactive charts as last computed — the outputs the app (or `flowbook run`)
 * kept beside the notebook in `__flowbook__/<name>/last/`, or, with `--run`, from running it first.
 */
import { resolve } from "node:path";
import { readLastOutputs, writeFileAtomic } from "../notebook/index.ts";
import type { CellId } from "../protocol.ts";
import { notebookHtml, type ShownOutput } from "../host/notebook-export.ts";
import { command, type ValuesOf } from "./args.ts";
import { loadForCommand, RUN_OPTIONS, runNotebook } from "./run.ts";

const HTML = command({
  name: "flowbook export html",
  usage: "usage: flowbook export html <notebook.ts> [-o out.html] [--no-code] [--run] [--tracking-uri URI] [--output-limit 16MB]",
  options: {
    output: { type: "string", short: "o", description: "the page to write (default: the notebook's name with .html, beside it)" },
    code: { type: "boolean", negatable: true, default: true, description: "show each cell's code (--no-code: outputs only)" },
    run: { type: "boolean", default: false, description: "run the notebook first (as flowbook run) instead of using its last outputs" },
    "tracking-uri": { ...RUN_OPTIONS["tracking-uri"], description: "with --run: the tracking store (as flowbook run)" },
    "output-limit": { ...RUN_OPTIONS["output-limit"], description: "largest output kept (default 8MB, or the notebook's line)" },
  },
  positional: { name: "notebook", missing: "missing notebook path" },
});

async function exportHtml(values: ValuesOf<typeof HTML>): Promise<number> {
  const path = resolve(values.notebook);
  const out = resolve(values.output ?? path.replace(/\.ts$/, "") + ".html");
  const loaded = await loadForCommand("flowbook export html", path, values.outputLimit);
  if (!loaded) return 1;
  const { notebook, limits } = loaded;
  let code = 0;
  if (values.run) {
    const { trackingUri, outputLimit } = values;
    code = await runNotebook({ notebook: path, ...(trackingUri ? { trackingUri } : {}), ...(outputLimit !== undefined ? { outputLimit } : {}) });
  }
  const last = await readLastOutputs(path, notebook.cells.map((c) => c.id), limits.outputBytes);
  if (last.length === 0) {
    process.stderr.write(`flowbook export html: ${path} has no outputs kept beside it yet; the page shows code only (run it in the app, or pass --run)\n`);
  }
  const outputs = new Map<CellId, ShownOutput>(last.map((e) => [e.id, { output: e.output, ...(e.error ? { error: e.error } : {}) }]));
  const newest = Math.max(0, ...last.map((e) => e.savedAt));
  const html = await notebookHtml({ path, cells: notebook.cells, outputs, includeCode: values.code, ...(newest > 0 ? { computedAt: new Date(newest) } : {}) });
  await writeFileAtomic(out, html);
  process.stdout.write(`Wrote ${out}\n`);
  return code;
}

/** `flowbook export <format>`; resolves to the exit code. */
export async function exportCommand(args: string[]): Promise<number> {
  const [format, ...rest] = args;
  if (format === "html") return HTML.run(rest, exportHtml);
  if (format === "--help" || format === "-h" || format === undefined) {
    process.stdout.write(HTML.help);
    return format ? 0 : 2;
  }
  process.stderr.write(`flowbook export: unknown format '${format}' (html is the one there is)\n\n${HTML.help}`);
  return 2;
}
