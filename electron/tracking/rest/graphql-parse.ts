/**
 * A GraphQL query-document parser: operations (query, mutation, shorthand), variables with
 * defaults, aliases, arguments, directives (parsed, ignored), fragments and inline fragments —
 * what MLflow's UI (Apollo, which adds `__typename` everywhere) and its tests send to `/graphql`.
 * Bounded: nesting deeper than {@link MAX_GRAPHQL_DEPTH} is a syntax error, never a stack overflow.
 */

/** How deep selections, values and types may nest. */
export const MAX_GRAPHQL_DEPTH = 64;

/** A literal or variable in a query. */
export type GqlValue =
  | { kind: "variable"; name: string }
  | { kind: "int" | "float" | "string" | "enum"; value: string }
  | { kind: "boolean"; value: boolean }
  | { kind: "null" }
  | { kind: "list"; values: GqlValue[] }
  | { kind: "object"; fields: [string, GqlValue][] };

/** A variable's declared type. */
export type GqlType = { kind: "named"; name: string } | { kind: "list"; of: GqlType } | { kind: "non-null"; of: GqlType };

/** A field, fragment spread or inline fragment. */
export type Selection =
  | { kind: "field"; alias?: string; name: string; args: [string, GqlValue][]; selections?: Selection[] }
  | { kind: "spread"; name: string }
  | { kind: "inline"; on?: string; selections: Selection[] };

/** One operation of a document. */
export interface Operation {
  type: "query" | "mutation" | "subscription";
  name?: string;
  variables: { name: string; type: GqlType; default?: GqlValue }[];
  selections: Selection[];
}

/** A parsed document. */
export interface GqlDocument {
  operations: Operation[];
  fragments: Map<string, { on: string; selections: Selection[] }>;
}

/** A document that does not parse; its message is GraphQL's `Syntax Error: …`. */
export class GqlSyntaxError extends Error {}

type Token = { kind: "punct" | "name" | "int" | "float" | "string" | "eof"; value: string; at: number };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new GqlSyntaxError(`Syntax Error: ${why} at offset ${i}.`);
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "," || c === "\ufeff") {
      i++;
    } else if (c === "#") {
      while (i < src.length && src[i] !== "\n" && src[i] !== "\r") i++;
    } else if ("!$&()[]{}:=@|".includes(c)) {
      tokens.push({ kind: "punct", value: c, at: i++ });
    } else if (c === ".") {
      if (src.startsWith("...", i)) {
        tokens.push({ kind: "punct", value: "...", at: i });
        i += 3;
      } else fail("Unexpected '.'");
    } else if (/[_A-Za-z]/.test(c)) {
      const m = /^[_A-Za-z][_0-9A-Za-z]*/.exec(src.slice(i, i + 1024))!;
      tokens.push({ kind: "name", value: m[0], at: i });
      i += m[0].length;
    } else if (c === "-" || /\d/.test(c)) {
      const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i, i + 1024));
      if (!m) return fail("Invalid number");
      tokens.push({ kind: m[2] || m[3] ? "float" : "int", value: m[0], at: i });
      i += m[0].length;
    } else if (src.startsWith('"""', i)) {
      const end = src.indexOf('"""', i + 3);
      if (end < 0) fail("Unterminated string");
      tokens.push({ kind: "string", value: src.slice(i + 3, end).replace(/\\"""/g, '"""'), at: i });
      i = end + 3;
    } else if (c === '"') {
      const start = i++;
      let out = "";
      for (;;) {
        if (i >= src.length || src[i] === "\n" || src[i] === "\r") fail("Unterminated string");
        const ch = src[i]!;
        if (ch === '"') break;
        if (ch === "\\") {
          const e = src[i + 1];
          const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
          if (e !== undefined && e in simple) {
            out += simple[e];
            i += 2;
          } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
            out += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16));
            i += 6;
          } else fail("Invalid escape");
          continue;
        }
        out += ch;
        i++;
      }
      i++;
      tokens.push({ kind: "string", value: out, at: start });
    } else {
      fail(`Unexpected character ${JSON.stringify(c)}`);
    }
  }
  tokens.push({ kind: "eof", value: "", at: src.length });
  return tokens;
}

