/**
 * Serve a model version from the app: start or stop a local scoring server (MLflow's protocol) for
 * `models:/<name>/<version>` and show where it answers.
 */
import { createResource, createSignal, Show } from "solid-js";
import type { TrackingApi } from "../data/api.ts";
import { errorText } from "../data/api.ts";

/** Start/stop serving one model URI; the URL comes from the host, so reopening the page shows it. */
export function ServePanel(props: { api: TrackingApi; modelUri: string }) {
  const [url, { mutate }] = createResource(() => props.modelUri, (uri) => props.api.serveModel("status", uri));
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal("");
  async function act(action: "start" | "stop") {
    setBusy(true);
    setError("");
    try {
      mutate(await props.api.serveModel(action, props.modelUri));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <div data-testid="serve-panel">
      <Show
        when={url.latest}
        fallback={
          <button data-testid="serve-start" disabled={busy()} onClick={() => void act("start")}>
            {busy() ? "Starting…" : "Serve"}
          </button>
        }
      >
        {(u) => (
          <div class="tr-inline-form">
            <span>
              Serving at <code data-testid="serve-url">{u()}/invocations</code>
            </span>
            <button data-testid="serve-stop" disabled={busy()} onClick={() => void act("stop")}>
              Stop
            </button>
          </div>
        )}
      </Show>
      <Show when={error()}>
        <div class="tr-error" role="alert">{error()}</div>
      </Show>
    </div>
  );
}
