import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { Output } from "../protocol.ts";
import { buildNotebookHtml, type ExportInput } from "./export-html.ts";

const PLOTLY = "window.Plotly = { newPlot() {} }; const s = '</script><!--';";
const base = (cells: ExportInput["cells"], over: Partial<ExportInput> = {}): string =>
  buildNotebookHtml({ title: "train <&>", cells, includeCode: true, plotlyJs: PLOTLY, renderMarkdown: (m) => `<p data-md>${m}</p>`, ...over });

const plot: Output = { kind: "plot", figure: { data: [{ x: [1, 2], y: [3, 4], name: "</script><b>" }], layout: { title: "loss" } } };

test("cells show their code, Markdown, tables and errors, escaped", () => {
  const html = base([
    { name: "load", code: "const a = 1 < 2;", output: { kind: "table", columns: ["k", "v"], rows: [["<i>", 1]] } },
    { code: "md`# hi`", output: { kind: "markdown", markdown: "# hi" } },
    { code: "throw x", output: null, error: { kind: "exception", name: "Error", message: "bad <thing>" } },
    { code: "import x", hideCode: true, output: null },
  ]);
  assert.match(html, /<title>train &lt;&amp;&gt;<\/title>/);
  assert.match(html, /<pre class="code">const a = 1 &lt; 2;<\/pre>/);
  assert.match(html, /<th>k<\/th><th>v<\/th>/);
  assert.match(html, /<td>&lt;i&gt;<\/td><td>1<\/td>/);
  assert.match(html, /<p data-md># hi<\/p>/);
  assert.match(html, /<pre class="error">Error: bad &lt;thing&gt;<\/pre>/);
  assert.doesNotMatch(html, /import x/, "a hidden cell's code stays hidden");
  assert.doesNotMatch(html, /<script/, "no chart, no script");
  assert.match(html, /script-src 'none'/);
});

test("--no-code leaves every cell's code out", () => {
  const html = base([{ code: "const secret = 42;", output: { kind: "text", text: "42" } }], { includeCode: false });
  assert.doesNotMatch(html, /secret/);
  assert.match(html, /<pre class="text">42<\/pre>/);
});

test("charts inline Plotly and their figures; only those scripts may run and nothing may be fetched", () => {
  const html = base([{ code: "plot(fig)", output: { kind: "stack", items: [{ kind: "text", text: "before" }, plot] } }]);
  assert.match(html, /<div class="plot" data-figure="0"><\/div>/);
  // Neither the data nor the bundle can end the script element early.
  const scripts = [...html.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  assert.equal(scripts.length, 3);
  const figures = JSON.parse(scripts[0]!) as { data: { name: string }[]; layout: { title: unknown } }[];
  assert.equal(figures[0]!.data[0]!.name, "</script><b>");
  // Drawn as the app draws it: a string title is one Plotly 3+ still shows.
  assert.deepEqual(figures[0]!.layout.title, { text: "loss" });
  assert.ok(scripts[1]!.startsWith("window.Plotly"));
  const csp = /Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!;
  assert.match(csp, /default-src 'none'/);
  for (const s of scripts.slice(1)) assert.ok(csp.includes(`'sha256-${createHash("sha256").update(s).digest("base64")}'`));
  assert.doesNotMatch(csp, /unsafe-eval|https?:/);
});

test("outputs the page cannot hold say so", () => {
  const html = base([
    { code: "", output: { kind: "too-large", outputKind: "text", bytes: 50 * 1024 * 1024, limit: 8 * 1024 * 1024 } },
    { code: "", output: { kind: "tracking-view", view: "runs-table", props: {} } },
    { code: "", output: { kind: "widget", widget: { kind: "slider", id: "w" as never, label: "epochs", min: 1, max: 9, step: 1, value: 5 } } },
    { code: "", output: { kind: "progress", label: "epoch", value: 3, total: 5 } },
  ]);
  assert.match(html, /output too large \(50\.0 MB &gt; 8\.0 MB limit\); not included/);
  assert.match(html, /live tracking view \(runs-table\)/);
  assert.match(html, /epochs<\/span> <span class="value">5</);
  assert.match(html, /<progress value="3" max="5"><\/progress> 3\/5/);
});
