/**
 * Enforces the layer table (style.md, docs/architecture.md): a folder is an environment, and each
 * may import only what its row allows. Every import form counts (`import`, `import type`,
 * `export … from`, `import()`, `require()`); a source file no row covers fails too, so a new folder
 * must be placed on purpose. Three more checks follow the whole import graph:
 * - what a file loads at run time, through any chain of value imports, stays inside what its row
 *   may ever reach (the kernel process never loads better-sqlite3, whatever re-exports it);
 * - no two files, and no two folders, import each other, directly or in a circle;
 * - docs/architecture.md shows this table as it is.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { cycles } from "../electron/kernel/graph.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const scanned = ["electron", "renderer", "e2e", "bench", "test"];

interface Import {
  spec: string;
  line: number;
  typeOnly: boolean;
}

/** An import resolved to either a project path (posix, from the root) or a package name. */
type Target = { kind: "file"; path: string } | { kind: "package"; name: string };

/** One row of the table: which files it covers, what they may import, and what they may never load. */
interface Row {
  name: string;
  /** The row as docs/architecture.md shows it: what the files may import. */
  doc: string;
  covers: (file: string) => boolean;
  allows: (target: Target, imp: Import) => boolean;
  /** Loaded through any chain of value imports, this target breaks the row's process boundary. */
  neverLoads?: (target: Target) => boolean;
}

const under = (dir: string) => (p: string) => p === dir || p.startsWith(dir + "/");
const isNode = (t: Target) => t.kind === "package" && t.name.startsWith("node:");
const pkg = (...names: string[]) => (t: Target) =>
  t.kind === "package" && names.some((n) => t.name === n || t.name.startsWith(n + "/"));
const file = (...prefixes: string[]) => (t: Target) =>
  t.kind === "file" && prefixes.some((p) => t.path === p || t.path.startsWith(p + "/"));
/** Tests and their support files (`test-*.ts`): they may reach into what they test. */
const isTest = (p: string) => /\.test\.tsx?$/.test(p) || basename(p).startsWith("test-");

const protocol = file("electron/protocol.ts");
/** The store's contract: types only, importable by every side with `import type`. */
const contract = file("electron/tracking/contract.ts");
const typesOnly = (t: Target, imp: Import) => (protocol(t) || contract(t)) && imp.typeOnly;
/** Pure code every environment shares, the renderer included: it imports only protocol types. */
const common = file("electron/common");
/** What the kernel and ml may use of tracking: the client, the contract and the error type. */
const trackingClient = file("electron/tracking/client", "electron/tracking/types.ts", "electron/tracking/contract.ts");
/** The databases (SQLite, PostgreSQL): only the host and the CLI, which own the store, may load them. */
const database = (t: Target) =>
  pkg("better-sqlite3", "pg")(t) || file("electron/tracking/store", "electron/tracking/registry", "electron/tracking/ops", "electron/tracking/pg")(t);
const testLibs = (t: Target) => pkg("typescript")(t);

