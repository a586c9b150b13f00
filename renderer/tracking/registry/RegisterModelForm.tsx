/**
 * Registers a run's model artifact: creates the registered model when the name is new, then a
 * version whose source is the run's artifact URI plus the model directory, linked to the run.
 */
import { createResource, createSignal, For, Show } from "solid-js";
import type { TrackingApi } from "../data/api.ts";
import { errorText } from "../data/api.ts";
import type { Run } from "../data/types.ts";

/** The form shown for a model directory of a run. */
export function RegisterModelForm(props: { api: TrackingApi; run: Run; path: string; onRegistered: (name: string, version: string) => void }) {
  const [name, setName] = createSignal("");
  const [error, setError] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const [models] = createResource(() =>
    props.api.call("searchRegisteredModels", { max_results: 1000 }).then((p) => p.items.map((m) => m.name)),
  );

  async function register() {
    const model = name().trim();
    if (!model) return setError("Enter a model name.");
    setBusy(true);
    setError("");
    try {
      const exists = await props.api.call("getRegisteredModel", model).then(() => true, () => false);
      if (!exists) await props.api.call("createRegisteredModel", model);
      const version = await props.api.call("createModelVersion", {
        name: model,
        source: `${props.run.info.artifact_uri}/${props.path}`,
        run_id: props.run.info.run_id,
      });
      props.onRegistered(model, version.version);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="tr-register" data-testid="register-model-form" onSubmit={(e) => (e.preventDefault(), void register())}>
      <h3>Register model from “{props.path}”</h3>
      <input list="tr-model-names" data-testid="register-model-name" placeholder="model name (new or existing)" value={name()} onInput={(e) => setName(e.currentTarget.value)} />
      <datalist id="tr-model-names">
        <For each={models.latest ?? []}>{(m) => <option value={m} />}</For>
      </datalist>
      <button type="submit" disabled={busy()} data-testid="register-model-submit">Register</button>
      <Show when={error()}><div class="tr-error" role="alert">{error()}</div></Show>
    </form>
  );
}
