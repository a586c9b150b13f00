/**
 * PostgreSQL's side of `SqlDialect`, and how a shared operation's queries run on a node-postgres
 * client: `?` placeholders become `$1…$n`, and rows come back with BIGINT as JS numbers.
 */
import type pg from "pg";
import type { Query, SqlDialect } from "../sql/index.ts";
import { MlflowError } from "../types.ts";

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

/** character_not_in_repertoire: PostgreSQL text cannot hold NUL, which SQLite stores. */
const NUL_IN_TEXT = "22021";

/**
 * Answers one query of a shared operation on `client`, as the named prepared statement `name` when
 * given (a hot statement whose planning costs more than running it). A value PostgreSQL cannot
 * store (a data exception, class 22: NUL in text, an integer past BIGINT, a fraction where an
 * integer goes) is the caller's bad input, so it is INVALID_PARAMETER_VALUE (a 400), not a server error.
 */
export async function execute(client: pg.ClientBase | pg.Pool, q: Query, name?: string): Promise<unknown> {
  let result: pg.QueryResult;
  try {
    result = await client.query({ name, text: numberPlaceholders(q.sql), values: q.params as unknown[] });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === NUL_IN_TEXT) {
      throw new MlflowError("INVALID_PARAMETER_VALUE", "Text values cannot contain NUL (\\u0000) characters in a PostgreSQL tracking store.");
    }
    if (typeof code === "string" && code.startsWith("22")) {
      throw new MlflowError("INVALID_PARAMETER_VALUE", `Invalid value for a PostgreSQL tracking store: ${(e as Error).message}`);
    }
    throw e;
  }
  switch (q.op) {
    case "all":
      return result.rows;
    case "get":
      return result.rows[0];
    case "run":
      return result.rowCount ?? 0;
  }
}
