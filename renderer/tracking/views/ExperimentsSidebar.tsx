/**
 * The experiments list: search, create, rename, delete/restore (with a show-deleted toggle), under
 * a line naming the data source (this app's store or a remote server) with its "Connect…" button.
 */
import { createResource, createSignal, For, onCleanup, Show } from "solid-js";
import { Icon } from "../../components/Icon.tsx";
import type { TrackingApi } from "../data/api.ts";
import { errorText } from "../data/api.ts";
import type { Experiment } from "../data/types.ts";
import { throttle } from "../data/live.ts";
import { mostRecentExperiment } from "../data/recent-experiment.ts";
import { freshness, sourceName } from "../data/source-label.ts";

const quote = (s: string) => `'${s.replace(/'/g, "\\'")}'`;

/** The sidebar; `selected` is the open experiment's id. */
export function ExperimentsSidebar(props: {
  api: TrackingApi;
  selected: string | null;
  onSelect: (exp: Experiment) => void;
  onModels: () => void;
  connection?: { open: () => void; error: () => string | null };
}) {
  const [search, setSearch] = createSignal("");
  const [showDeleted, setShowDeleted] = createSignal(false);
  const [newName, setNewName] = createSignal("");
  const [renaming, setRenaming] = createSignal<string | null>(null);
  const [renameTo, setRenameTo] = createSignal("");
  const [error, setError] = createSignal("");
  const [experiments, { refetch }] = createResource(
    () => ({ q: search(), deleted: showDeleted() }),
    (a) =>
      props.api
        .call("searchExperiments", {
          view_type: a.deleted ? "ALL" : "ACTIVE_ONLY",
          filter: a.q ? `name ILIKE ${quote(`%${a.q}%`)}` : undefined,
          max_results: 1000,
          order_by: ["name ASC"],
        })
        .then(async (p) => {
          // Open the most recent experiment on first load, so the tab shows what the user just ran.
          if (props.selected === null && p.items.length) {
            const recent = await mostRecentExperiment(props.api, p.items);
            if (props.selected === null) props.onSelect(recent ?? p.items[0]);
          }
          return p.items;
        }),
  );
  const again = throttle(() => void refetch(), 300);
  const off = props.api.onStoreChange((c) => c.type === "experiment" && again());
  onCleanup(() => {
    off();
    again.cancel();
  });

  const act = async (fn: () => Promise<unknown>) => {
    setError("");
    try {
      await fn();
      void refetch();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const create = () =>
    act(async () => {
      const name = newName().trim();
      if (!name) return;
      const id = await props.api.call("createExperiment", name);
      setNewName("");
      props.onSelect(await props.api.call("getExperiment", id));
    });

  return (
    <nav class="tr-sidebar" data-testid="experiments-sidebar">
      <div class="tr-sidebar-head">
        <strong>Experiments</strong>
        <button class="tr-link-btn" data-testid="nav-models" onClick={() => props.onModels()}>Models →</button>
      </div>
      <div class="tr-source" data-testid="tracking-source" data-kind={props.api.source.kind}>
        <span class="tr-source-name" title={freshness(props.api.source)}>
          {props.api.source.kind === "local" ? "This app's store" : sourceName(props.api.source)}
        </span>
        <Show when={props.api.source.kind === "remote"}>
          <span class="tr-muted" data-testid="tracking-source-freshness">{freshness(props.api.source)}</span>
        </Show>
        <Show when={props.connection}>
          {(c) => (
            <button class="tr-link-btn" data-testid="connect-tracking-server" onClick={() => c().open()}>Connect to tracking server…</button>
          )}
        </Show>
        <Show when={props.connection?.error()}>
          {(e) => <div class="tr-error" role="alert" data-testid="tracking-source-error">{e()}</div>}
        </Show>
      </div>
      <input data-testid="experiments-search" placeholder="Search experiments" value={search()} onInput={(e) => setSearch(e.currentTarget.value)} />
      <label class="tr-muted">
        <input type="checkbox" data-testid="experiments-show-deleted" checked={showDeleted()} onChange={(e) => setShowDeleted(e.currentTarget.checked)} /> show deleted
      </label>
      <Show when={experiments.error}><div class="tr-error">{errorText(experiments.error)}</div></Show>
      <ul class="tr-exp-list">
        <For each={experiments.latest ?? []}>
          {(exp) => (
            <li
              classList={{ "tr-exp-selected": exp.experiment_id === props.selected, "tr-deleted": exp.lifecycle_stage === "deleted" }}
              data-testid="experiment-item"
              data-experiment-id={exp.experiment_id}
            >
              <Show
                when={renaming() === exp.experiment_id}
                fallback={
                  <>
                    <a href="#" data-testid="experiment-link" onClick={(e) => (e.preventDefault(), props.onSelect(exp))}>{exp.name}</a>
                    <span class="tr-exp-actions">
                      <button title="rename" data-testid="experiment-rename" aria-label={`Rename ${exp.name}`} onClick={() => (setRenameTo(exp.name), setRenaming(exp.experiment_id))}><Icon name="edit" /></button>
                      <Show
                        when={exp.lifecycle_stage === "deleted"}
                        fallback={<button title="delete" data-testid="experiment-delete" aria-label={`Delete ${exp.name}`} onClick={() => void act(() => props.api.call("deleteExperiment", exp.experiment_id))}><Icon name="trash" /></button>}
                      >
                        <button title="restore" data-testid="experiment-restore" aria-label={`Restore ${exp.name}`} onClick={() => void act(() => props.api.call("restoreExperiment", exp.experiment_id))}><Icon name="restore" /></button>
                      </Show>
                    </span>
                  </>
                }
              >
                <form
                  class="tr-inline-form"
                  onSubmit={(e) => {
                    e.preventDefault();
                    void act(() => props.api.call("renameExperiment", exp.experiment_id, renameTo().trim())).then(() => setRenaming(null));
                  }}
                >
                  <input data-testid="experiment-rename-input" value={renameTo()} onInput={(e) => setRenameTo(e.currentTarget.value)} />
                  <button type="submit">OK</button>
                  <button type="button" aria-label="Cancel" onClick={() => setRenaming(null)}><Icon name="close" /></button>
                </form>
              </Show>
            </li>
          )}
        </For>
      </ul>
      <form class="tr-inline-form" onSubmit={(e) => (e.preventDefault(), void create())}>
        <input data-testid="experiment-new-name" placeholder="New experiment" value={newName()} onInput={(e) => setNewName(e.currentTarget.value)} />
        <button type="submit" data-testid="experiment-create">Create</button>
      </form>
      <Show when={error()}><div class="tr-error" role="alert" data-testid="experiments-error">{error()}</div></Show>
    </nav>
  );
}
