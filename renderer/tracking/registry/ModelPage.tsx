/** A registered model: description, aliases, tags and its versions table (stage, aliases, source run). */
import { createMemo, createResource, createSignal, For, Show } from "solid-js";
import type { TrackingApi } from "../data/api.ts";
import { errorText } from "../data/api.ts";
import { formatTime } from "../data/format.ts";
import type { Nav } from "../data/nav.ts";
import { Markdown } from "../../components/Markdown.tsx";
import { onRegistryChange } from "./live-resource.ts";
import { AliasEditor } from "./AliasEditor.tsx";

const quote = (s: string) => `'${s.replace(/'/g, "\\'")}'`;

/** The page of model `name`, live. */
export function ModelPage(props: { api: TrackingApi; name: string; nav: Nav }) {
  const [model, { refetch: refetchModel }] = createResource(() => props.name, (n) => props.api.call("getRegisteredModel", n));
  const [versions, { refetch: refetchVersions }] = createResource(
    () => props.name,
    (n) =>
      props.api
        .call("searchModelVersions", { filter: `name = ${quote(n)}`, max_results: 1000, order_by: ["version_number DESC"] })
        .then((p) => p.items),
  );
  onRegistryChange(props.api, (n) => n === props.name, () => {
    void refetchModel();
    void refetchVersions();
  });
  const [editing, setEditing] = createSignal(false);
  const [draft, setDraft] = createSignal("");
  const [error, setError] = createSignal("");
  const versionIds = createMemo(() => (versions.latest ?? []).map((v) => v.version));

  async function saveDescription() {
    setError("");
    try {
      await props.api.call("updateRegisteredModel", props.name, draft());
      setEditing(false);
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <div class="tr-model-page" data-testid="model-page">
      <div class="tr-page-head">
        <button class="tr-back" onClick={() => props.nav.go({ page: "models" })}>← Models</button>
        <h2 data-testid="model-title">{props.name}</h2>
      </div>
      <Show when={model.error || versions.error}>
        <div class="tr-error" role="alert">{errorText(model.error ?? versions.error)}</div>
      </Show>
      <Show when={model.latest}>
        {(m) => (
          <>
            <section class="tr-section">
              <h3>
                Description{" "}
                <Show when={!editing()}><button onClick={() => (setDraft(m().description ?? ""), setEditing(true))}>Edit</button></Show>
              </h3>
              <Show when={editing()} fallback={<Show when={m().description} fallback={<div class="tr-muted">No description.</div>}><Markdown markdown={m().description!} /></Show>}>
                <textarea class="tr-textarea" value={draft()} onInput={(e) => setDraft(e.currentTarget.value)} />
                <button onClick={() => void saveDescription()}>Save</button>
                <button onClick={() => setEditing(false)}>Cancel</button>
              </Show>
              <Show when={error()}><div class="tr-error">{error()}</div></Show>
            </section>
            <section class="tr-section">
              <h3>Aliases</h3>
              <AliasEditor api={props.api} model={props.name} aliases={m().aliases} versions={versionIds()} />
            </section>
            <Show when={m().tags.length}>
              <section class="tr-section">
                <h3>Tags</h3>
                <div>{m().tags.map((t) => `${t.key}=${t.value}`).join(", ")}</div>
              </section>
            </Show>
            <section class="tr-section">
              <h3>Versions</h3>
              <table class="tr-kv tr-list-table" data-testid="versions-table">
                <thead><tr><th>Version</th><th>Stage</th><th>Aliases</th><th>Tags</th><th>Registered</th><th>Source run</th></tr></thead>
                <tbody>
                  <For each={versions.latest ?? []}>
                    {(v) => (
                      <tr data-testid="version-row" data-version={v.version}>
                        <td><a href="#" data-testid="version-link" onClick={(e) => (e.preventDefault(), props.nav.go({ page: "version", name: props.name, version: v.version }))}>Version {v.version}</a></td>
                        <td data-testid="version-stage">{v.current_stage}</td>
                        <td data-testid="version-aliases">{m().aliases.filter((a) => a.version === v.version).map((a) => `@${a.alias}`).join(" ")}</td>
                        <td>{v.tags.map((t) => `${t.key}=${t.value}`).join(", ")}</td>
                        <td>{formatTime(v.creation_timestamp)}</td>
                        <td>
                          <Show when={v.run_id}>
                            <a href="#" onClick={(e) => (e.preventDefault(), props.nav.openRun(v.run_id!))}>{v.run_id!.slice(0, 8)}</a>
                          </Show>
                        </td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </section>
          </>
        )}
      </Show>
    </div>
  );
}