const rows: Row[] = [
  {
    name: "`electron/protocol.ts`",
    doc: "`import type` from `tracking/contract.ts` only",
    covers: (p) => p === "electron/protocol.ts",
    allows: (t, imp) => contract(t) && imp.typeOnly,
  },
  {
    name: "`electron/tracking/contract.ts`",
    doc: "nothing (types only; every side may `import type` it)",
    covers: (p) => p === "electron/tracking/contract.ts",
    allows: () => false,
  },
  {
    name: "`electron/common/`",
    doc: "`import type` from `protocol.ts` only (pure code every side runs, the renderer too)",
    covers: under("electron/common"),
    allows: (t, imp) => file("electron/common")(t) || (protocol(t) && imp.typeOnly),
    neverLoads: (t) => isNode(t) || (t.kind === "package") || (file("electron")(t) && !common(t)),
  },
  {
    name: "`electron/notebook/`",
    doc: "`node:*`, `protocol.ts`, `common/`",
    covers: under("electron/notebook"),
    allows: (t) => isNode(t) || protocol(t) || common(t) || file("electron/notebook")(t),
    neverLoads: database,
  },
  {
    name: "`electron/tracking/`",
    doc: "`node:*`, `protocol.ts`, `common/`, better-sqlite3 (store), pg (`pg/`), yaml",
    covers: under("electron/tracking"),
    allows: (t) => isNode(t) || protocol(t) || common(t) || file("electron/tracking")(t) || pkg("better-sqlite3", "yaml")(t),
  },
  {
    name: "`electron/tracking/pg/`",
    doc: "as `tracking/`, plus pg (node-postgres); never better-sqlite3",
    covers: under("electron/tracking/pg"),
    allows: (t) => isNode(t) || protocol(t) || common(t) || file("electron/tracking")(t) || pkg("pg", "yaml")(t),
    // A team server on PostgreSQL never opens SQLite; the shared operations (`ops/`) load no driver.
    neverLoads: pkg("better-sqlite3"),
  },
  {
    name: "`electron/tracking/client/`",
    doc: "as `tracking/`, but never loads the database (the kernel uses it)",
    covers: under("electron/tracking/client"),
    allows: (t) => isNode(t) || protocol(t) || common(t) || (file("electron/tracking")(t) && !database(t)) || pkg("yaml")(t),
    neverLoads: database,
  },
  {
    name: "`electron/ml/`",
    doc: "`node:*`, `protocol.ts`, `common/`, tracking's client, `@tensorflow/*`, yaml",
    covers: under("electron/ml"),
    allows: (t) => isNode(t) || protocol(t) || common(t) || file("electron/ml")(t) || trackingClient(t) || pkg("@tensorflow", "yaml")(t),
    neverLoads: database,
  },
  {
    name: "`electron/kernel/`",
    doc: "`node:*`, `protocol.ts`, `common/`, `notebook/`, `ml/`, tracking's client (never the database), esbuild, acorn",
    covers: under("electron/kernel"),
    allows: (t) =>
      isNode(t) ||
      protocol(t) ||
      common(t) ||
      file("electron/kernel", "electron/notebook", "electron/ml")(t) ||
      trackingClient(t) ||
      pkg("esbuild", "acorn", "acorn-walk")(t),
    neverLoads: database,
  },
  {
    name: "`electron/host/`, `electron/cli/`",
    doc: "all of `electron/` but `main.ts`/`preload.ts`, any package but `electron`; never `renderer/`",
    covers: (p) => under("electron/host")(p) || under("electron/cli")(p),
    allows: (t) =>
      isNode(t) ||
      (t.kind === "file" && under("electron")(t.path) && !file("electron/main.ts", "electron/preload.ts")(t)) ||
      (t.kind === "package" && !pkg("electron")(t)),
  },
  {
    name: "`electron/main.ts`",
    doc: "`node:*`, `protocol.ts`, `host/`, `electron`",
    covers: (p) => p === "electron/main.ts",
    allows: (t) => isNode(t) || protocol(t) || file("electron/host")(t) || pkg("electron")(t),
  },
  {
    name: "`electron/preload.ts`",
    doc: "`electron`, `import type` from `protocol.ts`",
    covers: (p) => p === "electron/preload.ts",
    allows: (t, imp) => pkg("electron")(t) || (protocol(t) && imp.typeOnly),
  },
  {
    name: "`renderer/vite.config.ts`",
    doc: "`node:*`, vite, vite-plugin-solid (a build tool)",
    covers: (p) => p === "renderer/vite.config.ts",
    allows: (t) => isNode(t) || pkg("vite", "vite-plugin-solid")(t),
  },
  {
    name: "`renderer/`",
    doc: "`import type` from `protocol.ts` and `tracking/contract.ts`; `electron/common/`; solid-js, `@codemirror/*`, `@lezer/*`, plotly, marked",
    covers: under("renderer"),
    allows: (t, imp) =>
      typesOnly(t, imp) || common(t) || file("renderer")(t) || pkg("solid-js", "@codemirror", "codemirror", "plotly.js-dist-min", "marked", "@lezer")(t),
    neverLoads: (t) => isNode(t) || (file("electron")(t) && !common(t)),
  },
  {
    name: "`e2e/`",
    doc: "`node:*`, playwright-core, `electron/` (to start the app)",
    covers: under("e2e"),
    allows: (t) => isNode(t) || pkg("playwright-core")(t) || file("e2e")(t) || (t.kind === "file" && under("electron")(t.path)),
  },
  {
    name: "`bench/`",
    doc: "`node:*`, `electron/`, `e2e/`, any package but `electron`",
    covers: under("bench"),
    allows: (t) => isNode(t) || file("bench", "electron", "e2e")(t) || (t.kind === "package" && !pkg("electron")(t)),
  },
  {
    name: "`test/`",
    doc: "`node:*`, typescript, `electron/`",
    covers: under("test"),
    allows: (t) => isNode(t) || testLibs(t) || file("test", "electron")(t),
  },
];

/** The most specific row covering a file (a folder's own row before its parent's). */
function rowOf(path: string): Row | undefined {
  return rows.filter((r) => r.covers(path)).sort((a, b) => b.name.length - a.name.length)[0];
}

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "artifacts" || name.startsWith(".")) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (/\.(ts|tsx|mts|cts)$/.test(name) && !name.endsWith(".d.ts")) out.push(relative(root, full).split(sep).join("/"));
  }
  return out;
}

