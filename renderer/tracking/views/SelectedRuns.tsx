/**
 * Charts of the runs selected in the runs table (at most ten, as MLflow compares by default),
 * re-read when the store pushes a change for one of them.
 */
import { createResource, onCleanup, Show } from "solid-js";
import type { TrackingApi } from "../data/api.ts";
import { errorText } from "../data/api.ts";
import { throttle } from "../data/live.ts";
import { RunCharts } from "../charts/RunCharts.tsx";

/** The most runs charted together; more would make every chart unreadable. */
export const MAX_CHARTED_RUNS = 10;

/** Fetches `runIds` (first ten) and draws their metric charts. */
export function SelectedRuns(props: { api: TrackingApi; runIds: string[] }) {
  const [runs, { refetch }] = createResource(
    () => props.runIds.slice(0, MAX_CHARTED_RUNS),
    (ids) => Promise.all(ids.map((id) => props.api.call("getRun", id))),
  );
  // Only run-level changes (status, new metric keys) need a re-read; points stream into the charts.
  const reread = throttle(() => void refetch(), 1000);
  const off = props.api.onStoreChange((c) => {
    if (c.type === "run" && props.runIds.includes(c.run_id)) reread();
  });
  onCleanup(() => {
    off();
    reread.cancel();
  });
  return (
    <div class="tr-selected-charts" data-testid="selected-run-charts">
      <Show when={props.runIds.length > MAX_CHARTED_RUNS}>
        <div class="tr-muted">Charting the first {MAX_CHARTED_RUNS} of {props.runIds.length} selected runs.</div>
      </Show>
      <Show when={runs.error}><div class="tr-error">{errorText(runs.error)}</div></Show>
      <Show when={runs.latest}>{(list) => <RunCharts api={props.api} runs={list()} height={260} />}</Show>
    </div>
  );
}
