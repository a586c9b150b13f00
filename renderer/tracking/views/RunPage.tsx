/**
 * A run's page: overview, metric charts and artifacts. The run re-reads itself (throttled) when the
 * store pushes a change for it, so status, latest metrics and tags stay current without polling.
 */
import { createResource, createSignal, Match, onCleanup, Show, Switch } from "solid-js";
import type { TrackingApi } from "../data/api.ts";
import { errorText } from "../data/api.ts";
import type { Run } from "../data/types.ts";
import { throttle } from "../data/live.ts";
import type { Nav } from "../data/nav.ts";
import { RunOverview } from "./RunOverview.tsx";
import { RunCharts } from "../charts/RunCharts.tsx";
import { ArtifactBrowser } from "./ArtifactBrowser.tsx";

type Tab = "overview" | "charts" | "artifacts";

/** Finished runs of the same experiment: candidates for the ghost curve while this run trains. */
export function finishedRunsOf(api: TrackingApi, experimentId: string): Promise<Run[]> {
  return api
    .call("searchRuns", {
      experiment_ids: [experimentId],
      filter: "attributes.status = 'FINISHED'",
      max_results: 1000,
      order_by: ["attributes.start_time DESC"],
    })
    .then((p) => p.items);
}

/** The run page for `runId`. */
export function RunPage(props: { api: TrackingApi; runId: string; tab?: Tab; nav: Nav }) {
  const [tab, setTab] = createSignal<Tab>(props.tab ?? "overview");
  const [run, { refetch }] = createResource(() => props.runId, (id) => props.api.call("getRun", id));
  const [ghosts] = createResource(
    () => (run.latest?.info.status === "RUNNING" ? run.latest.info.experiment_id : undefined),
    (exp) => finishedRunsOf(props.api, exp),
  );
  const reread = throttle(() => void refetch(), 500);
  const off = props.api.onStoreChange((c) => {
    if ((c.type === "run" || c.type === "metrics") && c.run_id === props.runId) reread();
  });
  onCleanup(() => {
    off();
    reread.cancel();
  });

  return (
    <div class="tr-run-page" data-testid="run-page">
      <Show when={run.error && !run.latest}>
        <div class="tr-error" role="alert">{errorText(run.error)}</div>
      </Show>
      <Show when={run.latest}>
        {(r) => (
          <>
            <div class="tr-page-head">
              <button class="tr-back" data-testid="run-back" onClick={() => props.nav.go({ page: "experiment" })}>← Runs</button>
              <h2 data-testid="run-title">{r().info.run_name || r().info.run_id}</h2>
            </div>
            <div class="tr-tabs" role="tablist">
              {(["overview", "charts", "artifacts"] as const).map((t) => (
                <button role="tab" classList={{ "tr-tab-active": tab() === t }} data-testid={`run-tab-${t}`} onClick={() => setTab(t)}>
                  {t[0].toUpperCase() + t.slice(1)}
                </button>
              ))}
            </div>
            <Switch>
              <Match when={tab() === "overview"}>
                <RunOverview api={props.api} run={r()} onOpenRun={props.nav.openRun} />
              </Match>
              <Match when={tab() === "charts"}>
                <RunCharts api={props.api} runs={[r()]} ghostCandidates={ghosts.latest} />
              </Match>
              <Match when={tab() === "artifacts"}>
                <ArtifactBrowser api={props.api} run={r()} onOpenVersion={(name, version) => props.nav.go({ page: "version", name, version })} />
              </Match>
            </Switch>
          </>
        )}
      </Show>
    </div>
  );
}
