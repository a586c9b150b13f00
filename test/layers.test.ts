/**
 * Enforces style.md's layer table: a folder is an environment, and each may import only what its
 * row allows. Every import form counts (`import`, `import type`, `export … from`, `import()`,
 * `require()`); a source file no row covers fails too, so a new folder must be placed on purpose.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const scanned = ["electron", "renderer", "e2e", "bench", "test"];

interface Import {
  spec: string;
  line: number;
  typeOnly: boolean;
}

/** One row of the table: which files it covers and whether it allows an import. */
interface Row {
  name: string;
  covers: (file: string) => boolean;
  allows: (target: Target, imp: Import) => boolean;
}

/** An import resolved to either a project path (posix, from the root) or a package name. */
type Target = { kind: "file"; path: string } | { kind: "package"; name: string };

const under = (dir: string) => (p: string) => p === dir || p.startsWith(dir + "/");
const isNode = (t: Target) => t.kind === "package" && t.name.startsWith("node:");
const pkg = (...names: string[]) => (t: Target) =>
  t.kind === "package" && names.some((n) => t.name === n || t.name.startsWith(n + "/"));
const file = (...prefixes: string[]) => (t: Target) =>
  t.kind === "file" && prefixes.some((p) => t.path === p || t.path.startsWith(p + "/"));
const isTest = (p: string) => /\.test\.tsx?$/.test(p);

const protocol = file("electron/protocol.ts");
// The tracking client's public surface: what other Node layers may use of tracking.
const trackingClient = file("electron/tracking/client", "electron/tracking/types.ts");
const testLibs = (t: Target) => pkg("typescript")(t);

const rows: Row[] = [
  { name: "protocol.ts", covers: (p) => p === "electron/protocol.ts", allows: () => false },
  {
    name: "electron/notebook/",
    covers: under("electron/notebook"),
    allows: (t) => isNode(t) || protocol(t) || file("electron/notebook")(t),
  },
  {
    name: "electron/tracking/",
    covers: under("electron/tracking"),
    allows: (t) => isNode(t) || protocol(t) || file("electron/tracking")(t) || pkg("better-sqlite3", "yaml")(t),
  },
  {
    name: "electron/ml/",
    covers: under("electron/ml"),
    allows: (t) =>
      isNode(t) || protocol(t) || file("electron/ml")(t) || trackingClient(t) || pkg("@tensorflow", "yaml")(t),
  },
  {
    name: "electron/kernel/",
    covers: under("electron/kernel"),
    allows: (t) =>
      isNode(t) ||
      protocol(t) ||
      file("electron/kernel", "electron/notebook", "electron/ml")(t) ||
      trackingClient(t) ||
      pkg("esbuild", "acorn", "acorn-walk")(t),
  },
  {
    name: "electron/host/, electron/cli.ts",
    covers: (p) => under("electron/host")(p) || p === "electron/cli.ts",
    allows: (t) =>
      isNode(t) ||
      (t.kind === "file" && under("electron")(t.path) && !file("electron/main.ts", "electron/preload.ts")(t)) ||
      (t.kind === "package" && !pkg("electron")(t)),
  },
  {
    name: "electron/main.ts",
    covers: (p) => p === "electron/main.ts",
    allows: (t) => isNode(t) || protocol(t) || file("electron/host")(t) || pkg("electron")(t),
  },
  {
    name: "electron/preload.ts",
    covers: (p) => p === "electron/preload.ts",
    allows: (t, imp) => pkg("electron")(t) || (protocol(t) && imp.typeOnly),
  },
  {
    name: "renderer/vite.config.ts (build tool, Node)",
    covers: (p) => p === "renderer/vite.config.ts",
    allows: (t) => isNode(t) || pkg("vite", "vite-plugin-solid")(t),
  },
  {
    name: "renderer/",
    covers: under("renderer"),
    allows: (t, imp) =>
      (protocol(t) && imp.typeOnly) ||
      file("renderer")(t) ||
      pkg("solid-js", "@codemirror", "codemirror", "plotly.js-dist-min", "marked", "@lezer")(t),
  },
  {
    name: "e2e/",
    covers: under("e2e"),
    allows: (t) =>
      isNode(t) || pkg("playwright-core")(t) || file("e2e")(t) || (t.kind === "file" && under("electron")(t.path)),
  },
  {
    name: "bench/",
    covers: under("bench"),
    allows: (t) => isNode(t) || file("bench", "electron", "e2e")(t) || (t.kind === "package" && !pkg("electron")(t)),
  },
  {
    name: "test/",
    covers: under("test"),
    allows: (t) => isNode(t) || testLibs(t) || file("test", "electron")(t),
  },
];

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "artifacts" || name.startsWith(".")) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (/\.(ts|tsx|mts|cts)$/.test(name)) out.push(relative(root, full).split(sep).join("/"));
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

/** The violations in the tree, one readable line each. */
function violations(): string[] {
  const problems: string[] = [];
  const files = scanned.flatMap((d) => {
    try {
      return walk(join(root, d), []);
    } catch {
      return [];
    }
  });
  for (const path of files) {
    if (path.endsWith(".d.ts")) continue;
    const row = rows.find((r) => r.covers(path));
    if (!row) {
      problems.push(`${path}: no row of the layer table covers this file`);
      continue;
    }
    for (const imp of importsOf(path)) {
      const target = targetOf(path, imp.spec);
      const ok =
        row.allows(target, imp) ||
        (isTest(path) && (isNode(target) || testLibs(target) || file("electron/tracking")(target)));
      if (!ok) problems.push(`${path}:${imp.line} imports ${imp.spec} (row ${row.name} does not allow it)`);
    }
  }
  return problems;
}

test("every file imports only what its layer allows", () => {
  assert.deepEqual(violations(), []);
});

test("the checker rejects Node in the renderer, the store in the kernel, electron outside main/preload", () => {
  const renderer = rows.find((r) => r.covers("renderer/main.tsx"))!;
  assert.equal(renderer.allows(targetOf("renderer/main.tsx", "node:fs"), { spec: "node:fs", line: 1, typeOnly: false }), false);
  assert.equal(
    renderer.allows(targetOf("renderer/main.tsx", "../electron/protocol.ts"), {
      spec: "../electron/protocol.ts",
      line: 1,
      typeOnly: false,
    }),
    false,
    "renderer may take protocol.ts only with import type",
  );
  const kernel = rows.find((r) => r.covers("electron/kernel/kernel.ts"))!;
  const storeImport = { spec: "../tracking/store/index.ts", line: 1, typeOnly: false };
  assert.equal(kernel.allows(targetOf("electron/kernel/kernel.ts", storeImport.spec), storeImport), false);
  const electronImport = { spec: "electron", line: 1, typeOnly: false };
  for (const path of ["electron/host/host.ts", "bench/tracking.ts", "electron/kernel/kernel.ts"]) {
    const row = rows.find((r) => r.covers(path))!;
    assert.equal(row.allows(targetOf(path, "electron"), electronImport), false, path);
  }
});
