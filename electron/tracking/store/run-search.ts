/**
 * searchRuns on SQL: the parsed filter becomes WHERE conditions, order_by becomes ORDER BY, paging
 * is LIMIT/OFFSET; only the page's runs are then hydrated, with one query per child table.
 */
import type Database from "better-sqlite3";
import { decodePageToken, encodePageToken, parseFilter, parseOrderBy } from "../search/index.ts";
import { MlflowError } from "../types.ts";
import type { Page, Run, SearchRunsRequest } from "../types.ts";
import { RunHydrator } from "./entities.ts";
import { stageCondition } from "./experiments.ts";
import type { RunRow } from "./schema.ts";
import { runCondition, runOrder } from "./search-sql.ts";
import { StatementCache } from "./statement-cache.ts";
import { checkMaxResults } from "./validation.ts";

/** Default and largest page of searchRuns, as MLflow. */
const SEARCH_DEFAULT = 1000;
const SEARCH_MAX = 50_000;

/** Run searches and single-run reads. */
export class RunSearch {
  private readonly statements: StatementCache;
  private readonly hydrator: RunHydrator;

  constructor(db: Database.Database) {
    this.statements = new StatementCache(db);
    this.hydrator = new RunHydrator(db);
  }

  /** Full runs for rows already read. */
  hydrate(rows: RunRow[]): Run[] {
    return this.hydrator.load(rows);
  }

  /** One page of runs of the given experiments matching the filter, in the requested order. */
  search(req: SearchRunsRequest): Page<Run> {
    const max = req.max_results ?? SEARCH_DEFAULT;
    checkMaxResults(max, SEARCH_MAX);
    const offset = decodePageToken(req.page_token);
    const experimentIds = req.experiment_ids ?? [];
    if (!Array.isArray(experimentIds) || experimentIds.some((id) => typeof id !== "string" && typeof id !== "number")) {
      throw new MlflowError("INVALID_PARAMETER_VALUE", "experiment_ids must be a list of experiment id strings");
    }
    const clauses = parseFilter("runs", req.filter);
    const orderBy = parseOrderBy("runs", req.order_by);
    if (experimentIds.length === 0) return { items: [] };
    const where = [
      "r.experiment_id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))",
      stageCondition(req.run_view_type ?? "ACTIVE_ONLY", "r"),
    ];
    const params: unknown[] = [JSON.stringify(experimentIds.map(String).filter((id) => /^\d+$/.test(id)))];
    for (const clause of clauses) {
      const part = runCondition(clause);
      where.push(part.sql);
      params.push(...part.params);
    }
    const order = runOrder(orderBy);
    const sql = `SELECT r.* FROM runs r WHERE ${where.join(" AND ")} ORDER BY ${order.sql} LIMIT ? OFFSET ?`;
    const rows = this.statements.get(sql).all(...params, ...order.params, max + 1, offset) as RunRow[];
    const items = this.hydrator.load(rows.slice(0, max));
    return rows.length > max ? { items, next_page_token: encodePageToken(offset + max) } : { items };
  }
}
