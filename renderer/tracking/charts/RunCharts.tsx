/**
 * A grid of metric charts for a set of runs (one per metric key, grouped into sections by the key's
 * prefix before "/"), with shared options. When one of the runs is RUNNING, each chart draws the
 * best finished run among `ghostCandidates` faintly behind it.
 */
import { createMemo, For, Show } from "solid-js";
import { createStore } from "solid-js/store";
import type { TrackingApi } from "../data/api.ts";
import type { Run } from "../data/types.ts";
import { availableColumns } from "../data/columns.ts";
import { bestFinishedRun } from "../data/diff.ts";
import { defaultChartOptions, type ChartOptions } from "./options.ts";
import { ChartControls } from "./ChartControls.tsx";
import { MetricChart } from "./MetricChart.tsx";

/** Metric keys grouped by prefix ("train/loss" → section "train"), sections in first-seen order. */
function sections(keys: readonly string[]): [string, string[]][] {
  const map = new Map<string, string[]>();
  for (const k of keys) {
    const s = k.includes("/") ? k.slice(0, k.indexOf("/")) : "";
    map.set(s, [...(map.get(s) ?? []), k]);
  }
  return [...map];
}

/** Charts for `runs`; `keys` limits the metrics (default: every metric any run logged). */
export function RunCharts(props: {
  api: TrackingApi;
  runs: Run[];
  keys?: string[];
  initialOptions?: Partial<ChartOptions>;
  ghostCandidates?: Run[];
  height?: number;
}) {
  const [options, setOptions] = createStore<ChartOptions>({ ...defaultChartOptions(), ...props.initialOptions });
  const allKeys = createMemo(() => props.keys ?? availableColumns(props.runs).metrics);
  // Iterate section names (strings) so a new metric key adds a chart without remounting the others.
  const grouped = createMemo(() => new Map(sections(allKeys())));
  const sectionNames = createMemo(() => [...grouped().keys()]);
  const groupKeys = createMemo(() => (props.runs.length > 1 ? availableColumns(props.runs) : undefined));
  const running = createMemo(() => props.runs.find((r) => r.info.status === "RUNNING"));
  const ghostFor = (key: string) => {
    const live = running();
    return live && props.ghostCandidates ? bestFinishedRun(props.ghostCandidates, key, live.info.run_id) : null;
  };
  return (
    <div class="tr-run-charts" data-testid="run-charts">
      <ChartControls options={options} onChange={(patch) => setOptions(patch)} groupKeys={groupKeys()} />
      <Show when={allKeys().length} fallback={<div class="tr-muted">No metrics logged yet.</div>}>
        <For each={sectionNames()}>
          {(section) => (
            <div class="tr-chart-section">
              <Show when={section}><h4>{section}</h4></Show>
              <div class="tr-chart-grid">
                <For each={grouped().get(section) ?? []}>
                  {(key) => <MetricChart api={props.api} metricKey={key} runs={props.runs} options={options} ghost={ghostFor(key)} height={props.height} />}
                </For>
              </div>
            </div>
          )}
        </For>
      </Show>
    </div>
  );
}
