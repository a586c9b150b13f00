/**
 * Exports a notebook as one HTML page, for the app's "Export HTML" and `flowbook export html`: the
 * page builder (`notebook/export-html.ts`) fed with Plotly's browser bundle and Markdown rendered by
 * marked, the packages the builder's room may not load.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename } from "node:path";
import { marked } from "marked";
import { buildNotebookHtml, type ExportCell } from "../notebook/index.ts";
import type { CellError, CellId, CellSource, Output } from "../protocol.ts";

let plotly: Promise<string> | undefined;

/** Plotly's minified browser bundle, read once. */
function plotlyBundle(): Promise<string> {
  plotly ??= readFile(createRequire(import.meta.url).resolve("plotly.js-dist-min"), "utf8");
  return plotly;
}

const esc = (text: string) => text.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]!);

/** Markdown as HTML; Markdown marked cannot render (very long lines) shows as its text. */
function renderMarkdown(markdown: string): string {
  try {
    return marked.parse(markdown, { async: false, gfm: true });
  } catch {
    return `<pre class="text">${esc(markdown)}</pre>`;
  }
}

/** What a cell last showed. */
export interface ShownOutput {
  output: Output | null;
  error?: CellError;
}

/** The page for notebook `path` with `cells` (in order) and what each last showed. */
export async function notebookHtml(opts: {
  path: string;
  cells: readonly CellSource[];
  outputs: ReadonlyMap<CellId, ShownOutput>;
  includeCode: boolean;
  computedAt?: Date;
}): Promise<string> {
  const cells: ExportCell[] = opts.cells
    .filter((c) => !c.config.disabled)
    .map((c) => {
      const shown = opts.outputs.get(c.id);
      return {
        code: c.code,
        output: shown?.output ?? null,
        ...(c.config.name ? { name: c.config.name } : {}),
        ...(c.config.hideCode ? { hideCode: true } : {}),
        ...(shown?.error ? { error: shown.error } : {}),
      };
    });
  return buildNotebookHtml({
    title: basename(opts.path),
    cells,
    includeCode: opts.includeCode,
    plotlyJs: await plotlyBundle(),
    renderMarkdown,
    ...(opts.computedAt ? { computedAt: opts.computedAt } : {}),
  });
}
