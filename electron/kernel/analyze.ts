/**
 * Static analysis of one cell (reactive-semantics §4 rules 2–8): TypeScript is emitted to JS with
 * esbuild (types erased, value imports kept), the JS is parsed with acorn, and a scope walk finds the
 * names the cell defines and the free names it reads. Nothing is executed. Errors are values.
 */
import { transformSync, type TransformFailure } from "esbuild";
import { parse, type Node, type Program } from "acorn";
import { ancestor, fullAncestor } from "acorn-walk";
import type { CellError } from "../protocol.ts";

/** A successfully analysed cell: everything compile.ts and graph.ts need. */
export interface CellAnalysis {
  /** Emitted JavaScript (ES module syntax, types erased). */
  js: string;
  /** Parsed `js`. */
  ast: Program;
  /** Top-level names other cells can read (private `_x` names excluded), in source order. */
  defs: string[];
  /** Free names read by the cell that are not host globals, in first-use order. */
  refs: string[];
  /** Start/end offsets in `js` of the last top-level expression statement, when it is the output. */
  output?: { start: number; end: number };
  /** True when the cell awaits at top level (it must finish before dependents run). */
  usesAwait: boolean;
  /** Emitted JS line (1-based) → TypeScript source line (1-based). */
  lineMap: number[];
  /**
   * For a cell of imports only: each name it binds → what it is bound to (module and export), so a
   * re-run or an added import re-runs only the readers of names whose binding changed.
   */
  imports?: Readonly<Record<string, string>>;
}

/** The result of `analyzeCell`: an analysis or the error that keeps the cell from registering. */
export type AnalyzeResult = { ok: true; analysis: CellAnalysis } | { ok: false; error: CellError };

/**
 * Names a cell may neither define nor be wired to another cell by: the language's and Node's
 * standard globals. Other free names resolve to `globalThis` at run time when no cell defines them.
 */
export const HOST_GLOBALS: ReadonlySet<string> = new Set([
  "undefined", "NaN", "Infinity", "globalThis", "console", "Math", "JSON", "Object", "Array", "String",
  "Number", "Boolean", "Symbol", "BigInt", "Date", "RegExp", "Error", "TypeError", "RangeError",
  "SyntaxError", "ReferenceError", "EvalError", "URIError", "AggregateError", "Promise", "Proxy",
  "Reflect", "Map", "Set", "WeakMap", "WeakSet", "WeakRef", "FinalizationRegistry", "ArrayBuffer",
  "SharedArrayBuffer", "DataView", "Atomics", "Int8Array", "Uint8Array", "Uint8ClampedArray",
  "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float32Array", "Float64Array",
  "BigInt64Array", "BigUint64Array", "Intl", "parseInt", "parseFloat", "isNaN", "isFinite",
  "encodeURI", "encodeURIComponent", "decodeURI", "decodeURIComponent", "eval", "Function",
  "setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "clearImmediate",
  "queueMicrotask", "structuredClone", "process", "Buffer", "URL", "URLSearchParams", "TextEncoder",
  "TextDecoder", "AbortController", "AbortSignal", "fetch", "performance", "EventTarget", "Event",
  "require", "arguments",
]);

const SCOPES = new Set([
  "Program", "BlockStatement", "StaticBlock", "SwitchStatement", "ForStatement", "ForInStatement",
  "ForOfStatement", "CatchClause", "FunctionDeclaration", "FunctionExpression",
  "ArrowFunctionExpression", "ClassDeclaration", "ClassExpression",
]);
const FUNCTIONS = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);

/** Whether a top-level name is cell-local (`_x`), never an edge between cells. */
export function isPrivateName(name: string): boolean {
  return name.startsWith("_");
}

