/**
 * The bottom bar: tracking store, the Tracking tab's data source (click to connect elsewhere), REST
 * URL for Python clients, TF.js backend, kernel and connection.
 */
import { createSignal, Show } from "solid-js";
import type { StoreChange } from "../../electron/tracking/contract.ts";
import { useApp } from "../state/index.ts";
import { freshness, sourceName } from "../tracking/index.ts";

/** One line for the latest store change, so logging from a cell or a Python client is visible at a glance. */
function describeChange(change: StoreChange): string {
  switch (change.type) {
    case "experiment":
      return `experiment ${change.experiment_id} changed`;
    case "run":
      return `run ${change.run_id.slice(0, 8)} updated`;
    case "metrics":
      return `run ${change.run_id.slice(0, 8)} logged ${change.metrics.length} metric value${change.metrics.length === 1 ? "" : "s"}`;
    case "registry":
      return `model ${change.name} changed`;
  }
}

/** Application status bar. */
export function StatusBar() {
  const app = useApp();
  const [copied, setCopied] = createSignal(false);
  const envLine = () => `MLFLOW_TRACKING_URI=${app.host.info.restUrl}`;
  const copy = () => {
    void navigator.clipboard.writeText(envLine()).then(() => {
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    });
  };
  return (
    <footer class="statusbar" data-testid="statusbar">
      <span class="item" title="Tracking store" data-testid="tracking-uri">
        Store: {app.host.info.trackingUri || "—"}
      </span>
      <button
        type="button"
        class="item link"
        classList={{ warn: app.viewSource.error() !== null }}
        data-testid="view-source"
        data-kind={app.viewSource.active().kind}
        title={app.viewSource.error()?.message ?? "Where the Tracking tab reads from; click to connect to another tracking server"}
        onClick={() => app.ui.setOverlay("connect")}
      >
        Views: {sourceName(app.viewSource.active())}
        {app.viewSource.active().kind === "remote" ? ` — ${app.viewSource.error() ? "refresh failing" : freshness(app.viewSource.active())}` : ""}
      </button>
      <Show when={app.host.info.restUrl}>
        <button type="button" class="item link" data-testid="rest-url" title="Copy for Python clients" onClick={copy}>
          {copied() ? "Copied" : envLine()}
        </button>
      </Show>
      <span class="item" data-testid="tf-backend">
        TF.js: {app.host.info.tfBackend}
      </span>
      <Show when={app.tracking.feed[0]}>
        {(latest) => (
          <span class="item" data-testid="store-activity" title={new Date(latest().at).toLocaleTimeString()}>
            {describeChange(latest().change)}
          </span>
        )}
      </Show>
      <span class="spacer" />
      <Show when={app.kernel.interrupted() && !app.kernel.restartReason()}>
        <span class="item warn">Interrupted</span>
      </Show>
      <Show when={app.kernel.restartReason()}>
        {(why) => (
          <span class="item warn keep" data-testid="restart-reason" title={why()[0]!.toUpperCase() + why().slice(1)}>
            Kernel restarted: every cell is stale
          </span>
        )}
      </Show>
      <span class="item keep" data-testid="kernel-state" data-state={app.host.info.kernel}>
        <span class={`dot kernel-${app.host.info.kernel}`} /> Kernel: {app.host.info.kernel}
      </span>
      <span class="item keep" data-testid="connection" data-connected={app.host.connected() ? "yes" : "no"}>
        <span class={`dot ${app.host.connected() ? "ok" : "bad"}`} /> {app.host.connected() ? "Connected" : "Offline"}
      </span>
    </footer>
  );
}
