/**
 * The runs table's data for one query (experiments, filter, order, view type). Only the pages the
 * table has scrolled to are fetched, in the store's order (order_by, max_results + page_token), so
 * opening or re-sorting a 10,000-run experiment costs one small request; grouping asks for every
 * page, since its aggregates need all runs. Runs outside the paged order are added where nesting
 * needs them: the missing parents of loaded children, and every child of an expanded run. Kept
 * live from `store-changed` pushes: loaded runs are patched in place, new runs trigger a throttled
 * re-query of the loaded head.
 */
import { batch, createEffect, createMemo, createSignal, on, onCleanup, untrack } from "solid-js";
import type { StoreChange } from "../../../electron/tracking/contract.ts";
import type { TrackingApi } from "./api.ts";
import { errorText } from "./api.ts";
import type { Metric, Run, ViewType } from "./types.ts";
import { frameBatcher, throttle } from "./live.ts";
import { missingParents } from "./run-tree.ts";
import { childrenFilter, mergeLatest, runsFilter } from "./run-rows.ts";

/** What the table asks the store for. */
export interface RunsQuery {
  experimentIds: string[];
  filter: string;
  orderBy: string[];
  viewType: ViewType;
}

/** The first request only has to fill the screen, so the table appears (or re-sorts) fast. */
export const FIRST_PAGE_SIZE = 100;
/** Runs per further request, made as the user scrolls near the end of what is loaded. */
export const PAGE_SIZE = 500;
/** A table never holds more than this many runs (the filter box narrows bigger experiments). */
export const MAX_ROWS = 50_000;
const REFRESH_MS = 500;

const idOf = (run: Run) => run.info.run_id;

/**
 * Creates the live runs source for `query`. `loadAll` asks for every page (grouping);
 * `expanded` are the runs whose children must all be loaded; `visibleEnd` is the last row index
 * on screen, so a re-query covers at least what the user sees.
 */
