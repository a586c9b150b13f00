/**
 * Compiles parsed search clauses and order_by entries into SQL over the tracking tables, so
 * filtering, sorting and paging happen in SQLite on indexes instead of over runs loaded in memory.
 * Each clause becomes one condition on the outer row (`r` for runs, `e` for experiments); values are
 * always bound parameters, never spliced into the text.
 */
import type { Clause, OrderBy } from "../search/index.ts";
import type { SqlDialect, SqlPart } from "../sql/index.ts";
import { MlflowError } from "../types.ts";

export type { SqlPart } from "../sql/index.ts";

/** A string comparison on `column`: `=`, `!=`, case-sensitive LIKE, ILIKE, IN and NOT IN lists. */
function stringCondition(d: SqlDialect, column: string, comparator: Clause["comparator"], value: Clause["value"]): SqlPart {
  switch (comparator) {
    case "=":
    case "!=":
      return { sql: `${column} ${comparator} ?`, params: [value] };
    case "LIKE":
      return d.like(column, String(value));
    case "ILIKE":
      return d.ilike(column, String(value));
    case "IN":
    case "NOT IN":
      return d.oneOf(column, value as string[], "text", comparator === "NOT IN");
    default:
      throw new MlflowError("INVALID_PARAMETER_VALUE", `Invalid comparator '${comparator}' for a string value`);
  }
}

function numericCondition(d: SqlDialect, column: string, comparator: Clause["comparator"], value: Clause["value"]): SqlPart {
  if (!["=", "!=", ">", ">=", "<", "<="].includes(comparator) || typeof value !== "number") {
    throw new MlflowError("INVALID_PARAMETER_VALUE", `Invalid comparator '${comparator}' for a numeric value`);
  }
  return { sql: `${column} ${comparator} ${d.number}`, params: [value] };
}

/** The SQL condition selecting a view type's lifecycle stages on table alias `alias`. */
export function stageCondition(viewType: string, alias: string): string {
  switch (viewType) {
    case "ACTIVE_ONLY":
      return `${alias}.lifecycle_stage = 'active'`;
    case "DELETED_ONLY":
      return `${alias}.lifecycle_stage = 'deleted'`;
    case "ALL":
      return "TRUE";
    default:
      throw new MlflowError("INVALID_PARAMETER_VALUE", `Invalid view type '${viewType}'. Valid values are ACTIVE_ONLY, DELETED_ONLY, ALL`);
  }
}

const RUN_ATTRIBUTE_COLUMNS: Record<string, string> = {
  run_id: "r.run_uuid",
  run_name: "r.name",
  status: "r.status",
  user_id: "r.user_id",
  artifact_uri: "r.artifact_uri",
  start_time: "r.start_time",
  end_time: "r.end_time",
};

/**
 * What runs may be ordered by: the attributes, plus Flowbook's `duration` (end_time − start_time).
 * A run without end_time (still running) has no duration, so it sorts last in either direction,
 * like a missing value, and pages stay stable while it runs.
 */
const RUN_ORDER_COLUMNS: Record<string, string> = { ...RUN_ATTRIBUTE_COLUMNS, duration: "(r.end_time - r.start_time)" };

const DATASET_COLUMNS: Record<string, string> = { name: "d.name", digest: "d.digest", context: "it.value" };

function attributeColumn(columns: Record<string, string>, key: string): string {
  const column = columns[key];
  if (!column) throw new MlflowError("INVALID_PARAMETER_VALUE", `Invalid attribute key '${key}' specified.`);
  return column;
}

/** One run filter clause as a condition on `runs r`; a missing metric, param or tag never matches. */
export function runCondition(d: SqlDialect, clause: Clause): SqlPart {
  const { type, key, comparator, value } = clause;
  switch (type) {
    case "metric": {
      const cond = numericCondition(d, "m.value", comparator, value);
      // NaN is stored as 0 + is_nan; like a float NaN it is only ever "not equal" to a number.
      const nan = comparator === "!=" ? "(m.is_nan = 1 OR " + cond.sql + ")" : "(m.is_nan = 0 AND " + cond.sql + ")";
      return {
        sql: `EXISTS (SELECT 1 FROM latest_metrics m WHERE m.run_uuid = r.run_uuid AND m.key = ? AND ${nan})`,
        params: [key, ...cond.params],
      };
    }
    case "param":
    case "tag": {
      const table = type === "param" ? "params" : "tags";
      const cond = stringCondition(d, "p.value", comparator, value);
      return {
        sql: `EXISTS (SELECT 1 FROM ${table} p WHERE p.run_uuid = r.run_uuid AND p.key = ? AND ${cond.sql})`,
        params: [key, ...cond.params],
      };
    }
    case "attribute": {
      const column = attributeColumn(RUN_ATTRIBUTE_COLUMNS, key);
      return key === "start_time" || key === "end_time"
        ? numericCondition(d, column, comparator, value)
        : stringCondition(d, column, comparator, value);
    }
    case "dataset": {
      const cond = stringCondition(d, attributeColumn(DATASET_COLUMNS, key), comparator, value);
      const context =
        key === "context"
          ? "JOIN input_tags it ON it.run_uuid = i.run_uuid AND it.dataset_uuid = i.dataset_uuid AND it.key = 'mlflow.data.context'"
          : "";
      return {
        sql:
          "EXISTS (SELECT 1 FROM run_inputs i JOIN datasets d ON d.dataset_uuid = i.dataset_uuid " +
          `${context} WHERE i.run_uuid = r.run_uuid AND ${cond.sql})`,
        params: cond.params,
      };
    }
  }
}

