/**
 * PostgreSQL's side of `SqlDialect`, and how a shared operation's queries run on a node-postgres
 * client: `?` placeholders become `$1…$n`, and rows come back with BIGINT as JS numbers.
 */
import type pg from "pg";
import type { Query, SqlDialect } from "../sql/index.ts";

/**
 * PostgreSQL: LIKE is case-sensitive already and ILIKE exists; ESCAPE '' keeps backslash a plain
 * character, as in MLflow's patterns on SQLite. Lists bind as one array parameter.
 */
export const POSTGRES: SqlDialect = {
  like: (column, pattern) => ({ sql: `${column} LIKE ? ESCAPE ''`, params: [pattern] }),
  ilike: (column, pattern) => ({ sql: `${column} ILIKE ? ESCAPE ''`, params: [pattern] }),
  oneOf: (column, values, kind, negate = false) => ({
    sql: `${negate ? "NOT " : ""}(${column} = ANY(CAST(? AS ${kind === "integer" ? "BIGINT" : "TEXT"}[])))`,
    params: [values],
  }),
  // A double, so a fraction compares with a BIGINT column (and NaN/Infinity bind) as on SQLite.
  number: "CAST(? AS DOUBLE PRECISION)",
};

/** Converted texts by source text: the same few hundred statements run over and over. */
const numbered = new Map<string, string>();
const MAX_NUMBERED = 1024;

/** `sql` with each `?` outside a quoted literal as `$1`, `$2`, … */
export function numberPlaceholders(sql: string): string {
  let text = numbered.get(sql);
  if (text !== undefined) return text;
  let n = 0;
  let quoted = false;
  text = "";
  for (const ch of sql) {
    if (ch === "'") quoted = !quoted;
    text += ch === "?" && !quoted ? `$${++n}` : ch;
  }
  if (numbered.size >= MAX_NUMBERED) numbered.delete(numbered.keys().next().value!);
  numbered.set(sql, text);
  return text;
}

/** BIGINT (int8) as a JS number: ids, ms timestamps and steps fit in 2^53, as in the contract. */
const INT8 = 20;

/** Per-pool type parsers (no global change to `pg.types`, which other code may rely on). */
export function typeParsers(types: typeof pg.types): pg.CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: string) =>
      oid === INT8 && format !== "binary" ? (v: string) => Number(v) : types.getTypeParser(oid, format as "text")) as pg.CustomTypesConfig["getTypeParser"],
  };
}

/** Answers one query of a shared operation on `client`. */
export async function execute(client: pg.ClientBase | pg.Pool, q: Query): Promise<unknown> {
  const result = await client.query(numberPlaceholders(q.sql), q.params as unknown[]);
  switch (q.op) {
    case "all":
      return result.rows;
    case "get":
      return result.rows[0];
    case "run":
      return result.rowCount ?? 0;
  }
}
