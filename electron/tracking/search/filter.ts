/**
 * Parses MLflow search filter strings (`metrics.acc > 0.9 AND tags."team" = 'x'`) into clauses,
 * checking identifiers, value kinds and comparators per entity kind. Syntax is a flat list of
 * comparisons joined by AND: no OR, no parentheses, as in MLflow's `SearchUtils`.
 */
import type { Clause, Comparator, EntityKind, KeyType } from "./ast.ts";
import { DATASET_KEYS, GRAMMARS, TYPE_RULES, filterKeyNames, invalid, listing, resolveIdentifier } from "./grammar.ts";
import type { AttributeRule } from "./grammar.ts";
import { ListProblem, Scanner, SyntaxProblem } from "./scanner.ts";
import type { IdentifierPart, ValueToken } from "./scanner.ts";

const SYMBOLS = /[<>=!]+/y;

/** Parses `filter` for `kind`; an empty or blank filter means no clauses. */
export function parseFilter(kind: EntityKind, filter?: string): Clause[] {
  if (!filter || !filter.trim()) return [];
  const s = new Scanner(filter);
  const clauses: Clause[] = [];
  for (;;) {
    s.skipWs();
    const start = s.pos;
    clauses.push(readClause(kind, s, start));
    s.skipWs();
    if (s.eof) return clauses;
    if (s.peek() === ";") {
      s.pos++;
      s.skipWs();
      if (!s.eof) throw invalid(`Search filter contained multiple expression '${filter}'. Provide AND-ed expression list.`);
      return clauses;
    }
    const andAt = s.pos;
    if (!s.keyword("AND")) throw invalidClause(filter, andAt);
    s.skipWs();
    if (s.eof) throw invalidClause(filter, andAt);
  }
}

/** MLflow's generic syntax error, quoting the clause text from `at` up to the next AND. */
function invalidClause(filter: string, at: number): Error {
  const rest = filter.slice(at);
  const m = /\s+AND\s+/i.exec(rest);
  const fragment = (m ? rest.slice(0, m.index) : rest).trim();
  return invalid(`Invalid clause(s) in filter string: '${fragment}'`);
}

function readClause(kind: EntityKind, s: Scanner, start: number): Clause {
  let parts: IdentifierPart[], comparator: string, token: ValueToken;
  try {
    parts = s.identifier();
    s.skipWs();
    comparator = readComparator(s);
    s.skipWs();
    token = s.value();
  } catch (e) {
    if (e instanceof ListProblem) throw invalid(e.message);
    if (e instanceof SyntaxProblem) throw invalidClause(s.text, start);
    throw e;
  }
  const { type, key } = resolveIdentifier(kind, parts);
  const rule = ruleFor(kind, type, key);
  const value = checkValue(type, key, rule, token);
  return { type, key, comparator: checkComparator(rule, comparator, token), value };
}

/** Reads a comparator: a run of `<>=!` or LIKE / ILIKE / IN / NOT IN, case-insensitive. */
function readComparator(s: Scanner): string {
  SYMBOLS.lastIndex = s.pos;
  const m = SYMBOLS.exec(s.text);
  if (m) {
    s.pos += m[0].length;
    return m[0];
  }
  for (const word of ["LIKE", "ILIKE", "IN"]) if (s.keyword(word)) return word;
  const at = s.pos;
  if (s.keyword("NOT")) {
    s.skipWs();
    if (s.keyword("IN")) return "NOT IN";
    s.pos = at;
  }
  throw new SyntaxProblem("expected a comparator");
}

function ruleFor(kind: EntityKind, type: KeyType, key: string): AttributeRule {
  if (type === "attribute") {
    const rule = GRAMMARS[kind].filterAttributes[key];
    if (!rule) throw invalid(`Invalid attribute key '${key}' specified. Valid keys are ${listing(filterKeyNames(kind))}`);
    return rule;
  }
  if (type === "dataset") {
    const rule = DATASET_KEYS[key];
    if (!rule) throw invalid(`Invalid dataset key '${key}' specified. Valid keys are ${listing(Object.keys(DATASET_KEYS))}`);
    return rule;
  }
  return TYPE_RULES[type];
}

/** MLflow's word for each type in value messages. */
const TYPE_WORD: Record<KeyType, string> = {
  metric: "metric",
  param: "parameter",
  tag: "tag",
  attribute: "attributes",
  dataset: "dataset attributes",
};

/** Checks the value kind against the rule, with MLflow's messages; returns the AST value. */
function checkValue(type: KeyType, key: string, rule: AttributeRule, token: ValueToken): number | string | string[] {
  if (rule.value === "number") {
    if (token.kind === "number") return token.value;
    if (rule.quotedInteger && token.kind === "string" && /^\s*-?\d+\s*$/.test(token.value)) return Number(token.value);
    throw invalid(
      type === "metric"
        ? `Expected numeric value type for metric. Found ${token.raw}`
        : `Expected numeric value type for numeric attribute: ${key}. Found ${token.raw}`,
    );
  }
  switch (token.kind) {
    case "string":
      return token.value;
    case "word":
      throw invalid(`Parameter value is either not quoted or unidentified quote types used for string value ${token.raw}. Use either single or double quotes.`);
    case "list":
      if (rule.list) return token.value;
      if (type === "attribute") throw invalid("Only the 'run_id' attribute supports comparison with a list of quoted string values.");
      break;
    case "number":
      break;
  }
  if (type === "param" || type === "tag") throw invalid(`Expected a quoted string value for ${TYPE_WORD[type]} (e.g. 'my-value'). Got value ${token.raw}`);
  throw invalid(`Expected a quoted string value for ${TYPE_WORD[type]}. Got value ${token.raw}`);
}

/** Checks the comparator is allowed and that IN / NOT IN go with a list and nothing else does. */
function checkComparator(rule: AttributeRule, raw: string, token: ValueToken): Comparator {
  const upper = raw.toUpperCase();
  const comparator = rule.comparators.find((c) => c === upper);
  if (!comparator) {
    throw invalid(`Invalid comparator '${raw}' not one of ${listing(rule.comparators)}`);
  }
  const isList = comparator === "IN" || comparator === "NOT IN";
  if (isList !== (token.kind === "list")) {
    throw invalid(
      isList
        ? `Expected a list of quoted string values for comparator '${comparator}'. Got value ${token.raw}`
        : `Invalid comparator '${comparator}' for a list of values; use IN or NOT IN`,
    );
  }
  return comparator;
}
