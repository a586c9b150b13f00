/**
 * What each entity kind may be searched and ordered by: identifier prefixes, attribute keys with
 * their aliases, value kinds and comparators. Facts follow MLflow's `SearchUtils`,
 * `SearchExperimentsUtils`, `SearchModelUtils` and `SearchModelVersionUtils`; keeping them as data
 * lets the filter and order_by parsers share one identifier resolver.
 */
import { MlflowError } from "../types.ts";
import type { Comparator, EntityKind, KeyType } from "./ast.ts";
import type { IdentifierPart } from "./scanner.ts";

/** How an attribute is compared: numeric, a quoted string, or (run_id) also a list. */
export interface AttributeRule {
  value: "number" | "string";
  comparators: readonly Comparator[];
  /** Whether `IN (…)` lists are allowed (MLflow: only run_id, and dataset keys). */
  list: boolean;
  /** Numeric keys that also take a quoted integer, which MLflow's registry store lets through. */
  quotedInteger?: boolean;
}

const NUMERIC: readonly Comparator[] = [">", ">=", "=", "!=", "<", "<="];
const STRING: readonly Comparator[] = ["=", "!=", "LIKE", "ILIKE"];
const STRING_LIST: readonly Comparator[] = ["=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"];

const num: AttributeRule = { value: "number", comparators: NUMERIC, list: false };
const str: AttributeRule = { value: "string", comparators: STRING, list: false };
const strList: AttributeRule = { value: "string", comparators: STRING_LIST, list: true };

/** Per-kind grammar. */
export interface KindGrammar {
  /** Identifier prefixes → key type (aliases included). */
  prefixes: Readonly<Record<string, KeyType>>;
  /** Canonical attribute keys a filter may name. */
  filterAttributes: Readonly<Record<string, AttributeRule>>;
  /** Canonical attribute keys order_by may name. */
  orderAttributes: readonly string[];
  /** Alternative attribute spellings → canonical key. */
  aliases: Readonly<Record<string, string>>;
  /** What a bare `timestamp` in order_by means. */
  timestamp: string;
  /** Key types order_by accepts besides attributes. */
  orderTypes: readonly KeyType[];
}

const REGISTRY_PREFIXES: Record<string, KeyType> = { attribute: "attribute", tag: "tag", tags: "tag" };

/** Rules for tags, params and metrics, which any key may use. */
export const TYPE_RULES: Readonly<Record<"metric" | "param" | "tag", AttributeRule>> = {
  metric: num,
  param: str,
  tag: str,
};

/** Dataset keys (runs only): lists allowed for all three. */
export const DATASET_KEYS: Readonly<Record<string, AttributeRule>> = { name: strList, digest: strList, context: strList };

/** The grammar of each searchable entity kind. */
export const GRAMMARS: Readonly<Record<EntityKind, KindGrammar>> = {
  runs: {
    prefixes: {
      metric: "metric", metrics: "metric",
      parameter: "param", parameters: "param", param: "param", params: "param",
      tag: "tag", tags: "tag",
      attribute: "attribute", attributes: "attribute", attr: "attribute", run: "attribute",
      dataset: "dataset", datasets: "dataset",
    },
    filterAttributes: {
      run_id: strList, run_name: str, status: str, user_id: str, artifact_uri: str,
      start_time: num, end_time: num,
    },
    // `duration` (end_time − start_time) is Flowbook's extension, so the runs table sorts its
    // Duration column on the server; MLflow's own servers reject it.
    orderAttributes: ["artifact_uri", "duration", "end_time", "run_id", "run_name", "start_time", "status", "user_id"],
    aliases: { created: "start_time", Created: "start_time", "run name": "run_name", "Run name": "run_name", "Run Name": "run_name" },
    timestamp: "start_time",
    orderTypes: ["metric", "param", "tag"],
  },
  experiments: {
    prefixes: REGISTRY_PREFIXES,
    filterAttributes: { name: str, creation_time: num, last_update_time: num },
    orderAttributes: ["creation_time", "experiment_id", "last_update_time", "name"],
    aliases: {},
    timestamp: "creation_time",
    orderTypes: [],
  },
  registered_models: {
    prefixes: REGISTRY_PREFIXES,
    filterAttributes: { name: str },
    orderAttributes: ["creation_timestamp", "last_updated_timestamp", "name"],
    aliases: {},
    timestamp: "last_updated_timestamp",
    orderTypes: [],
  },
  model_versions: {
    prefixes: REGISTRY_PREFIXES,
    filterAttributes: {
      name: str,
      run_id: { value: "string", comparators: ["=", "!=", "LIKE", "ILIKE", "IN"], list: true },
      source_path: str,
      version_number: { ...num, quotedInteger: true },
    },
    orderAttributes: ["creation_timestamp", "last_updated_timestamp", "name", "version_number"],
    aliases: {},
    timestamp: "last_updated_timestamp",
    orderTypes: [],
  },
};

/** Shorthand for the error every grammar violation raises. */
export function invalid(message: string): MlflowError {
  return new MlflowError("INVALID_PARAMETER_VALUE", message);
}

/** Formats a list of names the way MLflow's messages show a Python list. */
export function listing(names: Iterable<string>): string {
  return `[${[...names].map((n) => `'${n}'`).join(", ")}]`;
}

/**
 * Splits identifier parts into a key type and an unquoted key. One part is an attribute; otherwise
 * the first part is the prefix and the rest, joined by dots, the key (so `metrics.a.b` is key
 * `a.b`, as in MLflow's split on the first dot). Aliased attribute keys come back canonical.
 */
export function resolveIdentifier(kind: EntityKind, parts: IdentifierPart[]): { type: KeyType; key: string } {
  const grammar = GRAMMARS[kind];
  if (parts.length === 1) return { type: "attribute", key: canonical(grammar, parts[0]!.text) };
  const prefix = parts[0]!.text;
  const type = grammar.prefixes[prefix];
  if (!type) {
    // MLflow words this differently for runs and for the other kinds.
    throw invalid(
      kind === "runs"
        ? `Invalid entity type '${prefix}'. Valid values are ${listing(["metric", "parameter", "tag", "attribute", "dataset"])}`
        : `Invalid entity type '${prefix}'. Valid entity types are ('attribute', 'tag', 'tags')`,
    );
  }
  const key = parts.slice(1).map((p) => p.text).join(".");
  return { type, key: type === "attribute" ? canonical(grammar, key) : key };
}

function canonical(grammar: KindGrammar, key: string): string {
  return grammar.aliases[key] ?? key;
}

/** All attribute spellings a filter accepts, for "Valid keys are …" messages. */
export function filterKeyNames(kind: EntityKind): string[] {
  const g = GRAMMARS[kind];
  return [...Object.keys(g.filterAttributes), ...Object.keys(g.aliases)].sort();
}
