/**
 * Turns an analysed cell into an async function of its refs returning `{ defs, output }`
 * (reactive-semantics §4 rule 10). Static imports become awaited dynamic imports through an
 * importer ("flowbook" is the kernel's runtime module). Top-level awaits race the run's signal so an
 * interrupted async loop stops at its next await. Line numbers stay those of the emitted JS, so a
 * stack frame maps back to the TypeScript line through the analysis' `lineMap`.
 */
import { runInThisContext } from "node:vm";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { fullAncestor } from "acorn-walk";
import type { Node } from "acorn";
import type { CellId } from "../protocol.ts";
import type { CellAnalysis } from "./analyze.ts";

/** Loads a module for a cell's `import`. */
export type Importer = (specifier: string) => Promise<Record<string, unknown>>;

/** Races a top-level await with the run's abort; rejects once the run is aborted. */
export type AwaitGuard = <T>(value: T) => Promise<Awaited<T>>;

/** A compiled cell body. `refs` holds the values of the names it reads that are defined. */
export type CellFunction = (
  refs: Record<string, unknown>,
  importer: Importer,
  guard: AwaitGuard,
) => Promise<{ defs: Record<string, unknown>; output: unknown }>;

const FUNCTIONS = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);

/** The script file name V8 puts in stack frames of a cell; `cellLineFromStack` reads it back. */
export function cellFileName(id: CellId): string {
  return `flowbook-cell:${id}`;
}

// Re-running unchanged code is the common case (reactive re-runs), so each analysis keeps the
// functions compiled for it, keyed by the refs that were available.
const compiled = new WeakMap<CellAnalysis, Map<string, CellFunction>>();

/** Compiles `analysis` for cell `id`; `available` are the refs present in the namespace this run. */
export function compileCell(id: CellId, analysis: CellAnalysis, available: readonly string[]): CellFunction {
  let byRefs = compiled.get(analysis);
  if (!byRefs) compiled.set(analysis, (byRefs = new Map()));
  const key = `${id}\0${available.join(",")}`;
  let fn = byRefs.get(key);
  if (!fn) byRefs.set(key, (fn = compileFresh(id, analysis, available)));
  return fn;
}

function compileFresh(id: CellId, analysis: CellAnalysis, available: readonly string[]): CellFunction {
  const { js, ast } = analysis;
  const edits: { start: number; end: number; text: string }[] = [];
  let n = 0;
  for (const stmt of ast.body) {
    if (stmt.type !== "ImportDeclaration") continue;
    const tmp = `__fbm${n++}`;
    const parts = [`${tmp} = await __import(${JSON.stringify(stmt.source.value)})`];
    const named: string[] = [];
    for (const s of stmt.specifiers) {
      if (s.type === "ImportDefaultSpecifier") parts.push(`${s.local.name} = ("default" in ${tmp} ? ${tmp}.default : ${tmp})`);
      else if (s.type === "ImportNamespaceSpecifier") parts.push(`${s.local.name} = ${tmp}`);
      else {
        const imported = s.imported.type === "Identifier" ? s.imported.name : String(s.imported.value);
        named.push(`${JSON.stringify(imported)}: ${s.local.name}`);
      }
    }
    if (named.length) parts.push(`{ ${named.join(", ")} } = ${tmp}`);
    const original = js.slice(stmt.start, stmt.end);
    const newlines = "\n".repeat(original.split("\n").length - 1);
    edits.push({ start: stmt.start, end: stmt.end, text: `const ${parts.join(", ")};${newlines}` });
  }
  fullAncestor(ast, (node, _st, ancestors) => {
    if (node.type !== "AwaitExpression") return;
    if ((ancestors as Node[]).some((a) => FUNCTIONS.has(a.type) || a.type === "ClassBody")) return;
    edits.push({ start: node.argument.start, end: node.argument.start, text: "__guard(" });
    edits.push({ start: node.argument.end, end: node.argument.end, text: ")" });
  });
  if (analysis.output) {
    edits.push({ start: analysis.output.start, end: analysis.output.start, text: "__output = (" });
    edits.push({ start: analysis.output.end, end: analysis.output.end, text: ")" });
  }
  // Apply from the end so earlier offsets stay valid; at equal offsets, later-pushed (outer) goes first.
  const sorted = edits.map((e, i) => ({ ...e, i })).sort((a, b) => b.start - a.start || b.i - a.i);
  let body = js;
  for (const e of sorted) body = body.slice(0, e.start) + e.text + body.slice(e.end);
  const prologue = available.length ? `const { ${available.join(", ")} } = __refs; ` : "";
  const source =
    // The body starts on line 2, so a frame's line and column in the cell are those of the emitted JS.
    `(async function (__refs, __import, __guard) { ${prologue}let __output;\n${body}\n` +
    `return { defs: { ${analysis.defs.join(", ")} }, output: __output }; })`;
  return runInThisContext(source, { filename: cellFileName(id) }) as CellFunction;
}

