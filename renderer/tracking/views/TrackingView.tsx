/**
 * A tracking view embedded in a notebook cell's output (`{kind: "tracking-view", view, props}`):
 * a live runs table, metric charts or a compare view. Opening a run or comparing shows that page
 * inline under the view, since a cell has no navigation of its own.
 */
import { createMemo, createResource, createSignal, Match, onCleanup, Show, Switch } from "solid-js";
import type { TrackingApi } from "../data/api.ts";
import { errorText } from "../data/api.ts";
import { throttle } from "../data/live.ts";
import type { Nav, Route } from "../data/nav.ts";
import { parseViewSpec, type RunSource } from "./view-props.ts";
import { RunsTable } from "./RunsTable.tsx";
import { RunPage } from "./RunPage.tsx";
import { CompareView } from "./CompareView.tsx";
import { RunCharts } from "../charts/RunCharts.tsx";
import { MAX_CHARTED_RUNS } from "./SelectedRuns.tsx";

/** Experiment ids of a source (names resolved; re-resolved when experiments change). */
function useExperimentIds(api: TrackingApi, source: () => RunSource) {
  const [ids, { refetch }] = createResource(source, async (src) => {
    if ("experimentIds" in src) return src.experimentIds;
    if ("runIds" in src) return [];
    const exp = await api.call("getExperimentByName", src.experimentName);
    if (!exp) throw new Error(`No experiment named "${src.experimentName}" yet.`);
    return [exp.experiment_id];
  });
  const again = throttle(() => void refetch(), 500);
  const off = api.onStoreChange((c) => c.type === "experiment" && ids.error && again());
  onCleanup(() => {
    off();
    again.cancel();
  });
  return ids;
}

/** The runs a metric-chart view draws: given ids, or the newest runs of an experiment (live). */
function useChartRuns(api: TrackingApi, source: () => RunSource, expIds: () => string[] | undefined) {
  const [runs, { refetch }] = createResource(
    () => ({ src: source(), exps: expIds() }),
    async ({ src, exps }) => {
      if ("runIds" in src) return Promise.all(src.runIds.map((id) => api.call("getRun", id)));
      if (!exps?.length) return [];
      const page = await api.call("searchRuns", {
        experiment_ids: exps,
        max_results: MAX_CHARTED_RUNS,
        order_by: ["attributes.start_time DESC"],
      });
      return page.items;
    },
  );
  const again = throttle(() => void refetch(), 1000);
  const off = api.onStoreChange((c) => {
    if (c.type !== "run") return;
    const src = source();
    if ("runIds" in src ? src.runIds.includes(c.run_id) : expIds()?.includes(c.experiment_id)) again();
  });
  onCleanup(() => {
    off();
    again.cancel();
  });
  return runs;
}

/** Renders one cell-requested tracking view ("runs-table", "metric-chart" or "compare"). */
export function TrackingView(props: { api: TrackingApi; view: string; props: Record<string, unknown> }) {
  const spec = createMemo(() => parseViewSpec(props.view, props.props));
  const [inline, setInline] = createSignal<Route | null>(null);
  const [selected, setSelected] = createSignal<string[]>([]);
  const nav: Nav = { go: (r) => setInline(r.page === "experiment" ? null : r), openRun: (runId) => setInline({ page: "run", runId }) };
  const source = createMemo((): RunSource => {
    const s = spec();
    return typeof s !== "string" && s.view !== "compare" ? s.source : { runIds: [] };
  });
  const expIds = useExperimentIds(props.api, source);
  const chartRuns = useChartRuns(props.api, source, () => expIds.latest);
  const ofView = <V extends string>(v: V) => {
    const s = spec();
    return typeof s !== "string" && s.view === v ? (s as Extract<typeof s, { view: V }>) : false;
  };

  return (
    <div class="tr-embed" data-testid="tracking-view" data-view={props.view}>
      <Show when={typeof spec() === "string"}>
        <div class="tr-error" role="alert" data-testid="tracking-view-error">{spec() as string}</div>
      </Show>
      <Show when={expIds.error && typeof spec() !== "string"}>
        <div class="tr-muted" data-testid="tracking-view-waiting">{errorText(expIds.error)}</div>
      </Show>
      <Switch>
        <Match when={ofView("runs-table")}>
          {(s) => (
            <Show when={expIds.latest?.length ? expIds.latest : undefined} keyed>
              {(ids) => (
                <RunsTable
                  api={props.api}
                  experimentIds={ids}
                  columnsKey={`cell.${ids.join(",")}`}
                  initialFilter={s().filter}
                  initialOrderBy={s().orderBy}
                  initialColumns={s().columns}
                  selected={selected()}
                  onSelect={setSelected}
                  onOpenRun={nav.openRun}
                  onCompare={(runIds) => setInline({ page: "compare", runIds })}
                  readOnly
                  height={320}
                />
              )}
            </Show>
          )}
        </Match>
        <Match when={ofView("metric-chart")}>
          {(s) => (
            <Show when={chartRuns.latest}>
              {(runs) => (
                <RunCharts api={props.api} runs={runs()} keys={s().keys} initialOptions={{ xAxis: s().xAxis, smoothing: s().smoothing }} height={280} />
              )}
            </Show>
          )}
        </Match>
        <Match when={ofView("compare")}>{(s) => <CompareView api={props.api} runIds={s().runIds} nav={nav} />}</Match>
      </Switch>
      <Show when={chartRuns.error}><div class="tr-error">{errorText(chartRuns.error)}</div></Show>
      <Switch>
        <Match when={inline()?.page === "run" && (inline() as Extract<Route, { page: "run" }>)} keyed>
          {(r) => (
            <div class="tr-inline-page">
              <button data-testid="inline-close" onClick={() => setInline(null)}>Close run</button>
              <RunPage api={props.api} runId={r.runId} nav={nav} />
            </div>
          )}
        </Match>
        <Match when={inline()?.page === "compare" && (inline() as Extract<Route, { page: "compare" }>)} keyed>
          {(r) => (
            <div class="tr-inline-page">
              <button data-testid="inline-close" onClick={() => setInline(null)}>Close compare</button>
              <CompareView api={props.api} runIds={r.runIds} nav={nav} />
            </div>
          )}
        </Match>
      </Switch>
    </div>
  );
}