export function createRunsSource(
  api: TrackingApi,
  query: () => RunsQuery,
  opts: { loadAll: () => boolean; expanded: () => ReadonlySet<string>; visibleEnd: () => number },
) {
  const stableQuery = createMemo(query, undefined, { equals: (a, b) => JSON.stringify(a) === JSON.stringify(b) });
  /** Runs of the paged order, and runs fetched beside it for nesting (one in both shows in its paged place). */
  const [paged, setPaged] = createSignal<Run[]>([]);
  const [extra, setExtra] = createSignal<Run[]>([]);
  const [complete, setComplete] = createSignal(false);
  const [firstLoading, setFirstLoading] = createSignal(false);
  const [pageLoading, setPageLoading] = createSignal(false);
  const [error, setError] = createSignal("");
  // Per query: bumping `generation` makes every answer to an older query's request be dropped.
  let generation = 0;
  let token: string | undefined;
  let pageInFlight = false;
  let askedParents = new Set<string>();
  let childrenAsked = new Set<string>();

  const rows = createMemo(() => {
    const ext = extra();
    if (ext.length === 0) return paged();
    const ids = new Set(paged().map(idOf));
    return [...paged(), ...ext.filter((r) => !ids.has(idOf(r)))];
  });

  const search = (q: RunsQuery, filter: string, size: number, pageToken?: string) =>
    api.call("searchRuns", {
      experiment_ids: q.experimentIds,
      filter: filter || undefined,
      order_by: q.orderBy.length ? q.orderBy : undefined,
      run_view_type: q.viewType,
      max_results: size,
      page_token: pageToken,
    });

  /** Runs a request of the current query in the background; its failure shows as the table's error. */
  const background = (gen: number, task: () => Promise<void>) =>
    void task().catch((err: unknown) => {
      if (gen === generation) setError(errorText(err));
    });

  const addExtra = (runs: Run[]) => {
    const have = new Set(untrack(rows).map(idOf));
    const fresh = runs.filter((r) => !have.has(idOf(r)));
    if (fresh.length) setExtra((e) => [...e, ...fresh]);
  };

  /** Fetches the parents (and their parents) of loaded children, so children never sit at the top level. */
  async function addMissingParents(gen: number) {
    while (gen === generation) {
      const ids = missingParents(untrack(rows)).filter((id) => !askedParents.has(id));
      ids.forEach((id) => askedParents.add(id));
      const q = stableQuery();
      const filter = runsFilter(q.filter, ids);
      if (!filter) return;
      const page = await search(q, filter, ids.length);
      if (gen !== generation) return;
      addExtra(page.items);
    }
  }

  /** Fetches every child of an expanded run, including those on pages not loaded yet. */
  async function addChildren(gen: number, parentId: string) {
    childrenAsked.add(parentId);
    const q = stableQuery();
    const filter = childrenFilter(q.filter, parentId);
    if (!filter) return;
    const found: Run[] = [];
    let pageToken: string | undefined;
    do {
      const page = await search(q, filter, PAGE_SIZE, pageToken);
      if (gen !== generation) return;
      found.push(...page.items);
      pageToken = page.next_page_token;
    } while (pageToken && found.length < MAX_ROWS);
    addExtra(found);
  }

  async function start(q: RunsQuery) {
    const gen = ++generation;
    token = undefined;
    pageInFlight = false;
    setPageLoading(false);
    if (!q.experimentIds.length) {
      batch(() => {
        setPaged([]);
        setExtra([]);
        setComplete(true);
      });
      return;
    }
    setFirstLoading(true);
    try {
      const page = await search(q, q.filter, FIRST_PAGE_SIZE);
      if (gen !== generation) return;
      token = page.next_page_token;
      askedParents = new Set();
      childrenAsked = new Set();
      // A new filter or order reorders everything: replace, since diffing thousands of rows buys nothing.
      batch(() => {
        setPaged(page.items);
        setExtra([]);
        setComplete(!token);
        setError("");
      });
    } catch (err) {
      if (gen !== generation) return;
      batch(() => {
        setPaged([]);
        setExtra([]);
        setComplete(true);
        setError(errorText(err));
      });
      return;
    } finally {
      if (gen === generation) setFirstLoading(false);
    }
    background(gen, () => addMissingParents(gen));
  }

  /** Fetches the next page unless one is on its way or all are loaded; while `loadAll`, goes on to the end. */
  function loadMore() {
    const gen = generation;
    if (pageInFlight || !token || untrack(paged).length >= MAX_ROWS) return;
    const q = stableQuery();
    pageInFlight = true;
    setPageLoading(true);
    background(gen, async () => {
      try {
        const page = await search(q, q.filter, PAGE_SIZE, token);
        if (gen !== generation) return;
        token = page.next_page_token;
        // Runs inserted meanwhile shift offsets, so a run may come again: keep its first place.
        const have = new Set(untrack(paged).map(idOf));
        batch(() => {
          setPaged((p) => [...p, ...page.items.filter((r) => !have.has(idOf(r)))]);
          setComplete(!token);
        });
      } finally {
        if (gen === generation) {
          pageInFlight = false;
          setPageLoading(false);
        }
      }
      await addMissingParents(gen);
      if (gen === generation && opts.loadAll()) loadMore();
    });
  }

  /**
   * Re-queries the loaded head through the visible window in one request. When that covers every
   * loaded run it replaces them; otherwise runs below it are kept as they were (deduplicated).
   */
  async function refreshHead() {
    const q = stableQuery();
    const gen = generation;
    const loaded = untrack(paged);
    const size = Math.min(MAX_ROWS, Math.max(FIRST_PAGE_SIZE, Math.min(loaded.length, opts.visibleEnd() + FIRST_PAGE_SIZE)));
    const page = await search(q, q.filter, size);
    if (gen !== generation) return;
    if (size >= loaded.length) {
      token = page.next_page_token;
      batch(() => {
        setPaged(page.items);
        setComplete(!token);
      });
    } else {
      const ids = new Set(page.items.map(idOf));
      setPaged([...page.items, ...untrack(paged).slice(size).filter((r) => !ids.has(idOf(r)))]);
    }
    await addMissingParents(gen);
  }
  const refresh = throttle(() => background(generation, refreshHead), REFRESH_MS);

  /** Applies `change` to every loaded run (null removes it). */
  const update = (change: (run: Run) => Run | null) => {
    const apply = (runs: Run[]) => {
      const next = runs.map(change);
      return next.every((r, i) => r === runs[i]) ? runs : next.filter((r): r is Run => r !== null);
    };
    batch(() => {
      setPaged(apply);
      setExtra(apply);
    });
  };

  async function patchRuns(ids: string[]) {
    const gen = generation;
    const runs = await Promise.all(ids.map((id) => api.call("getRun", id).catch(() => null)));
    if (gen !== generation) return;
    const fresh = new Map(runs.filter((r): r is Run => r !== null).map((r) => [idOf(r), r]));
    const view = stableQuery().viewType;
    update((run) => {
      const next = fresh.get(idOf(run));
      if (!next) return run;
      const stage = next.info.lifecycle_stage;
      const hidden = (view === "ACTIVE_ONLY" && stage === "deleted") || (view === "DELETED_ONLY" && stage === "active");
      return hidden ? null : next;
    });
  }

  const batcher = frameBatcher<StoreChange>((changes) => {
    const q = stableQuery();
    const exps = new Set(q.experimentIds);
    const known = new Set(untrack(rows).map(idOf));
    const toPatch = new Set<string>();
    const points = new Map<string, Metric[]>();
    let unknown = false;
    for (const c of changes) {
      if (c.type === "run" && exps.has(c.experiment_id)) {
        if (known.has(c.run_id)) toPatch.add(c.run_id);
        else unknown = true;
      } else if (c.type === "metrics" && known.has(c.run_id)) points.set(c.run_id, [...(points.get(c.run_id) ?? []), ...c.metrics]);
      else if (c.type === "metrics" && exps.has(c.experiment_id)) unknown = true;
    }
    if (points.size) update((run) => (points.has(idOf(run)) ? mergeLatest(run, points.get(idOf(run))!) : run));
    if (toPatch.size) void patchRuns([...toPatch]);
    // A filter or sort on a metric may move runs: re-query when metrics change under one.
    if (unknown || (points.size && (q.filter || q.orderBy.some((o) => o.startsWith("metrics."))))) refresh();
  });
  const off = api.onStoreChange((c) => batcher.push(c));
  onCleanup(() => {
    off();
    batcher.dispose();
    refresh.cancel();
  });

  createEffect(on(stableQuery, (q) => void start(q)));
  // Grouping turned on, or a new query's first page arrived while grouping: load the rest.
  createEffect(() => {
    if (opts.loadAll() && !firstLoading()) untrack(loadMore);
  });
  // Expanding a run loads its children; a new query's first page (paged changes) loads them again.
  createEffect(
    on([opts.expanded, paged], ([expanded]) => {
      const gen = generation;
      for (const id of expanded) if (!childrenAsked.has(id)) background(gen, () => addChildren(gen, id));
    }),
  );

  return {
    /** The loaded runs: the paged ones in the store's order, then runs fetched for nesting. */
    rows,
    /** Whether every run of the query is loaded. */
    complete,
    /** Whether the first page is on its way (a new query). */
    firstLoading,
    /** Whether any page is on its way. */
    loading: () => firstLoading() || pageLoading(),
    /** The store's refusal of the query (a bad filter) or of a later request; "" when none. */
    error,
    /** Fetches the next page (the table scrolled near the end of the loaded runs). */
    loadMore: () => untrack(loadMore),
    /** Re-queries now (after an action of this view). */
    reload: () => background(generation, refreshHead),
  };
}
