/**
 * The runs table: server-side filter (MLflow grammar) and sort, virtualized rows (only the visible
 * ones exist in the DOM, only the pages scrolled to are fetched), chosen metric/param/tag columns
 * remembered per experiment, nested runs, grouping with min/mean/max aggregates, selection for
 * compare, and lifecycle actions. Live through runs-source's pushed updates.
 */
import { createEffect, createMemo, createSignal, For, Match, on, onCleanup, onMount, Show, Switch } from "solid-js";
import type { TrackingApi } from "../data/api.ts";
import { errorText } from "../data/api.ts";
import { createRunsSource } from "../data/runs-source.ts";
import {
  acceptsOrder, availableColumns, BASE_COLUMNS, columnLabel, columnText, defaultColumns, loadColumns, orderByFor, parseColumn, saveColumns,
  type ColumnId,
} from "../data/columns.ts";
import { tableItems, type TableItem } from "../data/run-tree.ts";
import { virtualWindow } from "../data/virtual-window.ts";
import { formatDuration, formatTime, runDuration } from "../data/format.ts";
import { formatNumber } from "../data/diff.ts";
import { TAG, tagOf } from "../data/types.ts";
import type { GroupKey } from "../data/aggregate.ts";
import { plural } from "../../../electron/common/plural.ts";
import { ColumnChooser } from "./ColumnChooser.tsx";
import { RunsToolbar } from "./RunsToolbar.tsx";

const ROW_HEIGHT = 28;
/** The next page is fetched when the window comes this close (in rows) to the end of the loaded ones. */
const PREFETCH_ROWS = 50;
const BASE_WIDTHS = ["28px", "240px", "90px", "150px", "80px", "110px", "170px"];
/**
 * Base columns before the chosen ones (the checkbox, run name and status): metrics sit right after
 * the name, where they are seen without scrolling sideways; created, duration, user and source follow.
 */
const LEAD = 3;
const storage = () => (typeof localStorage === "undefined" ? undefined : localStorage);

