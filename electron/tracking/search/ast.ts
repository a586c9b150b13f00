/**
 * The parsed form of MLflow search filters and order_by clauses, shared by every entity kind.
 * The parser (this folder) validates identifiers and values per kind; the store compiles
 * clauses to SQL. Keeping the AST plain data lets both sides be tested alone.
 */

/** What is being searched: each kind allows different identifiers and operators. */
export type EntityKind = "runs" | "experiments" | "registered_models" | "model_versions";

export type Comparator = "=" | "!=" | ">" | ">=" | "<" | "<=" | "LIKE" | "ILIKE" | "IN" | "NOT IN";

/** Identifier type after alias resolution (`metrics.` → metric, `params.` → param, `attr.` → attribute, …). */
export type KeyType = "metric" | "param" | "tag" | "attribute" | "dataset";

/**
 * One `AND`-joined comparison. `key` is unquoted; attribute keys are canonical
 * (`run_name`, `start_time`, `end_time`, `status`, `run_id`, `user_id`, `artifact_uri`, `name`,
 * `creation_time`, `last_update_time`, `version_number`, `source_path`, …); `created` → `start_time`.
 * `value` is a number for numeric comparisons, a string for string ones, a list for IN / NOT IN.
 */
export interface Clause {
  type: KeyType;
  key: string;
  comparator: Comparator;
  value: number | string | string[];
}

/** One order_by entry; `timestamp` alone means the kind's time attribute. */
export interface OrderBy {
  type: KeyType;
  key: string;
  ascending: boolean;
}
