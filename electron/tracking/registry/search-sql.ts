/**
 * Compiles parsed registry search clauses and order_by entries to SQL, as MLflow's SQL store
 * does for `registered_models` (alias `m`) and `model_versions` (alias `v`).
 */
import type { Clause, OrderBy } from "../search/index.ts";
import type { SqlDialect } from "../sql/index.ts";
import { MlflowError } from "../types.ts";

/** A WHERE fragment with its positional parameters. */
export interface SqlCondition {
  sql: string;
  params: unknown[];
}

/** One comparison of `column` against a clause's value. */
function compare(d: SqlDialect, column: string, clause: Clause): SqlCondition {
  const { comparator, value } = clause;
  switch (comparator) {
    case "LIKE":
      return d.like(column, String(value));
    case "ILIKE":
      return d.ilike(column, String(value));
    case "IN":
    case "NOT IN": {
      const list = value as string[];
      const marks = list.map(() => "?").join(", ");
      return { sql: `${column} ${comparator} (${marks})`, params: list };
    }
    default:
      return { sql: `${column} ${comparator} ${typeof value === "number" ? d.number : "?"}`, params: [value] };
  }
}

const MODEL_ATTRIBUTES: Readonly<Record<string, string>> = { name: "m.name" };
const VERSION_ATTRIBUTES: Readonly<Record<string, string>> = {
  name: "v.name",
  run_id: "v.run_id",
  source_path: "v.source",
  version_number: "v.version",
};

function attributeColumn(columns: Readonly<Record<string, string>>, key: string): string {
  const column = columns[key];
  if (!column) throw new MlflowError("INVALID_PARAMETER_VALUE", `Invalid attribute name: ${key}`);
  return column;
}

function join(conditions: SqlCondition[]): SqlCondition {
  if (conditions.length === 0) return { sql: "TRUE", params: [] };
  return { sql: conditions.map((c) => `(${c.sql})`).join(" AND "), params: conditions.flatMap((c) => c.params) };
}

/** WHERE conditions over `registered_models m` for the clauses; a missing tag never matches. */
export function modelConditions(d: SqlDialect, clauses: Clause[]): SqlCondition {
  return join(
    clauses.map((clause) => {
      if (clause.type === "tag") {
        const value = compare(d, "t.value", clause);
        return {
          sql: `EXISTS (SELECT 1 FROM registered_model_tags t WHERE t.name = m.name AND t.key = ? AND ${value.sql})`,
          params: [clause.key, ...value.params],
        };
      }
      return compare(d, attributeColumn(MODEL_ATTRIBUTES, clause.key), clause);
    }),
  );
}

/** WHERE conditions over `model_versions v` for the clauses; a missing tag never matches. */
export function versionConditions(d: SqlDialect, clauses: Clause[]): SqlCondition {
  return join(
    clauses.map((clause) => {
      if (clause.type === "tag") {
        const value = compare(d, "t.value", clause);
        return {
          sql: `EXISTS (SELECT 1 FROM model_version_tags t WHERE t.name = v.name AND t.version = v.version AND t.key = ? AND ${value.sql})`,
          params: [clause.key, ...value.params],
        };
      }
      return compare(d, attributeColumn(VERSION_ATTRIBUTES, clause.key), clause);
    }),
  );
}

const MODEL_ORDER: Readonly<Record<string, string>> = {
  name: "m.name",
  creation_timestamp: "m.creation_time",
  last_updated_timestamp: "m.last_updated_time",
};
const VERSION_ORDER: Readonly<Record<string, string>> = {
  name: "v.name",
  version_number: "v.version",
  creation_timestamp: "v.creation_time",
  last_updated_timestamp: "v.last_updated_time",
};

function orderTerms(columns: Readonly<Record<string, string>>, orderBy: OrderBy[]): { terms: string[]; used: Set<string> } {
  const used = new Set<string>();
  const terms = orderBy.map(({ key, ascending }) => {
    const column = attributeColumn(columns, key);
    used.add(column);
    return `${column} ${ascending ? "ASC" : "DESC"}`;
  });
  return { terms, used };
}

/** ORDER BY for models: the requested keys, then name ascending as MLflow's natural order. */
export function modelOrder(orderBy: OrderBy[]): string {
  const { terms, used } = orderTerms(MODEL_ORDER, orderBy);
  if (!used.has("m.name")) terms.push("m.name ASC");
  return terms.join(", ");
}

/**
 * ORDER BY for versions: the requested keys (MLflow's default is newest update first, then name,
 * then highest version), then name ascending and version descending as tie-breakers.
 */
export function versionOrder(orderBy: OrderBy[]): string {
  const requested: OrderBy[] = orderBy.length
    ? orderBy
    : [
        { type: "attribute", key: "last_updated_timestamp", ascending: false },
        { type: "attribute", key: "name", ascending: true },
        { type: "attribute", key: "version_number", ascending: false },
      ];
  const { terms, used } = orderTerms(VERSION_ORDER, requested);
  if (!used.has("v.name")) terms.push("v.name ASC");
  if (!used.has("v.version")) terms.push("v.version DESC");
  return terms.join(", ");
}