/** Analyses one cell's TypeScript source. */
export function analyzeCell(code: string): AnalyzeResult {
  let js: string;
  let map: string;
  try {
    const out = transformSync(code, {
      loader: "ts",
      format: "esm",
      target: "esnext",
      sourcemap: "external",
      tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
    });
    js = out.code;
    map = out.map;
  } catch (e) {
    const msg = (e as TransformFailure).errors?.[0];
    if (!msg) throw e;
    return {
      ok: false,
      error: { kind: "syntax", message: msg.text, line: msg.location?.line ?? 1, column: msg.location?.column ?? 0 },
    };
  }
  const lineMap = decodeLineMap(map, js);
  const lineOf = (offset: number) => lineMap[js.slice(0, offset).split("\n").length] ?? 1;
  let ast: Program;
  try {
    ast = parse(js, { ecmaVersion: "latest", sourceType: "module", allowAwaitOutsideFunction: true, locations: true });
  } catch (e) {
    const err = e as SyntaxError & { pos?: number; loc?: { column: number } };
    return { ok: false, error: { kind: "syntax", message: err.message, line: lineOf(err.pos ?? 0), column: err.loc?.column ?? 0 } };
  }
  const invalid = (message: string, node: Node): AnalyzeResult => ({ ok: false, error: { kind: "invalid", message, line: lineOf(node.start) } });

  const declared = collectDeclarations(ast);
  const top = declared.get(ast)!;
  for (const stmt of ast.body) {
    if (stmt.type.startsWith("Export")) return invalid("`export` is not allowed in a cell: top-level names are shared already", stmt);
  }
  for (const name of top) {
    if (HOST_GLOBALS.has(name)) return invalid(`Cannot redeclare host global '${name}'`, ast);
  }

  const refs = new Set<string>();
  let failure: AnalyzeResult | undefined;
  const isBound = (name: string, ancestors: Node[]) =>
    ancestors.some((a) => declared.get(a)?.has(name));
  const onIdentifier = (node: Node & { name: string }, ancestors: Node[], write: boolean) => {
    const name = node.name;
    if (isBound(name, ancestors)) return;
    if (write) {
      failure ??= invalid(`Assignment to external variable '${name}'`, node);
      return;
    }
    if (!HOST_GLOBALS.has(name) && !isPrivateName(name)) refs.add(name);
  };
  // acorn-walk visits binding/assignment identifiers as the pseudo-type "VariablePattern" (untyped).
  const visitors = {
    Identifier(node: Node, _st: unknown, ancestors: Node[]) {
      const parent = ancestors[ancestors.length - 2];
      const write = parent?.type === "UpdateExpression";
      onIdentifier(node as Node & { name: string }, ancestors as Node[], write);
    },
    VariablePattern(node: Node, _st: unknown, ancestors: Node[]) {
      // A pattern identifier is either a declaration (bound by construction) or an assignment target.
      onIdentifier(node as Node & { name: string }, ancestors as Node[], true);
    },
  };
  ancestor(ast, visitors as Parameters<typeof ancestor>[1]);
  if (failure) return failure;

  let usesAwait = false;
  fullAncestor(ast, (node, _st, ancestors) => {
    if (node.type !== "AwaitExpression" && !(node.type === "ForOfStatement" && node.await)) return;
    if (!ancestors.some((a) => FUNCTIONS.has(a.type) || a.type === "ClassBody")) usesAwait = true;
  });

  const last = ast.body[ast.body.length - 1];
  const output =
    last?.type === "ExpressionStatement" && !isVoidOrNamespace(last.expression) && !endsWithVoid(code)
      ? { start: last.expression.start, end: last.expression.end }
      : undefined;
  const defs = [...top].filter((n) => !isPrivateName(n));
  const imports = importBindings(ast);
  return { ok: true, analysis: { js, ast, defs, refs: [...refs], output, usesAwait, lineMap, ...(imports ? { imports } : {}) } };
}

/** Name → `module#export` for a program of import declarations only; undefined for any other program. */
function importBindings(ast: Program): Record<string, string> | undefined {
  if (!ast.body.length || ast.body.some((s) => s.type !== "ImportDeclaration")) return undefined;
  const out: Record<string, string> = {};
  for (const stmt of ast.body) {
    if (stmt.type !== "ImportDeclaration") continue;
    for (const s of stmt.specifiers) {
      const what = s.type === "ImportSpecifier" ? (s.imported.type === "Identifier" ? s.imported.name : String(s.imported.value)) : s.type === "ImportDefaultSpecifier" ? "default" : "*";
      out[s.local.name] = `${String(stmt.source.value)}#${what}`;
    }
  }
  return out;
}