/** Where a stack frame points in a cell: its TypeScript line and a column (1-based). */
export interface CellPosition {
  line: number;
  column: number;
}

/** Maps a cell's emitted-JS line and column (1-based, body lines) to its TypeScript source. */
export type CellPositionMap = (id: CellId, jsLine: number, jsColumn: number) => CellPosition | undefined;

const CELL_FRAME = /flowbook-cell:([\w-]+):(\d+):(\d+)/;
const CELL_FRAMES = new RegExp(CELL_FRAME.source, "g");

/** The TypeScript line and column of the first stack frame inside cell `id`, if any. */
export function cellFrameFromStack(stack: string | undefined, id: CellId, map: CellPositionMap): CellPosition | undefined {
  const match = stack?.match(new RegExp(`${escapeRegExp(cellFileName(id))}:(\\d+):(\\d+)`));
  return match ? map(id, Number(match[1]) - 1, Number(match[2])) : undefined;
}

/** Frames of the kernel, the runtime, tsx's loader and Node itself: not the user's code. */
const KERNEL_FRAME = /\(node:|at node:|AsyncLocalStorage|[\\/]electron[\\/]kernel[\\/]|[\\/]node_modules[\\/]tsx[\\/]|<anonymous>\)?$/;

/**
 * A stack of the user's frames: kernel and Node frames dropped, cell frames rewritten to
 * `flowbook-cell:<id>:<TypeScript line>:<column>` (`flowbook run` turns them into notebook lines).
 */
export function cellStack(stack: string, map: CellPositionMap): string {
  const lines = stack.split("\n");
  const out: string[] = [];
  for (const line of lines) {
    if (!/^\s+at /.test(line)) {
      out.push(line);
      continue;
    }
    if (!CELL_FRAME.test(line) && KERNEL_FRAME.test(line)) continue;
    out.push(
      line.replace(CELL_FRAMES, (whole, id: string, l: string, c: string) => {
        const pos = map(id as CellId, Number(l) - 1, Number(c));
        return pos ? `${cellFileName(id as CellId)}:${pos.line}:${pos.column}` : whole;
      }),
    );
  }
  return out.join("\n");
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Resolves cell imports: "flowbook" is `runtimeModule`; other specifiers resolve from the notebook's
 * folder first (its own node_modules and relative files), then from the app's node_modules.
 */
export function createImporter(notebookPath: string, runtimeModule: Record<string, unknown>): Importer {
  const fromNotebook = createRequire(notebookPath);
  const fromApp = createRequire(import.meta.url);
  return async (specifier) => {
    if (specifier === "flowbook") return runtimeModule;
    if (specifier.startsWith("node:")) return import(specifier);
    for (const req of [fromNotebook, fromApp]) {
      try {
        return await import(pathToFileURL(req.resolve(specifier)).href);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw e;
      }
    }
    return import(specifier); // ESM-only packages without a "require" export condition
  };
}
