/**
 * A notebook as one self-contained HTML page (`flowbook export html`, the app's "Export HTML"): its
 * cells' code (or not), Markdown, tables and interactive Plotly charts as last computed. Everything
 * is inline — styles, the figures' data and the Plotly bundle the caller hands in — so the file
 * opens from disk with no server and no network.
 *
 * The page's Content-Security-Policy allows only its own two scripts (by hash) and no fetches at
 * all: Markdown's raw HTML cannot run code or load anything, and the page cannot reach a network.
 * Pure: the caller reads the bundle and renders Markdown (packages this room may not import).
 */
import { createHash } from "node:crypto";
import { describeError } from "../common/cell-error-text.ts";
import { tooLargeMessage } from "../common/output-bounds.ts";
import { withTitleObjects } from "../common/plot-layout.ts";
import type { CellError, Output, PlotFigure, WidgetSpec } from "../protocol.ts";

/** One cell of the page. */
export interface ExportCell {
  name?: string;
  code: string;
  /** The cell's code is hidden in the notebook: left out of the page too. */
  hideCode?: boolean;
  output: Output | null;
  error?: CellError;
}

/** What the page is built from. */
export interface ExportInput {
  title: string;
  cells: ExportCell[];
  /** Show each cell's code above its output (`--no-code` turns it off). */
  includeCode: boolean;
  /** Plotly's browser bundle (plotly.js-dist-min), inlined when a cell has a chart. */
  plotlyJs: string;
  /** Markdown to HTML (the caller's renderer; the page's policy keeps what it lets through inert). */
  renderMarkdown(markdown: string): string;
  /** When the outputs were computed, shown in the page's footer. */
  computedAt?: Date;
}

const esc = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/**
 * Text inside a `<script>`: nothing in it may close the element or open a comment. The escape is
 * JavaScript's, valid in strings, which is where JSON and Plotly's bundle have these sequences.
 */
const scriptText = (text: string): string => text.replace(/<(?=\/script|!--)/gi, "\\u003c");

const cellText = (value: unknown): string =>
  typeof value === "string" ? value : value === null || value === undefined ? "" : typeof value === "object" ? JSON.stringify(value) : String(value);

function widgetHtml(w: WidgetSpec): string {
  const value = w.kind === "table-select" ? `rows ${JSON.stringify(w.value)}` : cellText(w.value);
  return `<div class="widget"><span class="label">${esc(w.label || w.kind)}</span> <span class="value">${esc(value)}</span></div>`;
}

/** Renders outputs to HTML; charts become placeholders whose figures go into `figures`. */
function outputHtml(output: Output, input: ExportInput, figures: PlotFigure[]): string {
  switch (output.kind) {
    case "text":
      return `<pre class="text">${esc(output.text)}</pre>`;
    case "markdown":
      return `<div class="markdown">${input.renderMarkdown(output.markdown)}</div>`;
    case "json":
      return `<pre class="json">${esc(JSON.stringify(output.value, null, 2) ?? String(output.value))}</pre>`;
    case "table": {
      const head = output.columns.map((c) => `<th>${esc(c)}</th>`).join("");
      const rows = output.rows.map((r) => `<tr>${output.columns.map((_, i) => `<td>${esc(cellText(r[i]))}</td>`).join("")}</tr>`).join("");
      return `<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>`;
    }
    case "plot":
      figures.push({ data: output.figure.data, layout: withTitleObjects(output.figure.layout ?? {}) });
      return `<div class="plot" data-figure="${figures.length - 1}"></div>`;
    case "widget":
      return widgetHtml(output.widget);
    case "progress":
      return `<div class="progress"><span class="label">${esc(output.label)}</span> <progress value="${output.value}" max="${output.total}"></progress> ${output.value}/${output.total}</div>`;
    case "stack":
      return output.items.map((item) => outputHtml(item, input, figures)).join("\n");
    case "tracking-view":
      return `<div class="note">A live tracking view (${esc(output.view)}): shown in the app, not in an export.</div>`;
    case "too-large":
      return `<div class="note">${esc(tooLargeMessage(output.bytes, output.limit))}; not included.</div>`;
  }
}

const STYLE = `
:root { color-scheme: light; --fg: #1f2430; --muted: #6b7280; --border: #e2e5ea; --code-bg: #f6f7f9; --danger: #d14343; }
body { margin: 0; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--fg); background: #fff; }
main { max-width: 960px; margin: 0 auto; padding: 24px 20px 48px; }
h1.title { font-size: 20px; margin: 0 0 20px; color: var(--muted); font-weight: 500; }
section.cell { margin: 0 0 18px; }
.cell-name { font-size: 12px; color: var(--muted); margin-bottom: 4px; }
pre { font: 12.5px/1.5 ui-monospace, Menlo, Consolas, monospace; margin: 0; white-space: pre-wrap; word-break: break-word; }
pre.code { background: var(--code-bg); border: 1px solid var(--border); border-radius: 6px; padding: 10px 12px; margin-bottom: 8px; }
pre.error { color: var(--danger); }
.table-wrap { overflow: auto; max-height: 480px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border-bottom: 1px solid var(--border); padding: 4px 10px; text-align: left; }
th { position: sticky; top: 0; background: #fff; }
.plot { width: 100%; min-height: 360px; }
.note { color: var(--muted); font-style: italic; }
.markdown img { max-width: 100%; }
footer { color: var(--muted); font-size: 12px; margin-top: 32px; }
`;

/** Draws every chart placeholder from the figures' JSON with the inlined Plotly. */
const DRAW = `(() => {
  const figures = JSON.parse(document.getElementById("flowbook-figures").textContent);
  for (const el of document.querySelectorAll(".plot[data-figure]")) {
    const fig = figures[Number(el.dataset.figure)];
    Plotly.newPlot(el, fig.data, Object.assign({ autosize: true }, fig.layout), { responsive: true, displaylogo: false });
  }
})();`;

const sha256 = (text: string): string => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/** The notebook as one HTML page. */
export function buildNotebookHtml(input: ExportInput): string {
  const figures: PlotFigure[] = [];
  const sections = input.cells.map((cell) => {
    const parts: string[] = [];
    if (cell.name) parts.push(`<div class="cell-name">${esc(cell.name)}</div>`);
    if (input.includeCode && !cell.hideCode && cell.code.trim() !== "") parts.push(`<pre class="code">${esc(cell.code)}</pre>`);
    if (cell.error) parts.push(`<pre class="error">${esc(describeError(cell.error))}</pre>`);
    if (cell.output) parts.push(`<div class="output">${outputHtml(cell.output, input, figures)}</div>`);
    return parts.length > 0 ? `<section class="cell">\n${parts.join("\n")}\n</section>` : "";
  });
  const scripts: string[] = [];
  if (figures.length > 0) scripts.push(scriptText(input.plotlyJs), DRAW);
  const data = figures.length > 0 ? `<script type="application/json" id="flowbook-figures">${scriptText(JSON.stringify(figures))}</script>\n` : "";
  const csp = [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    "img-src data:",
    "font-src data:",
    `script-src ${scripts.length > 0 ? scripts.map(sha256).join(" ") : "'none'"}`,
  ].join("; ");
  const footer = input.computedAt ? `<footer>Exported from Flowbook; outputs as computed ${esc(input.computedAt.toISOString())}.</footer>` : "<footer>Exported from Flowbook.</footer>";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(input.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1 class="title">${esc(input.title)}</h1>
${sections.filter(Boolean).join("\n")}
${footer}
</main>
${data}${scripts.map((s) => `<script>${s}</script>`).join("\n")}
</body>
</html>
`;
}