/** A live, virtualized runs table over one or more experiments. */
export function RunsTable(props: {
  api: TrackingApi;
  experimentIds: string[];
  /** Where the column choice is remembered (usually the experiment id). */
  columnsKey: string;
  initialFilter?: string;
  initialOrderBy?: string[];
  initialColumns?: ColumnId[];
  selected: string[];
  onSelect: (ids: string[]) => void;
  onOpenRun: (runId: string) => void;
  onCompare?: (ids: string[]) => void;
  /** Embedded in a notebook cell: no lifecycle actions. */
  readOnly?: boolean;
  height?: number;
}) {
  const [filter, setFilter] = createSignal(props.initialFilter ?? "");
  const [sort, setSort] = createSignal<{ col: ColumnId; asc: boolean } | null>(null);
  const [showDeleted, setShowDeleted] = createSignal(false);
  // The user's choice for this experiment; until there is one, its metrics (see `columns`).
  const [chosen, setChosen] = createSignal<ColumnId[] | undefined>(props.initialColumns ?? loadColumns(storage(), props.columnsKey));
  const [chooserOpen, setChooserOpen] = createSignal(false);
  const [groupBy, setGroupBy] = createSignal<GroupKey | null>(null);
  const [expanded, setExpanded] = createSignal<ReadonlySet<string>>(new Set());
  const [collapsed, setCollapsed] = createSignal<ReadonlySet<string>>(new Set());
  const [scrollTop, setScrollTop] = createSignal(0);
  const [viewport, setViewport] = createSignal(props.height ?? 480);
  const [actionError, setActionError] = createSignal("");

  const orderBy = createMemo(() => {
    const s = sort();
    const clause = s && orderByFor(s.col, s.asc);
    return clause ? [clause] : (props.initialOrderBy ?? []);
  });
  const source = createRunsSource(
    props.api,
    () => ({ experimentIds: props.experimentIds, filter: filter(), orderBy: orderBy(), viewType: showDeleted() ? "DELETED_ONLY" : "ACTIVE_ONLY" }),
    {
      // Group aggregates need every run of the filter; without grouping, pages load as the user scrolls.
      loadAll: () => groupBy() !== null,
      expanded,
      // Read lazily (only when re-querying), after the window below exists.
      visibleEnd: () => win().end,
    },
  );
  const runs = source.rows;
  const available = createMemo(() => availableColumns(runs().slice(0, 2000)));
  const columns = createMemo(() => chosen() ?? defaultColumns(available()));
  const metricColumns = createMemo(() => columns().filter((c) => c.startsWith("metrics:")).map((c) => parseColumn(c).key));
  const items = createMemo(() =>
    tableItems(runs(), { expanded: expanded(), groupBy: groupBy(), collapsed: collapsed(), metricKeys: metricColumns() }),
  );
  const win = createMemo(() => virtualWindow(scrollTop(), viewport(), ROW_HEIGHT, items().length));
  createEffect(() => {
    if (win().end + PREFETCH_ROWS >= items().length) source.loadMore();
  });
  // Flowbook's own order_by keys (duration) are sortable only where the store accepts them.
  const [acceptedOrders, setAcceptedOrders] = createSignal<ReadonlySet<string>>(new Set());
  onMount(() => {
    for (const c of BASE_COLUMNS)
      if (c.extension && c.order)
        void acceptsOrder(props.api, props.experimentIds, c.order).then((ok) => ok && setAcceptedOrders((s) => new Set(s).add(c.order!)));
  });
  const sortable = (col: ColumnId) => {
    const base = BASE_COLUMNS.find((c) => c.id === col);
    return orderByFor(col, true) !== null && !(base?.extension && !acceptedOrders().has(base.order!));
  };
  // Grouped metric cells hold "min / mean / max", so they get room for three numbers.
  const gridTemplate = createMemo(() =>
    [
      ...BASE_WIDTHS.slice(0, LEAD),
      ...columns().map((c) => (groupBy() && c.startsWith("metrics:") ? "260px" : "120px")),
      ...BASE_WIDTHS.slice(LEAD),
    ].join(" "),
  );
  const selectedSet = createMemo(() => new Set(props.selected));

  const toggleColumn = (id: ColumnId) => {
    const next = columns().includes(id) ? columns().filter((c) => c !== id) : [...columns(), id];
    setChosen(next);
    saveColumns(storage(), props.columnsKey, next);
  };
  const toggleSort = (col: ColumnId) => {
    if (!sortable(col)) return;
    const s = sort();
    setSort(s && s.col === col ? { col, asc: !s.asc } : { col, asc: false });
  };
  const toggleIn = (set: ReadonlySet<string>, id: string) => {
    const next = new Set(set);
    if (!next.delete(id)) next.add(id);
    return next;
  };
  const toggleSelected = (id: string) => props.onSelect([...toggleIn(selectedSet(), id)]);

  async function act(method: "deleteRun" | "restoreRun") {
    setActionError("");
    try {
      for (const id of props.selected) await props.api.call(method, id);
      props.onSelect([]);
      source.reload();
    } catch (err) {
      setActionError(errorText(err));
    }
  }
  async function rename(name: string) {
    setActionError("");
    try {
      await props.api.call("updateRun", { run_id: props.selected[0], run_name: name });
    } catch (err) {
      setActionError(errorText(err));
    }
  }

  let scroller!: HTMLDivElement;
  let runsRoot!: HTMLDivElement;
  onMount(() => {
    const ro = new ResizeObserver(() => setViewport(scroller.clientHeight));
    ro.observe(scroller);
    onCleanup(() => ro.disconnect());
  });
  // A new filter or order starts from its first rows, not wherever the old list was scrolled to.
  createEffect(
    on([filter, orderBy, showDeleted], () => {
      scroller.scrollTop = 0;
      setScrollTop(0);
    }, { defer: true }),
  );

  const sortMark = (col: ColumnId) => {
    const s = sort();
    return s && s.col === col ? (s.asc ? " ▲" : " ▼") : "";
  };

  /** A base column's header cell (sortable where the store sorts it). */
  const baseHead = (c: (typeof BASE_COLUMNS)[number]) => (
    <div
      class="tr-cell tr-head-cell"
      classList={{ "tr-sortable": sortable(c.id) }}
      data-testid={`sort-${c.id}`}
      data-sortable={sortable(c.id) ? "true" : "false"}
      title={sortable(c.id) ? undefined : "This tracking server cannot sort by this column"}
      onClick={() => toggleSort(c.id)}
    >
      {c.label}
      {sortMark(c.id)}
    </div>
  );

  const RunRowView = (p: { item: Extract<TableItem, { kind: "run" }> }) => {
    const info = () => p.item.run.info;
    const id = () => info().run_id;
    return (
      <div class="tr-row" classList={{ "tr-row-selected": selectedSet().has(id()) }} style={{ "grid-template-columns": gridTemplate() }} data-testid="runs-row" data-run-id={id()}>
        <div class="tr-cell">
          <input type="checkbox" data-testid="run-select" checked={selectedSet().has(id())} onChange={() => toggleSelected(id())} />
        </div>
        <div class="tr-cell tr-name" style={{ "padding-left": `${p.item.depth * 16 + 4}px` }}>
          <Show when={p.item.childCount > 0}>
            <button class="tr-twisty" data-testid="run-expand" onClick={() => setExpanded(toggleIn(expanded(), id()))}>
              {expanded().has(id()) ? "▾" : "▸"} {p.item.childCount}
            </button>
          </Show>
          <a href="#" data-testid="run-link" onClick={(e) => (e.preventDefault(), props.onOpenRun(id()))}>
            {info().run_name || id()}
          </a>
        </div>
        <div class="tr-cell">
          <span class={`tr-status tr-status-${info().status.toLowerCase()}`} data-testid="run-status">{info().status}</span>
        </div>
        <For each={columns()}>{(c) => <div class="tr-cell tr-num" data-testid={`cell-${c}`}>{columnText(p.item.run, c)}</div>}</For>
        <div class="tr-cell">{formatTime(info().start_time)}</div>
        <div class="tr-cell">{info().status === "RUNNING" ? "running" : formatDuration(runDuration(info(), Date.now()))}</div>
        <div class="tr-cell">{info().user_id}</div>
        <div class="tr-cell" title={tagOf(p.item.run, TAG.source) ?? ""}>{tagOf(p.item.run, TAG.source) ?? ""}</div>
      </div>
    );
  };

  const GroupRowView = (p: { item: Extract<TableItem, { kind: "group" }> }) => (
    <div class="tr-row tr-group-row" style={{ "grid-template-columns": gridTemplate() }} data-testid="runs-group-row">
      <div class="tr-cell">
        <button class="tr-twisty" onClick={() => setCollapsed(toggleIn(collapsed(), p.item.value))}>{collapsed().has(p.item.value) ? "▸" : "▾"}</button>
      </div>
      <div class="tr-cell tr-name" style={{ "grid-column": `2 / span ${LEAD - 1}` }}>
        {groupBy()?.key} = {p.item.value} <span class="tr-muted">({plural(p.item.count, "run")})</span>
      </div>
      <For each={columns()}>
        {(c) => {
          const s = () => (c.startsWith("metrics:") ? p.item.aggregates[parseColumn(c).key] : null);
          return (
            <div class="tr-cell tr-num" title="min / mean / max" data-testid={`group-agg-${c}`}>
              {s() ? `${formatNumber(s()!.min)} / ${formatNumber(s()!.mean)} / ${formatNumber(s()!.max)}` : ""}
            </div>
          );
        }}
      </For>
    </div>
  );

  return (
    <div class="tr-runs" data-testid="runs-table" ref={runsRoot}>
      <RunsToolbar
        filter={filter()}
        onFilter={setFilter}
        filterError={source.error()}
        showDeleted={showDeleted()}
        onShowDeleted={setShowDeleted}
        selected={props.selected}
        readOnly={props.readOnly ?? false}
        onCompare={props.onCompare}
        onDelete={() => void act("deleteRun")}
        onRestore={() => void act("restoreRun")}
        onRename={(name) => void rename(name)}
        onToggleChooser={() => setChooserOpen(!chooserOpen())}
        groupKeys={available()}
        groupBy={groupBy()}
        onGroupBy={setGroupBy}
        count={runs().length}
        complete={source.complete()}
        loading={source.loading()}
        actionError={actionError()}
      />
      <Show when={chooserOpen()}>
        <ColumnChooser
          available={available()}
          chosen={columns()}
          onToggle={toggleColumn}
          onClose={() => setChooserOpen(false)}
          toggle={() => runsRoot.querySelector<HTMLElement>('[data-testid="columns-button"]') ?? undefined}
        />
      </Show>
      <div class="tr-table-scroll" ref={scroller} style={{ height: `${props.height ?? 480}px` }} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} data-testid="runs-scroll">
        <div class="tr-row tr-head" style={{ "grid-template-columns": gridTemplate() }}>
          <div class="tr-cell">
            <input
              type="checkbox"
              data-testid="run-select-all"
              checked={props.selected.length > 0 && props.selected.length === runs().length}
              onChange={(e) => props.onSelect(e.currentTarget.checked ? runs().map((r) => r.info.run_id) : [])}
            />
          </div>
          <For each={BASE_COLUMNS.slice(0, LEAD - 1)}>{baseHead}</For>
          <For each={columns()}>
            {(c) => (
              <div class="tr-cell tr-head-cell tr-sortable" data-testid={`sort-${c}`} onClick={() => toggleSort(c)} title={c}>
                {columnLabel(c)}
                {sortMark(c)}
                <button class="tr-x" title="remove column" onClick={(e) => (e.stopPropagation(), toggleColumn(c))}>×</button>
              </div>
            )}
          </For>
          <For each={BASE_COLUMNS.slice(LEAD - 1)}>{baseHead}</For>
        </div>
        <div style={{ height: `${win().padTop}px` }} />
        <For each={items().slice(win().start, win().end)}>
          {(item) => (
            <Switch>
              <Match when={item.kind === "run" && item}>{(it) => <RunRowView item={it()} />}</Match>
              <Match when={item.kind === "group" && item}>{(it) => <GroupRowView item={it()} />}</Match>
            </Switch>
          )}
        </For>
        <div style={{ height: `${win().padBottom}px` }} />
        <Show when={!source.firstLoading() && !source.error() && runs().length === 0}>
          <div class="tr-empty" data-testid="runs-empty">No runs{filter() ? " match this filter" : " in this experiment yet"}.</div>
        </Show>
      </div>
    </div>
  );
}

