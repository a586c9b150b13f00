/** A cell's progress bar; one whose work ended short of its total says "stopped" (a Stop during training). */
import { Show } from "solid-js";

/** The bar for a `progress` output. */
export function ProgressBar(props: { label: string; value: number; total: number; stopped?: boolean }) {
  return (
    <div class="progress" classList={{ stopped: !!props.stopped }} data-testid="output-progress" data-stopped={props.stopped ? "true" : "false"}>
      <span class="progress-label">{props.label}</span>
      <progress value={props.value} max={props.total || 1} />
      <span class="progress-count">
        {props.value} / {props.total}
        <Show when={props.stopped}>
          <span class="progress-stopped" data-testid="progress-stopped"> · stopped</span>
        </Show>
      </span>
    </div>
  );
}
