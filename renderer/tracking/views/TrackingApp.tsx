/**
 * The Tracking tab: experiments sidebar, the open experiment's runs table (kept mounted while a
 * run, compare or registry page is shown, so scroll position and selection survive), run pages,
 * compare and the model registry. Everything live through `api.onStoreChange`. The data comes from
 * `api.source` (this app's store or a remote MLflow server); `connection` lets the user change it.
 * With `location`, the page follows the URL (back/forward) and every move is recorded there.
 */
import { createEffect, createResource, createSignal, Match, on as onChange, onCleanup, onMount, Show, Switch } from "solid-js";
import type { TrackingApi } from "../data/api.ts";
import type { Nav, Route } from "../data/nav.ts";
import { formatHash, type TrackingLocation } from "../data/url-route.ts";
import { ExperimentsSidebar } from "./ExperimentsSidebar.tsx";
import { RunsTable } from "./RunsTable.tsx";
import { SelectedRuns } from "./SelectedRuns.tsx";
import { RunPage } from "./RunPage.tsx";
import { CompareView } from "./CompareView.tsx";
import { ModelsList } from "../registry/ModelsList.tsx";
import { ModelPage } from "../registry/ModelPage.tsx";
import { VersionPage } from "../registry/VersionPage.tsx";
import { loadPlotly } from "../../charts/plotly.ts";

/**
 * The whole tracking UI; mount it as the shell's "Tracking" view, keyed on the api so a new data
 * source starts from a fresh page. `connection` (when the shell can switch sources) opens the
 * connection dialog and reports why refreshing a remote source fails.
 */
export function TrackingApp(props: {
  api: TrackingApi;
  connection?: { open: () => void; error: () => string | null };
  location?: { tracking: () => TrackingLocation; setTracking: (loc: TrackingLocation) => void };
}) {
  const start = props.location?.tracking();
  // The open experiment's id (null until the sidebar picks the most recent one) and its record.
  const [experimentId, setExperimentId] = createSignal<string | null>(start?.experimentId ?? null);
  const [experiment] = createResource(experimentId, (id) => props.api.call("getExperiment", id).catch(() => null));
  const [route, setRoute] = createSignal<Route>(start?.route ?? { page: "experiment" });
  const [selected, setSelected] = createSignal<string[]>([]);
  const [showCharts, setShowCharts] = createSignal(false);
  const nav: Nav = {
    go: setRoute,
    openRun: (runId) => setRoute({ page: "run", runId }),
  };
  // Every move is a place in the URL; back/forward brings the URL's place back here.
  createEffect(onChange([experimentId, route], ([id, r]) => props.location?.setTracking({ experimentId: id, route: r })));
  createEffect(
    onChange(
      () => props.location?.tracking(),
      (loc) => {
        const here = { experimentId: experimentId(), route: route() };
        if (!loc || formatHash({ view: "tracking", tracking: loc }) === formatHash({ view: "tracking", tracking: here })) return;
        if (loc.experimentId !== null && loc.experimentId !== here.experimentId) {
          setExperimentId(loc.experimentId);
          setSelected([]);
        }
        setRoute(loc.route);
      },
      { defer: true },
    ),
  );
  // Plotly takes seconds to parse on a slow machine, in one long task: parse it once the browser is
  // idle, so the first chart opened is quick and the table's first clicks do not wait behind it.
  onMount(() => {
    const idle = requestIdleCallback(() => void loadPlotly(), { timeout: 5000 });
    onCleanup(() => cancelIdleCallback(idle));
  });
  const on = <P extends Route["page"]>(page: P) => {
    const r = route();
    return r.page === page ? (r as Extract<Route, { page: P }>) : false;
  };

  return (
    <div class="tr-app" data-testid="tracking-app">
      <ExperimentsSidebar
        api={props.api}
        selected={experimentId()}
        onSelect={(exp) => {
          setExperimentId(exp.experiment_id);
          setSelected([]);
          setRoute({ page: "experiment" });
        }}
        onModels={() => setRoute({ page: "models" })}
        connection={props.connection}
      />
      <main class="tr-main">
        <div class="tr-experiment" style={{ display: route().page === "experiment" ? "" : "none" }} data-testid="experiment-view">
          <Show when={experiment()} keyed fallback={<div class="tr-muted tr-empty">Choose or create an experiment on the left.</div>}>
            {(exp) => (
              <>
                <div class="tr-page-head">
                  <h2 data-testid="experiment-title">{exp.name}</h2>
                  <span class="tr-muted">id {exp.experiment_id}</span>
                </div>
                <RunsTable
                  api={props.api}
                  experimentIds={[exp.experiment_id]}
                  columnsKey={exp.experiment_id}
                  selected={selected()}
                  onSelect={setSelected}
                  onOpenRun={nav.openRun}
                  onCompare={(ids) => setRoute({ page: "compare", runIds: ids })}
                />
                <Show when={selected().length > 0}>
                  <button data-testid="toggle-selected-charts" onClick={() => setShowCharts(!showCharts())}>
                    {showCharts() ? "Hide" : "Show"} charts of selected runs
                  </button>
                  <Show when={showCharts()}>
                    <SelectedRuns api={props.api} runIds={selected()} />
                  </Show>
                </Show>
              </>
            )}
          </Show>
        </div>
        <Switch>
          <Match when={on("run")} keyed>
            {(r) => <RunPage api={props.api} runId={r.runId} tab={r.tab} nav={nav} />}
          </Match>
          <Match when={on("compare")} keyed>
            {(r) => <CompareView api={props.api} runIds={r.runIds} nav={nav} />}
          </Match>
          <Match when={on("models")}>
            <ModelsList api={props.api} nav={nav} />
          </Match>
          <Match when={on("model")} keyed>
            {(r) => <ModelPage api={props.api} name={r.name} nav={nav} />}
          </Match>
          <Match when={on("version")} keyed>
            {(r) => <VersionPage api={props.api} name={r.name} version={r.version} nav={nav} />}
          </Match>
        </Switch>
      </main>
    </div>
  );
}
