/**
 * Parses MLflow order_by entries (`"metrics.acc DESC"`, `` "tags.`my tag`" ``, `"timestamp"`) per
 * entity kind. Each entry is one identifier and an optional ASC or DESC; ascending by default.
 */
import type { EntityKind, OrderBy } from "./ast.ts";
import { GRAMMARS, invalid, listing, resolveIdentifier } from "./grammar.ts";
import { Scanner, SyntaxProblem } from "./scanner.ts";
import type { IdentifierPart } from "./scanner.ts";

/**
 * Parses every entry of `orderBy` for `kind`; absent or empty means no explicit order. Naming one
 * field twice (also through an alias, like `created` and `start_time`) is an error, as in MLflow.
 */
export function parseOrderBy(kind: EntityKind, orderBy?: string[]): OrderBy[] {
  const parsed = (orderBy ?? []).map((entry) => parseEntry(kind, entry));
  const seen = new Set<string>();
  for (const { type, key } of parsed) {
    const id = `${type}\0${key}`;
    if (seen.has(id)) throw invalid(`\`order_by\` contains duplicate fields: ${listing(orderBy ?? [])}`);
    seen.add(id);
  }
  return parsed;
}

function parseEntry(kind: EntityKind, entry: string): OrderBy {
  const s = new Scanner(entry);
  const unparsable = invalid(`Invalid order_by clause '${entry}'. Could not be parsed.`);
  let parts: IdentifierPart[];
  try {
    s.skipWs();
    parts = s.identifier();
  } catch (e) {
    if (e instanceof SyntaxProblem) throw unparsable;
    throw e;
  }
  s.skipWs();
  let ascending = true;
  if (!s.eof) {
    const word = s.word(false);
    s.skipWs();
    if (!word || !s.eof) throw unparsable;
    const direction = word.toLowerCase();
    if (direction !== "asc" && direction !== "desc") throw invalid(`Invalid ordering key in order_by clause '${entry}'.`);
    ascending = direction === "asc";
  }
  const grammar = GRAMMARS[kind];
  const bareTimestamp = parts.length === 1 && !parts[0]!.quoted && parts[0]!.text === "timestamp";
  if (bareTimestamp) return { type: "attribute", key: grammar.timestamp, ascending };
  const { type, key } = resolveIdentifier(kind, parts);
  if (type !== "attribute") {
    if (!grammar.orderTypes.includes(type)) {
      throw invalid(kind === "runs" ? `Invalid order_by entity type '${type}'` : `Invalid order_by entity: ${type}`);
    }
    return { type, key, ascending };
  }
  if (!grammar.orderAttributes.includes(key)) {
    const valid = listing([...grammar.orderAttributes, "timestamp"].sort());
    throw invalid(
      kind === "runs" || kind === "experiments"
        ? `Invalid attribute key '${key}' specified. Valid keys are ${valid}`
        : `Invalid order by key '${key}' specified. Valid keys are ${valid}`,
    );
  }
  return { type, key, ascending };
}
