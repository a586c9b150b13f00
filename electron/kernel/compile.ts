/**
 * Turns an analysed cell into an async function of its refs returning `{ defs, output }`
 * (reactive-semantics §4 rule 10). Static imports become awaited dynamic imports through an
 * importer ("flowbook" is the kernel's runtime module). Top-level awaits race the run's signal so an
 * interrupted async loop stops at its next await, and every loop body, in nested functions too,
 * starts with a check of the shared interrupt counts (`interrupt.ts`) so a loop that never yields
 * stops as well. Line numbers stay those of the emitted JS, so a stack frame maps back to the
 * TypeScript line through the analysis' `lineMap`.
 */
import { runInThisContext } from "node:vm";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { fullAncestor } from "acorn-walk";
import type { Node } from "acorn";
import type { CellId } from "../protocol.ts";
import type { CellAnalysis } from "./analyze.ts";
import { INTERRUPTED, interruptCounts } from "./interrupt.ts";

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
const LOOPS = new Set(["WhileStatement", "DoWhileStatement", "ForStatement", "ForInStatement", "ForOfStatement"]);
/**
 * Plain reads of the shared counts, cheaper than `Atomics.load` in a hot loop; V8 does not hoist
 * them out of the loop, so a spinning loop sees the listener thread's write (interrupt.test.ts).
 */
const LOOP_CHECK = "if (__interrupts[0] > __interrupts[1]) throw __interruption;";

/**
 * A change to the emitted JS: `text` replaces `start`..`end` (an insertion when equal). Insertions
 * at one offset go closing texts first, innermost first, then opening texts, outermost first.
 */
interface Edit {
  start: number;
  end: number;
  text: string;
  depth: number;
  closing?: boolean;
}

/** The script file name V8 puts in stack frames of a cell; `cellLineFromStack` reads it back. */
export function cellFileName(id: CellId): string {
  return `flowbook-cell:${id}`;
}

// Re-running unchanged code is the common case (reactive re-runs), so each analysis keeps the
// functions compiled for it, keyed by the refs that were available.
const compiled = new WeakMap<CellAnalysis, Map<string, CellFunction>>();

/**
 * Text inserted into a body line (1-based) at a column of the analysed JS, so a stack frame's
 * column maps back past it. Kept per analysis, and per cell for the analysis it last ran.
 */
type Insertions = Map<number, { column: number; length: number }[]>;
const insertionsOf = new WeakMap<CellAnalysis, Insertions>();
const lastInsertions = new Map<CellId, Insertions>();

/** Compiles `analysis` for cell `id`; `available` are the refs present in the namespace this run. */
export function compileCell(id: CellId, analysis: CellAnalysis, available: readonly string[]): CellFunction {
  let byRefs = compiled.get(analysis);
  if (!byRefs) compiled.set(analysis, (byRefs = new Map()));
  const key = `${id}\0${available.join(",")}`;
  let fn = byRefs.get(key);
  if (!fn) byRefs.set(key, (fn = compileFresh(id, analysis, available)));
  lastInsertions.set(id, insertionsOf.get(analysis)!);
  return fn;
}

/** The column in the analysed JS of a column (1-based) of cell `id`'s compiled body line `line`. */
function sourceColumn(id: CellId, line: number, column: number): number {
  let shift = 0;
  for (const { column: at, length } of lastInsertions.get(id)?.get(line) ?? []) {
    if (column < at + shift) break;
    if (column < at + shift + length) return at; // inside inserted text: the code it was put before
    shift += length;
  }
  return column - shift;
}

function compileFresh(id: CellId, analysis: CellAnalysis, available: readonly string[]): CellFunction {
  const { js, ast } = analysis;
  const edits: Edit[] = [];
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
    edits.push({ start: stmt.start, end: stmt.end, text: `const ${parts.join(", ")};${newlines}`, depth: 0 });
  }
  const wrap = (node: { start: number; end: number }, open: string, close: string, depth: number) => {
    edits.push({ start: node.start, end: node.start, text: open, depth });
    edits.push({ start: node.end, end: node.end, text: close, depth, closing: true });
  };
  fullAncestor(ast, (node, _st, ancestors) => {
    const depth = (ancestors as Node[]).length;
    if (LOOPS.has(node.type)) {
      const body = (node as Node & { body: Node }).body;
      if (body.type === "BlockStatement") edits.push({ start: body.start + 1, end: body.start + 1, text: ` ${LOOP_CHECK}`, depth });
      else wrap(body, `{ ${LOOP_CHECK} `, " }", depth);
      return;
    }
    if (node.type !== "AwaitExpression") return;
    if ((ancestors as Node[]).some((a) => FUNCTIONS.has(a.type) || a.type === "ClassBody")) return;
    wrap(node.argument, "__guard(", ")", depth);
  });
  if (analysis.output) wrap(analysis.output, "__output = (", ")", 1);
  const order = (e: Edit) => (e.closing ? -e.depth : 1e6 + e.depth);
  edits.sort((a, b) => a.start - b.start || order(a) - order(b));
  let body = "";
  let at = 0;
  const insertions: Insertions = new Map();
  for (const e of edits) {
    body += js.slice(at, e.start) + e.text;
    at = e.end;
    if (e.start !== e.end) continue;
    const line = lineOf(js, e.start);
    const list = insertions.get(line) ?? [];
    insertions.set(line, [...list, { column: e.start - js.lastIndexOf("\n", e.start - 1), length: e.text.length }]);
  }
  body += js.slice(at);
  insertionsOf.set(analysis, insertions);
  const prologue = available.length ? `const { ${available.join(", ")} } = __refs; ` : "";
  // The body starts on line 2, so a frame's line and column in the cell are those of the emitted JS.
  // A loop throws the kernel's interruption once a Stop is pending (see `interrupt.ts`).
  const source =
    `(function (__interrupts, __interruption) { return async function (__refs, __import, __guard) { ${prologue}let __output;\n${body}\n` +
    `return { defs: { ${analysis.defs.join(", ")} }, output: __output }; }; })`;
  const bind = runInThisContext(source, { filename: cellFileName(id) }) as (counts: Int32Array, interruption: Error) => CellFunction;
  return bind(interruptCounts.counts, INTERRUPTED);
}

/** The 1-based line of offset `at` in `text`. */
function lineOf(text: string, at: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < at; i = text.indexOf("\n", i + 1)) line++;
  return line;
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
  if (!match) return undefined;
  const line = Number(match[1]) - 1;
  return map(id, line, sourceColumn(id, line, Number(match[2])));
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
        const line = Number(l) - 1;
        const pos = map(id as CellId, line, sourceColumn(id as CellId, line, Number(c)));
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
