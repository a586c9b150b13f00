/**
 * Comparing runs: params and metrics side by side with differences highlighted, the cell-code
 * comparison of the first two runs and the upstream values the cells read, overlaid metric charts (with the ghost of the best earlier
 * finished run behind a running one), parallel coordinates and scatter.
 */
import { createMemo, createResource, createSignal, For, onCleanup, Show } from "solid-js";
import type { TrackingApi } from "../data/api.ts";
import { errorText } from "../data/api.ts";
import { metricDiff, paramDiff, upstreamDiff } from "../data/diff.ts";
import { DiffTable } from "./DiffTable.tsx";
import { upstreamOf } from "../data/provenance.ts";
import { throttle } from "../data/live.ts";
import type { Nav } from "../data/nav.ts";
import { CodeDiff } from "./CodeDiff.tsx";
import { RunCharts } from "../charts/RunCharts.tsx";
import { ParamCharts } from "../charts/ParamCharts.tsx";
import { finishedRunsOf } from "./RunPage.tsx";
import { plural } from "../../../electron/common/plural.ts";

/** The compare page for `runIds` (two or more). */
export function CompareView(props: { api: TrackingApi; runIds: string[]; nav: Nav }) {
  const [onlyDiffs, setOnlyDiffs] = createSignal(false);
  const [runs, { refetch }] = createResource(
    () => props.runIds,
    (ids) => Promise.all(ids.map((id) => props.api.call("getRun", id))),
  );
  const list = createMemo(() => runs.latest ?? []);
  const [ghosts] = createResource(
    () => list().find((r) => r.info.status === "RUNNING")?.info.experiment_id,
    (exp) => finishedRunsOf(props.api, exp),
  );
  const reread = throttle(() => void refetch(), 1000);
  const off = props.api.onStoreChange((c) => {
    if ((c.type === "run" || c.type === "metrics") && props.runIds.includes(c.run_id)) reread();
  });
  onCleanup(() => {
    off();
    reread.cancel();
  });

  return (
    <div class="tr-compare" data-testid="compare-view">
      <div class="tr-page-head">
        <button class="tr-back" onClick={() => props.nav.go({ page: "experiment" })}>← Runs</button>
        <h2>Comparing {plural(props.runIds.length, "run")}</h2>
      </div>
      <Show when={runs.error}><div class="tr-error" role="alert">{errorText(runs.error)}</div></Show>
      <Show when={list().length}>
        <div class="tr-run-links">
          <For each={list()}>
            {(r) => <a href="#" data-testid="compare-run-link" onClick={(e) => (e.preventDefault(), props.nav.openRun(r.info.run_id))}>{r.info.run_name || r.info.run_id}</a>}
          </For>
        </div>
        <label>
          <input type="checkbox" data-testid="compare-only-diffs" checked={onlyDiffs()} onChange={(e) => setOnlyDiffs(e.currentTarget.checked)} /> only differences
        </label>
        <div class="tr-columns">
          <DiffTable title="Parameters" rows={paramDiff(list())} runs={list()} onlyDiffs={onlyDiffs()} testid="compare-params" />
          <DiffTable title="Metrics (latest)" rows={metricDiff(list())} runs={list()} onlyDiffs={onlyDiffs()} testid="compare-metrics" />
        </div>
        <Show when={list().length >= 2}>
          <CodeDiff api={props.api} a={list()[0]} b={list()[1]} />
        </Show>
        <Show when={list().some((r) => upstreamOf(r))}>
          <DiffTable title="Upstream values (what the cells read)" rows={upstreamDiff(list())} runs={list()} onlyDiffs={onlyDiffs()} testid="compare-upstream" />
        </Show>
        <h3>Metrics</h3>
        <RunCharts api={props.api} runs={list()} ghostCandidates={ghosts.latest} height={260} />
        <ParamCharts runs={list()} onOpenRun={props.nav.openRun} />
      </Show>
    </div>
  );
}