/** Parses a GraphQL document. */
export function parseGraphql(src: string): GqlDocument {
  const tokens = tokenize(src);
  let p = 0;
  const peek = (): Token => tokens[p]!;
  const fail = (why: string): never => {
    throw new GqlSyntaxError(`Syntax Error: ${why} at offset ${peek().at}.`);
  };
  const is = (value: string): boolean => peek().kind === "punct" && peek().value === value;
  const expect = (value: string): void => {
    if (!is(value)) fail(`Expected "${value}", found ${peek().kind === "eof" ? "<EOF>" : JSON.stringify(peek().value)}`);
    p++;
  };
  const name = (): string => {
    if (peek().kind !== "name") fail(`Expected Name, found ${peek().kind === "eof" ? "<EOF>" : JSON.stringify(peek().value)}`);
    return tokens[p++]!.value;
  };
  const deeper = (depth: number): number => {
    if (depth >= MAX_GRAPHQL_DEPTH) fail(`Document nested deeper than ${MAX_GRAPHQL_DEPTH} levels`);
    return depth + 1;
  };

  const value = (depth: number, constant: boolean): GqlValue => {
    const t = peek();
    if (t.kind === "punct" && t.value === "$" && !constant) {
      p++;
      return { kind: "variable", name: name() };
    }
    if (t.kind === "int" || t.kind === "float" || t.kind === "string") {
      p++;
      return { kind: t.kind, value: t.value };
    }
    if (t.kind === "name") {
      p++;
      if (t.value === "true" || t.value === "false") return { kind: "boolean", value: t.value === "true" };
      if (t.value === "null") return { kind: "null" };
      return { kind: "enum", value: t.value };
    }
    if (is("[")) {
      p++;
      const values: GqlValue[] = [];
      while (!is("]")) values.push(value(deeper(depth), constant));
      p++;
      return { kind: "list", values };
    }
    if (is("{")) {
      p++;
      const fields: [string, GqlValue][] = [];
      while (!is("}")) {
        const key = name();
        expect(":");
        fields.push([key, value(deeper(depth), constant)]);
      }
      p++;
      return { kind: "object", fields };
    }
    return fail("Unexpected token");
  };
  const directives = (): void => {
    while (is("@")) {
      p++;
      name();
      if (is("(")) args(0);
    }
  };
  const args = (depth: number): [string, GqlValue][] => {
    const out: [string, GqlValue][] = [];
    expect("(");
    while (!is(")")) {
      const key = name();
      expect(":");
      out.push([key, value(depth, false)]);
    }
    p++;
    return out;
  };
  const type = (depth: number): GqlType => {
    let t: GqlType;
    if (is("[")) {
      p++;
      t = { kind: "list", of: type(deeper(depth)) };
      expect("]");
    } else t = { kind: "named", name: name() };
    if (is("!")) {
      p++;
      t = { kind: "non-null", of: t };
    }
    return t;
  };
  const selectionSet = (depth: number): Selection[] => {
    expect("{");
    const out: Selection[] = [];
    while (!is("}")) {
      if (is("...")) {
        p++;
        if (peek().kind === "name" && peek().value !== "on") {
          out.push({ kind: "spread", name: name() });
          directives();
          continue;
        }
        let on: string | undefined;
        if (peek().kind === "name" && peek().value === "on") {
          p++;
          on = name();
        }
        directives();
        out.push({ kind: "inline", on, selections: selectionSet(deeper(depth)) });
        continue;
      }
      let fieldName = name();
      let alias: string | undefined;
      if (is(":")) {
        p++;
        alias = fieldName;
        fieldName = name();
      }
      const fieldArgs = is("(") ? args(depth) : [];
      directives();
      const selections = is("{") ? selectionSet(deeper(depth)) : undefined;
      out.push({ kind: "field", alias, name: fieldName, args: fieldArgs, selections });
    }
    p++;
    if (out.length === 0) fail("Expected Name, found \"}\"");
    return out;
  };

  const doc: GqlDocument = { operations: [], fragments: new Map() };
  if (peek().kind === "eof") fail("Unexpected <EOF>");
  while (peek().kind !== "eof") {
    if (is("{")) {
      doc.operations.push({ type: "query", variables: [], selections: selectionSet(0) });
      continue;
    }
    const keyword = name();
    if (keyword === "fragment") {
      const fragmentName = name();
      if (name() !== "on") fail('Expected "on"');
      const on = name();
      directives();
      doc.fragments.set(fragmentName, { on, selections: selectionSet(0) });
      continue;
    }
    if (keyword !== "query" && keyword !== "mutation" && keyword !== "subscription") fail(`Unexpected Name "${keyword}"`);
    const op: Operation = { type: keyword as Operation["type"], variables: [], selections: [] };
    if (peek().kind === "name") op.name = name();
    if (is("(")) {
      p++;
      while (!is(")")) {
        expect("$");
        const varName = name();
        expect(":");
        const varType = type(0);
        let dflt: GqlValue | undefined;
        if (is("=")) {
          p++;
          dflt = value(0, true);
        }
        directives();
        op.variables.push({ name: varName, type: varType, default: dflt });
      }
      p++;
    }
    directives();
    op.selections = selectionSet(0);
    doc.operations.push(op);
  }
  return doc;
}