/** `void x` suppresses output; esbuild's `enum`/`namespace` lowering is a call statement, not an output. */
function isVoidOrNamespace(e: Node): boolean {
  const n = e as any;
  if (n.type === "UnaryExpression" && n.operator === "void") return true;
  return n.type === "CallExpression" && n.callee.type === "ArrowFunctionExpression" && n.arguments[0]?.type === "LogicalExpression" && n.arguments[0].right?.type === "AssignmentExpression";
}

/** esbuild drops a pure trailing `void 0;`, so the statement before it would look like the output. */
function endsWithVoid(code: string): boolean {
  return /(^|[;\n{}])\s*void\b[^;\n]*;?\s*$/.test(code.trimEnd());
}

/** Names bound by each scope node: `var` goes to the nearest function, the rest to the nearest block. */
function collectDeclarations(ast: Program): Map<Node, Set<string>> {
  const declared = new Map<Node, Set<string>>();
  const add = (scope: Node, names: string[]) => {
    let set = declared.get(scope);
    if (!set) declared.set(scope, (set = new Set()));
    for (const n of names) set.add(n);
  };
  declared.set(ast, new Set());
  const nearest = (ancestors: Node[], pred: (n: Node) => boolean) => {
    for (let i = ancestors.length - 1; i >= 0; i--) if (pred(ancestors[i]!)) return ancestors[i]!;
    return ast;
  };
  fullAncestor(ast, (node, _st, ancestors) => {
    const outer = ancestors.slice(0, -1) as Node[];
    switch (node.type) {
      case "VariableDeclaration": {
        const scope = node.kind === "var" ? nearest(outer, (n) => FUNCTIONS.has(n.type)) : nearest(outer, (n) => SCOPES.has(n.type) && !FUNCTIONS.has(n.type) && !n.type.startsWith("Class"));
        for (const d of node.declarations) add(scope, patternNames(d.id));
        break;
      }
      case "FunctionDeclaration":
      case "ClassDeclaration":
        if (node.id) add(nearest(outer, (n) => SCOPES.has(n.type) && !n.type.startsWith("Class")), [node.id.name]);
        if (node.type === "FunctionDeclaration") add(node, node.params.flatMap(patternNames));
        break;
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        add(node, node.params.flatMap(patternNames));
        if (node.type === "FunctionExpression" && node.id) add(node, [node.id.name]);
        break;
      case "ClassExpression":
        if (node.id) add(node, [node.id.name]);
        break;
      case "CatchClause":
        if (node.param) add(node, patternNames(node.param));
        break;
      case "ImportDeclaration":
        add(ast, node.specifiers.map((s) => s.local.name));
        break;
    }
  });
  return declared;
}

/** Every identifier a binding pattern introduces (`const {a, b: [c]} = o` → a, c). */
export function patternNames(p: Node): string[] {
  const n = p as any;
  switch (n.type) {
    case "Identifier": return [n.name];
    case "ObjectPattern": return n.properties.flatMap((q: any) => patternNames(q.type === "RestElement" ? q : q.value));
    case "ArrayPattern": return n.elements.flatMap((e: Node | null) => (e ? patternNames(e) : []));
    case "RestElement": return patternNames(n.argument);
    case "AssignmentPattern": return patternNames(n.left);
    default: return [];
  }
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Decodes a source map's `mappings` into generated line → original line (both 1-based). */
function decodeLineMap(mapJson: string, js: string): number[] {
  const mappings: string = JSON.parse(mapJson).mappings ?? "";
  const lines = mappings.split(";");
  const out: number[] = [1];
  let origLine = 0;
  for (const line of lines) {
    let first: number | undefined;
    for (const seg of line.split(",")) {
      if (!seg) continue;
      const fields: number[] = [];
      let value = 0, shift = 0;
      for (const ch of seg) {
        const digit = B64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0; shift = 0;
        }
      }
      if (fields.length >= 4) {
        origLine += fields[2]!;
        first ??= origLine;
      }
    }
    out.push((first ?? origLine) + 1);
  }
  while (out.length <= js.split("\n").length + 1) out.push(out[out.length - 1]!);
  return out;
}
