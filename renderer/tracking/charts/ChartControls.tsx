/** The options bar above metric charts: x-axis, smoothing, log y, outliers, grouping and bands. */
import { For, Show } from "solid-js";
import type { ChartOptions } from "./options.ts";

/** Controls editing a ChartOptions; `groupKeys` lists the params and tags runs can be grouped by. */
export function ChartControls(props: {
  options: ChartOptions;
  onChange: (patch: Partial<ChartOptions>) => void;
  groupKeys?: { params: string[]; tags: string[] };
}) {
  const groupValue = () => (props.options.groupBy ? `${props.options.groupBy.kind}:${props.options.groupBy.key}` : "");
  return (
    <div class="tr-chart-controls" data-testid="chart-controls">
      <label>
        x-axis{" "}
        <select
          data-testid="chart-xaxis"
          value={props.options.xAxis}
          onChange={(e) => props.onChange({ xAxis: e.currentTarget.value as ChartOptions["xAxis"] })}
        >
          <option value="step">step</option>
          <option value="time">wall time</option>
          <option value="relative">relative time</option>
        </select>
      </label>
      <label>
        smoothing{" "}
        <input
          data-testid="chart-smoothing"
          type="range"
          min="0"
          max="0.99"
          step="0.01"
          value={props.options.smoothing}
          onInput={(e) => props.onChange({ smoothing: Number(e.currentTarget.value) })}
        />
        <span class="tr-muted">{props.options.smoothing.toFixed(2)}</span>
      </label>
      <label>
        <input type="checkbox" data-testid="chart-logy" checked={props.options.logY} onChange={(e) => props.onChange({ logY: e.currentTarget.checked })} /> log y
      </label>
      <label>
        <input
          type="checkbox"
          data-testid="chart-outliers"
          checked={props.options.ignoreOutliers}
          onChange={(e) => props.onChange({ ignoreOutliers: e.currentTarget.checked })}
        />{" "}
        ignore outliers
      </label>
      <Show when={props.groupKeys}>
        {(keys) => (
          <>
            <label>
              group by{" "}
              <select
                data-testid="chart-groupby"
                value={groupValue()}
                onChange={(e) => {
                  const v = e.currentTarget.value;
                  const i = v.indexOf(":");
                  props.onChange({ groupBy: v ? { kind: v.slice(0, i) as "param" | "tag", key: v.slice(i + 1) } : null });
                }}
              >
                <option value="">(none)</option>
                <For each={keys().params}>{(k) => <option value={`param:${k}`}>param {k}</option>}</For>
                <For each={keys().tags}>{(k) => <option value={`tag:${k}`}>tag {k}</option>}</For>
              </select>
            </label>
            <Show when={props.options.groupBy}>
              <select
                data-testid="chart-band-line"
                value={props.options.band.line}
                onChange={(e) => props.onChange({ band: { ...props.options.band, line: e.currentTarget.value as "mean" | "median" } })}
              >
                <option value="mean">mean</option>
                <option value="median">median</option>
              </select>
              <select
                data-testid="chart-band"
                value={props.options.band.band}
                onChange={(e) => props.onChange({ band: { ...props.options.band, band: e.currentTarget.value as "minmax" | "std" | "none" } })}
              >
                <option value="minmax">min–max band</option>
                <option value="std">±std band</option>
                <option value="none">no band</option>
              </select>
            </Show>
          </>
        )}
      </Show>
    </div>
  );
}
