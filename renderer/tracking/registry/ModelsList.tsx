/** The registry's model list: search by name, latest version, aliases, tags, last modified. */
import { createResource, createSignal, For, Show } from "solid-js";
import type { TrackingApi } from "../data/api.ts";
import { errorText } from "../data/api.ts";
import type { RegisteredModel } from "../data/types.ts";
import { formatTime } from "../data/format.ts";
import type { Nav } from "../data/nav.ts";
import { onRegistryChange } from "./live-resource.ts";

const quote = (s: string) => `'${s.replace(/'/g, "\\'")}'`;

/** Registered models matching the search box, live. */
export function ModelsList(props: { api: TrackingApi; nav: Nav }) {
  const [draft, setDraft] = createSignal("");
  const [search, setSearch] = createSignal("");
  const [models, { refetch }] = createResource(search, (q) =>
    props.api.call("searchRegisteredModels", {
      filter: q ? `name ILIKE ${quote(`%${q}%`)}` : undefined,
      max_results: 1000,
      order_by: ["name ASC"],
    }),
  );
  onRegistryChange(props.api, () => true, () => void refetch());
  const latest = (m: RegisteredModel) => m.latest_versions.reduce((v, x) => Math.max(v, Number(x.version)), 0);
  return (
    <div class="tr-models" data-testid="models-list">
      <h2>Registered models</h2>
      <form onSubmit={(e) => (e.preventDefault(), setSearch(draft().trim()))}>
        <input data-testid="models-search" placeholder="Search models by name" value={draft()} onInput={(e) => setDraft(e.currentTarget.value)} />
        <button type="submit">Search</button>
      </form>
      <Show when={models.error}><div class="tr-error" role="alert">{errorText(models.error)}</div></Show>
      <table class="tr-kv tr-list-table">
        <thead><tr><th>Name</th><th>Latest version</th><th>Aliases</th><th>Tags</th><th>Last modified</th></tr></thead>
        <tbody>
          <For each={models.latest?.items ?? []}>
            {(m) => (
              <tr data-testid="model-row" data-name={m.name}>
                <td><a href="#" data-testid="model-link" onClick={(e) => (e.preventDefault(), props.nav.go({ page: "model", name: m.name }))}>{m.name}</a></td>
                <td>{latest(m) ? `Version ${latest(m)}` : ""}</td>
                <td>{m.aliases.map((a) => `@${a.alias} → v${a.version}`).join(", ")}</td>
                <td>{m.tags.map((t) => `${t.key}=${t.value}`).join(", ")}</td>
                <td>{formatTime(m.last_updated_timestamp)}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
      <Show when={models.latest && models.latest.items.length === 0}>
        <div class="tr-muted" data-testid="models-empty">No registered models{search() ? " match" : " yet — register one from a run's model artifact"}.</div>
      </Show>
    </div>
  );
}
