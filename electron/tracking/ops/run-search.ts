/**
 * searchRuns on SQL: the parsed filter becomes WHERE conditions, order_by becomes LEFT JOINs plus
 * ORDER BY (see `runOrder`), paging is LIMIT/OFFSET; only the page's runs are then hydrated, with
 * one query per child table.
 */
import { SEARCH_MAX_RESULTS_DEFAULT, SEARCH_MAX_RESULTS_THRESHOLD } from "../limits.ts";
import { checkMaxResults, decodePageToken, encodePageToken, parseFilter, parseOrderBy, type OrderBy } from "../search/index.ts";
import { all, get, type SqlDialect, type Work } from "../sql/index.ts";
import { MlflowError } from "../types.ts";
import type { Page, Run, SearchRunsRequest } from "../types.ts";
import { loadRuns } from "./entities.ts";
import type { RunRow } from "./rows.ts";
import { runCondition, runOrder, stageCondition, type OrderPart } from "./search-sql.ts";

/** Run searches. */
export class RunSearch {
  constructor(private readonly d: SqlDialect) {}

  /** Full runs for rows already read. */
  hydrate(rows: RunRow[]): Work<Run[]> {
    return loadRuns(this.d, rows);
  }

  /** One page of runs of the given experiments matching the filter, in the requested order. */
  *search(req: SearchRunsRequest): Work<Page<Run>> {
    const max = req.max_results ?? SEARCH_MAX_RESULTS_DEFAULT;
    checkMaxResults(max, SEARCH_MAX_RESULTS_THRESHOLD);
    const offset = decodePageToken(req.page_token);
    const experimentIds = req.experiment_ids ?? [];
    if (!Array.isArray(experimentIds) || experimentIds.some((id) => typeof id !== "string" && typeof id !== "number")) {
      throw new MlflowError("INVALID_PARAMETER_VALUE", "experiment_ids must be a list of experiment id strings");
    }
    const clauses = parseFilter("runs", req.filter);
    const orderBy = parseOrderBy("runs", req.order_by);
    if (experimentIds.length === 0) return { items: [] };
    const ids = experimentIds.map(String).filter((id) => /^\d{1,15}$/.test(id)).map(Number);
    const inExperiments = this.d.oneOf("r.experiment_id", ids, "integer");
    const where = [inExperiments.sql, stageCondition(req.run_view_type ?? "ACTIVE_ONLY", "r")];
    const params: unknown[] = [...inExperiments.params];
    for (const clause of clauses) {
      const part = runCondition(this.d, clause);
      where.push(part.sql);
      params.push(...part.params);
    }
    const [first, ...rest] = orderBy;
    const rows =
      first?.type === "metric" && (yield* this.metricDrives(first.key, ids))
        ? (yield* this.byMetric(first.key, first.ascending, rest, where, params, offset + max + 1)).slice(offset)
        : yield* this.page(`runs r`, runOrder(orderBy), where, params, max + 1, offset);
    const items = yield* loadRuns(this.d, rows.slice(0, max));
    return rows.length > max ? { items, next_page_token: encodePageToken(offset + max) } : { items };
  }

  /**
   * Whether walking the metric's index pays: it visits that key's runs in every experiment, so
   * when the requested experiments hold only a small share of them (a small experiment in a large
   * store), sorting the experiments' own runs is cheaper. Both counts read indexes only.
   */
  private *metricDrives(key: string, experimentIds: number[]): Work<boolean> {
    const count = (row: { n: number } | undefined) => Number(row!.n);
    const inExperiments = this.d.oneOf("experiment_id", experimentIds, "integer");
    const runs = count(yield* get<{ n: number }>(`SELECT COUNT(*) AS n FROM runs WHERE ${inExperiments.sql}`, ...inExperiments.params));
    const withKey = count(yield* get<{ n: number }>("SELECT COUNT(*) AS n FROM latest_metrics WHERE key = ?", key));
    return withKey <= 4 * runs;
  }

  /** Runs from `from` matching `where`, in `order` (its joins added), LIMIT/OFFSET applied. */
  private page(from: string, order: OrderPart, where: string[], params: unknown[], limit: number, offset: number): Work<RunRow[]> {
    const sql = `SELECT r.* FROM ${from} ${order.joins} WHERE ${where.join(" AND ")} ORDER BY ${order.sql} LIMIT ? OFFSET ?`;
    return all<RunRow>(sql, ...order.joinParams, ...params, ...order.params, limit, offset);
  }

  /**
   * The first `limit` matching runs when the first order key is a metric, in MLflow's order: real
   * values, then NaN, then runs without the metric. Each group is its own query; the first two are
   * driven by the (key, is_nan, value) index, so the engine reads runs in value order and stops at
   * `limit` instead of sorting every candidate (only ties on value get sorted by the other keys).
   */
  private *byMetric(key: string, ascending: boolean, rest: OrderBy[], where: string[], params: unknown[], limit: number): Work<RunRow[]> {
    const order = runOrder(rest);
    const rows: RunRow[] = [];
    for (const nan of [0, 1]) {
      if (rows.length >= limit) return rows;
      // CROSS JOIN fixes the index as the outer loop in SQLite, which is what makes the early stop possible.
      const from = `latest_metrics d CROSS JOIN runs r`;
      const conditions = ["d.key = ?", `d.is_nan = ${nan}`, "r.run_uuid = d.run_uuid", ...where];
      const byValue = { ...order, sql: `d.value ${ascending ? "ASC" : "DESC"}, ${order.sql}` };
      rows.push(...(yield* this.page(from, byValue, conditions, [key, ...params], limit - rows.length, 0)));
    }
    if (rows.length >= limit) return rows;
    const missing = ["NOT EXISTS (SELECT 1 FROM latest_metrics d WHERE d.run_uuid = r.run_uuid AND d.key = ?)", ...where];
    rows.push(...(yield* this.page("runs r", order, missing, [key, ...params], limit - rows.length, 0)));
    return rows;
  }
}
