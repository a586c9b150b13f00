/**
 * The runs table's data: a store of runs for one query (experiments, filter, order, view type),
 * loaded page by page, then kept live from `store-changed` pushes — known runs are patched in
 * place, new runs trigger a throttled re-query of the pages up to the visible window.
 */
import { createMemo, createResource, createSignal, onCleanup } from "solid-js";
import { createStore, produce, reconcile, unwrap } from "solid-js/store";
import type { StoreChange } from "../../electron/protocol.ts";
import type { TrackingApi } from "./api.ts";
import type { Page, Run, ViewType } from "./types.ts";
import { frameBatcher, throttle } from "./live.ts";

/** What the table asks the store for. */
export interface RunsQuery {
  experimentIds: string[];
  filter: string;
  orderBy: string[];
  viewType: ViewType;
}

/** A run keyed by id, so `reconcile` merges fresh pages without re-rendering unchanged rows. */
export interface RunRow {
  id: string;
  run: Run;
}

/** Runs fetched per follow-up request; 10,000 runs arrive in about ten round trips. */
export const PAGE_SIZE = 1000;
/** The first request is small: it only has to fill the screen, so the table appears (or re-sorts) fast. */
export const FIRST_PAGE_SIZE = 100;
/** A table never holds more than this many runs (the filter box narrows bigger experiments). */
export const MAX_ROWS = 50_000;
const REFRESH_MS = 500;

const toRow = (run: Run): RunRow => ({ id: run.info.run_id, run });

/**
 * Creates the live runs source for `query`; `visibleEnd` is the last row index on screen, so a
 * re-query covers at least what the user sees.
 */
export function createRunsSource(api: TrackingApi, query: () => RunsQuery, visibleEnd: () => number) {
  const [state, setState] = createStore<{ rows: RunRow[]; complete: boolean }>({ rows: [], complete: false });
  const [loadingMore, setLoadingMore] = createSignal(false);
  // Readers get the plain rows plus this version: tracking 10,000 runs property by property through
  // store proxies costs more than the table's whole render, and every write below bumps it.
  const [version, setVersion] = createSignal(0);
  const write: typeof setState = ((...args: unknown[]) => {
    (setState as (...a: unknown[]) => void)(...args);
    setVersion((v) => v + 1);
  }) as typeof setState;
  const stableQuery = createMemo(query, undefined, { equals: (a, b) => JSON.stringify(a) === JSON.stringify(b) });
  let generation = 0;

  const search = (q: RunsQuery, token: string | undefined, size = PAGE_SIZE) =>
    api.call<Page<Run>>("searchRuns", [
      {
        experiment_ids: q.experimentIds,
        filter: q.filter || undefined,
        order_by: q.orderBy.length ? q.orderBy : undefined,
        run_view_type: q.viewType,
        max_results: size,
        page_token: token,
      },
    ]);

  async function loadRest(q: RunsQuery, gen: number, token: string | undefined) {
    setLoadingMore(true);
    try {
      while (token && gen === generation && state.rows.length < MAX_ROWS) {
        const page = await search(q, token);
        if (gen !== generation) return;
        write("rows", produce((rows) => rows.push(...page.items.map(toRow))));
        token = page.next_page_token;
      }
      if (gen === generation) setState("complete", !token);
    } finally {
      if (gen === generation) setLoadingMore(false);
    }
  }

  const [first] = createResource(
    () => (stableQuery().experimentIds.length ? stableQuery() : undefined),
    async (q) => {
      const gen = ++generation;
      const page = await search(q, undefined, FIRST_PAGE_SIZE);
      if (gen !== generation) return 0;
      // A new filter or order reorders everything: replace, since diffing 10,000 rows buys nothing.
      write({ rows: page.items.map(toRow), complete: !page.next_page_token });
      void loadRest(q, gen, page.next_page_token);
      return page.items.length;
    },
  );

  /** Re-queries pages until the visible window is covered and splices them over the head. */
  async function refreshHead() {
    const q = stableQuery();
    const gen = generation;
    const fresh: Run[] = [];
    let token: string | undefined;
    do {
      const page = await search(q, token);
      if (gen !== generation) return;
      fresh.push(...page.items);
      token = page.next_page_token;
    } while (token && fresh.length < visibleEnd() + 1);
    const ids = new Set(fresh.map((r) => r.info.run_id));
    const rest = token ? unwrap(state.rows).slice(fresh.length).filter((r) => !ids.has(r.id)) : [];
    write("rows", reconcile([...fresh.map(toRow), ...rest], { key: "id" }));
  }
  const refresh = throttle(() => void refreshHead(), REFRESH_MS);

  async function patchRuns(ids: string[]) {
    const runs = await Promise.all(ids.map((id) => api.call<Run>("getRun", [id]).catch(() => null)));
    const view = stableQuery().viewType;
    write(
      "rows",
      produce((rows) => {
        for (const run of runs) {
          if (!run) continue;
          const i = rows.findIndex((r) => r.id === run.info.run_id);
          if (i < 0) continue;
          const hidden = (view === "ACTIVE_ONLY" && run.info.lifecycle_stage === "deleted") || (view === "DELETED_ONLY" && run.info.lifecycle_stage === "active");
          if (hidden) rows.splice(i, 1);
          else rows[i] = { id: run.info.run_id, run };
        }
      }),
    );
  }

  const batcher = frameBatcher<StoreChange>((changes) => {
    const exps = new Set(stableQuery().experimentIds);
    const known = new Map(unwrap(state.rows).map((r, i) => [r.id, i]));
    const toPatch = new Set<string>();
    let unknown = false;
    const metricChanges: Extract<StoreChange, { type: "metrics" }>[] = [];
    for (const c of changes) {
      if (c.type === "run" && exps.has(c.experiment_id)) {
        if (known.has(c.run_id)) toPatch.add(c.run_id);
        else unknown = true;
      } else if (c.type === "metrics" && known.has(c.run_id)) metricChanges.push(c);
      else if (c.type === "metrics" && exps.has(c.experiment_id)) unknown = true;
    }
    if (metricChanges.length)
      write(
        "rows",
        produce((rows) => {
          for (const c of metricChanges) {
            const i = known.get(c.run_id)!;
            const latest = rows[i].run.data.metrics;
            for (const m of c.metrics) {
              const j = latest.findIndex((x) => x.key === m.key);
              if (j < 0) latest.push({ ...m });
              else if (m.step > latest[j].step || (m.step === latest[j].step && m.timestamp >= latest[j].timestamp)) latest[j] = { ...m };
            }
          }
        }),
      );
    if (toPatch.size) void patchRuns([...toPatch]);
    // A filter or sort on a metric may move runs: re-query when metrics change under one.
    const q = stableQuery();
    if (unknown || (metricChanges.length && (q.filter || q.orderBy.some((o) => o.startsWith("metrics."))))) refresh();
  });
  const off = api.onStoreChange((c) => batcher.push(c));
  onCleanup(() => {
    off();
    batcher.dispose();
    refresh.cancel();
  });

  return {
    /** The loaded runs, in server order. */
    rows: () => (version(), unwrap(state.rows)),
    /** Whether every run of the query is loaded. */
    complete: () => state.complete,
    /** Whether further pages are still arriving. */
    loadingMore,
    /** The first page's request (its error is the filter's error). */
    first,
    /** Re-queries now (after an action of this view). */
    reload: () => void refreshHead(),
  };
}