function importsOf(path: string): Import[] {
  const text = readFileSync(join(root, path), "utf8");
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const add = (node: ts.Node, spec: ts.Expression | undefined, typeOnly: boolean) => {
    if (spec && ts.isStringLiteralLike(spec)) {
      const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
      found.push({ spec: spec.text, line, typeOnly });
    }
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const allTypes =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            !!clause.namedBindings &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node, node.moduleSpecifier, allTypes);
    } else if (ts.isExportDeclaration(node)) {
      add(node, node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const dynamic = callee.kind === ts.SyntaxKind.ImportKeyword;
      const required = ts.isIdentifier(callee) && callee.text === "require";
      if (dynamic || required) add(node, node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal as ts.Expression, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function targetOf(from: string, spec: string): Target {
  if (spec.startsWith(".")) {
    const path = relative(root, resolve(root, dirname(from), spec)).split(sep).join("/");
    return { kind: "file", path };
  }
  if (/^(fs|path|os|url|child_process|crypto|http|https|net|stream|events|util|worker_threads|zlib|assert)(\/|$)/.test(spec)) {
    // Bare Node built-ins are still Node: name them as node: so one rule covers both spellings.
    return { kind: "package", name: "node:" + spec };
  }
  return { kind: "package", name: spec };
}

/** One import edge of the project's graph. */
interface Edge {
  from: string;
  to: Target;
  imp: Import;
}

/** Every project source file and its imports. */
function projectGraph(): Map<string, Edge[]> {
  const graph = new Map<string, Edge[]>();
  for (const path of scanned.flatMap((d) => walk(join(root, d), []))) {
    graph.set(path, importsOf(path).map((imp) => ({ from: path, to: targetOf(path, imp.spec), imp })));
  }
  return graph;
}

const label = (t: Target) => (t.kind === "file" ? t.path : t.name);

/** Direct imports a file's row does not allow, and files no row covers. */
function directViolations(graph: Map<string, Edge[]>): string[] {
  const problems: string[] = [];
  for (const [path, edges] of graph) {
    const row = rowOf(path);
    if (!row) {
      problems.push(`${path}: no row of the layer table covers this file`);
      continue;
    }
    for (const { to, imp } of edges) {
      const ok = row.allows(to, imp) || (isTest(path) && (isNode(to) || testLibs(to) || file("electron")(to)));
      if (!ok) problems.push(`${path}:${imp.line} imports ${imp.spec} (row ${row.name} does not allow it)`);
    }
  }
  return problems;
}

/**
 * What each non-test file loads at run time through chains of value imports (type-only imports
 * are erased), checked against its row's `neverLoads`; the message shows the chain.
 */
function reachViolations(graph: Map<string, Edge[]>): string[] {
  const problems: string[] = [];
  for (const start of graph.keys()) {
    const never = rowOf(start)?.neverLoads;
    if (!never || isTest(start)) continue;
    const via = new Map<string, string>([[start, ""]]);
    const queue = [start];
    while (queue.length > 0) {
      const at = queue.shift()!;
      for (const { to, imp } of graph.get(at) ?? []) {
        if (imp.typeOnly) continue;
        if (never(to)) {
          const chain = [label(to), at];
          for (let p = via.get(at)!; p; p = via.get(p)!) chain.push(p);
          problems.push(`${start} loads ${label(to)} (${chain.reverse().join(" → ")})`);
          continue;
        }
        if (to.kind === "file" && graph.has(to.path) && !via.has(to.path)) {
          via.set(to.path, at);
          queue.push(to.path);
        }
      }
    }
  }
  return problems;
}

/**
 * The unit of the folder-level check: a file's folder, except that the files directly in `electron/`
 * or `renderer/` (protocol.ts, main.ts, preload.ts; main.tsx, transport.ts) are an entry point or a
 * shared bottom each, so they count one by one.
 */
const folderOf = (path: string) => (scanned.includes(dirname(path)) ? path : dirname(path));

/** File-level and folder-level circles among the project's files (tests only add leaves, so they are left out). */
function circleViolations(graph: Map<string, Edge[]>): string[] {
  const files = new Map<string, Set<string>>();
  const folders = new Map<string, Set<string>>();
  for (const [path, edges] of graph) {
    if (isTest(path)) continue;
    for (const { to } of edges) {
      if (to.kind !== "file" || !graph.has(to.path) || isTest(to.path)) continue;
      if (!files.has(path)) files.set(path, new Set());
      files.get(path)!.add(to.path);
      const [a, b] = [folderOf(path), folderOf(to.path)];
      if (a === b) continue;
      if (!folders.has(a)) folders.set(a, new Set());
      folders.get(a)!.add(b);
    }
  }
  return [
    ...cycles([...files.keys()].sort(), files).map((c) => `files import each other in a circle: ${c.join(", ")}`),
    ...cycles([...folders.keys()].sort(), folders).map((c) => `folders import each other in a circle: ${c.join(", ")}`),
  ];
}

const graph = projectGraph();

test("every file imports only what its layer allows", () => {
  assert.deepEqual(directViolations(graph), []);
});

test("no file loads, through any chain of imports, what its layer may never load", () => {
  assert.deepEqual(reachViolations(graph), []);
});

test("no files and no folders import each other in a circle", () => {
  assert.deepEqual(circleViolations(graph), []);
});

test("docs/architecture.md shows the layer table as the checker has it", () => {
  const doc = readFileSync(join(root, "docs/architecture.md"), "utf8");
  for (const row of rows) assert.ok(doc.includes(`| ${row.name} | ${row.doc} |`), `docs/architecture.md lacks the row: | ${row.name} | ${row.doc} |`);
});

const imp = (spec: string, typeOnly = false): Import => ({ spec, line: 1, typeOnly });
const edge = (from: string, spec: string, typeOnly = false): Edge => ({ from, to: targetOf(from, spec), imp: imp(spec, typeOnly) });

test("the checker rejects Node in the renderer, the store in the kernel, electron outside main/preload", () => {
  const allowed = (path: string, spec: string, typeOnly = false) => rowOf(path)!.allows(targetOf(path, spec), imp(spec, typeOnly));
  assert.equal(allowed("renderer/main.tsx", "node:fs"), false);
  assert.equal(allowed("renderer/main.tsx", "../electron/protocol.ts"), false, "renderer may take protocol.ts only with import type");
  assert.equal(allowed("renderer/main.tsx", "../electron/tracking/contract.ts", true), true);
  assert.equal(allowed("electron/kernel/kernel.ts", "../tracking/store/index.ts"), false);
  assert.equal(allowed("electron/tracking/client/fluent.ts", "../store/index.ts"), false);
  assert.equal(allowed("electron/tracking/client/fluent.ts", "pg"), false);
  assert.equal(allowed("electron/kernel/kernel.ts", "../tracking/pg/index.ts"), false);
  assert.equal(allowed("electron/tracking/store/open-store.ts", "pg"), false, "only tracking/pg/ loads the driver");
  for (const path of ["electron/host/host.ts", "electron/cli/index.ts", "bench/tracking.ts", "electron/kernel/kernel.ts"]) {
    assert.equal(allowed(path, "electron"), false, path);
  }
});

test("the checker follows value imports through other layers' files, and names the chain", () => {
  const fake = new Map<string, Edge[]>([
    ["electron/kernel/process.ts", [edge("electron/kernel/process.ts", "./runtime/mlflow.ts")]],
    ["electron/kernel/runtime/mlflow.ts", [edge("electron/kernel/runtime/mlflow.ts", "../../tracking/client/index.ts")]],
    ["electron/tracking/client/index.ts", [edge("electron/tracking/client/index.ts", "../store/open-store.ts")]],
    ["electron/tracking/store/open-store.ts", [edge("electron/tracking/store/open-store.ts", "better-sqlite3")]],
  ]);
  const found = reachViolations(fake);
  assert.ok(
    found.includes(
      "electron/kernel/process.ts loads electron/tracking/store/open-store.ts (electron/kernel/process.ts → electron/kernel/runtime/mlflow.ts → electron/tracking/client/index.ts → electron/tracking/store/open-store.ts)",
    ),
    found.join("\n"),
  );
  // A type-only import loads nothing.
  fake.set("electron/kernel/process.ts", [edge("electron/kernel/process.ts", "./runtime/mlflow.ts", true)]);
  fake.delete("electron/kernel/runtime/mlflow.ts");
  assert.deepEqual(reachViolations(fake).filter((p) => p.startsWith("electron/kernel/process.ts")), []);
});

test("the checker finds circles of files and of folders", () => {
  const fake = new Map<string, Edge[]>([
    ["electron/tracking/store/a.ts", [edge("electron/tracking/store/a.ts", "../registry/b.ts")]],
    ["electron/tracking/registry/b.ts", [edge("electron/tracking/registry/b.ts", "../store/c.ts", true)]],
    ["electron/tracking/store/c.ts", []],
    ["renderer/x/one.ts", [edge("renderer/x/one.ts", "./two.ts")]],
    ["renderer/x/two.ts", [edge("renderer/x/two.ts", "./one.ts")]],
  ]);
  assert.deepEqual(circleViolations(fake), [
    "files import each other in a circle: renderer/x/one.ts, renderer/x/two.ts",
    "folders import each other in a circle: electron/tracking/registry, electron/tracking/store",
  ]);
});