/** ORDER BY terms with the LEFT JOINs they sort on; join parameters bind before the WHERE ones. */
export interface OrderPart extends SqlPart {
  joins: string;
  joinParams: unknown[];
}

/**
 * ORDER BY terms for runs: each requested key with missing values last in either direction
 * (NaN metrics just before them), then MLflow's tie-breakers start_time DESC and run_id. A metric,
 * param or tag key is one LEFT JOIN on its (run_uuid, key) primary key — at most one row per run,
 * so no run repeats — instead of correlated subqueries evaluated per candidate row.
 */
export function runOrder(orderBy: OrderBy[]): OrderPart {
  const terms: string[] = [];
  const joins: string[] = [];
  const joinParams: unknown[] = [];
  let hasStart = false;
  let hasId = false;
  for (const { type, key, ascending } of orderBy) {
    const direction = ascending ? "ASC" : "DESC";
    if (type === "metric" || type === "param" || type === "tag") {
      const alias = `o${joins.length}`;
      const table = type === "metric" ? "latest_metrics" : type === "param" ? "params" : "tags";
      joins.push(`LEFT JOIN ${table} ${alias} ON ${alias}.run_uuid = r.run_uuid AND ${alias}.key = ?`);
      joinParams.push(key);
      // As MLflow: real values first, then NaN (metrics only), then runs without the key, in either direction.
      if (type === "metric") terms.push(`COALESCE(${alias}.is_nan, 2)`, `${alias}.value ${direction}`);
      else terms.push(`${alias}.value IS NULL`, `${alias}.value ${direction}`);
    } else if (type === "attribute") {
      const column = attributeColumn(RUN_ORDER_COLUMNS, key);
      terms.push(`${column} IS NULL`, `${column} ${direction}`);
      hasStart ||= key === "start_time";
      hasId ||= key === "run_id";
    } else {
      throw new MlflowError("INVALID_PARAMETER_VALUE", `Invalid order_by entity type '${type}'`);
    }
  }
  if (!hasStart) terms.push("r.start_time DESC");
  if (!hasId) terms.push("r.run_uuid ASC");
  return { sql: terms.join(", "), params: [], joins: joins.join(" "), joinParams };
}

const EXPERIMENT_COLUMNS: Record<string, string> = {
  name: "e.name",
  creation_time: "e.creation_time",
  last_update_time: "e.last_update_time",
  experiment_id: "e.experiment_id",
};

/** One experiment filter clause (name, creation_time, last_update_time, tags) on `experiments e`. */
export function experimentCondition(d: SqlDialect, clause: Clause): SqlPart {
  const { type, key, comparator, value } = clause;
  if (type === "tag") {
    const cond = stringCondition(d, "t.value", comparator, value);
    return {
      sql: `EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.experiment_id AND t.key = ? AND ${cond.sql})`,
      params: [key, ...cond.params],
    };
  }
  const column = attributeColumn(EXPERIMENT_COLUMNS, key);
  return key === "name" ? stringCondition(d, column, comparator, value) : numericCondition(d, column, comparator, value);
}

/** ORDER BY terms for experiments, defaulting to creation_time DESC then experiment_id, as MLflow. */
export function experimentOrder(orderBy: OrderBy[]): string {
  const terms = orderBy.map(({ key, ascending }) => `${attributeColumn(EXPERIMENT_COLUMNS, key)} ${ascending ? "ASC" : "DESC"}`);
  if (orderBy.length === 0) terms.push("e.creation_time DESC");
  if (!orderBy.some((o) => o.key === "experiment_id")) terms.push("e.experiment_id ASC");
  return terms.join(", ");
}
