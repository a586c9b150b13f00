/**
 * Comparing runs: params and metrics side by side with differences highlighted, the cell-code
 * comparison of the first two runs, overlaid metric charts (with the ghost of the best earlier
 * finished run behind a running one), parallel coordinates and scatter.
 */
import { createMemo, createResource, createSignal, For, onCleanup, Show } from "solid-js";
import type { TrackingApi } from "./api.ts";
import { errorText } from "./api.ts";
import type { Run } from "./types.ts";
import { metricDiff, paramDiff, type DiffRow } from "./diff.ts";
import { throttle } from "./live.ts";
import type { Nav } from "./nav.ts";
import { CodeDiff } from "./CodeDiff.tsx";
import { RunCharts } from "./charts/RunCharts.tsx";
import { ParamCharts } from "./charts/ParamCharts.tsx";
import { finishedRunsOf } from "./RunPage.tsx";

function DiffTable(props: { title: string; rows: DiffRow[]; runs: Run[]; onlyDiffs: boolean; testid: string }) {
  const shown = () => (props.onlyDiffs ? props.rows.filter((r) => r.differs) : props.rows);
  return (
    <section class="tr-section" data-testid={props.testid}>
      <h3>{props.title}</h3>
      <table class="tr-kv tr-diff-table">
        <thead>
          <tr>
            <th />
            <For each={props.runs}>{(r) => <th>{r.info.run_name || r.info.run_id}</th>}</For>
          </tr>
        </thead>
        <tbody>
          <For each={shown()}>
            {(row) => (
              <tr classList={{ "tr-differs": row.differs }} data-testid="diff-row" data-key={row.key} data-differs={String(row.differs)}>
                <th>{row.key}</th>
                <For each={row.values}>{(v) => <td>{v ?? "—"}</td>}</For>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </section>
  );
}

/** The compare page for `runIds` (two or more). */
export function CompareView(props: { api: TrackingApi; runIds: string[]; nav: Nav }) {
  const [onlyDiffs, setOnlyDiffs] = createSignal(false);
  const [runs, { refetch }] = createResource(
    () => props.runIds,
    (ids) => Promise.all(ids.map((id) => props.api.call<Run>("getRun", [id]))),
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
        <h2>Comparing {props.runIds.length} runs</h2>
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
          <CodeDiff a={list()[0]} b={list()[1]} />
        </Show>
        <h3>Metrics</h3>
        <RunCharts api={props.api} runs={list()} ghostCandidates={ghosts.latest} height={260} />
        <ParamCharts runs={list()} />
      </Show>
    </div>
  );
}
