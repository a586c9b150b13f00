/**
 * A run's overview: attributes, description (mlflow.note.content as Markdown, editable), Flowbook
 * provenance (see RunProvenance), params, latest metrics, tags and datasets.
 */
import { createSignal, For, Show } from "solid-js";
import type { TrackingApi } from "../data/api.ts";
import { errorText } from "../data/api.ts";
import { TAG, tagOf, type KeyValue, type Run } from "../data/types.ts";
import { formatDuration, formatTime, runDuration } from "../data/format.ts";
import { formatNumber } from "../data/diff.ts";
import { Markdown } from "../../components/Markdown.tsx";
import { RunProvenance } from "./RunProvenance.tsx";

function KeyValues(props: { title: string; items: KeyValue[]; testid: string }) {
  return (
    <section class="tr-section" data-testid={props.testid}>
      <h3>
        {props.title} <span class="tr-muted">({props.items.length})</span>
      </h3>
      <table class="tr-kv">
        <tbody>
          <For each={props.items}>
            {(kv) => (
              <tr>
                <th>{kv.key}</th>
                <td>{kv.value}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </section>
  );
}

/** The overview tab of a run page. */
export function RunOverview(props: { api: TrackingApi; run: Run; onOpenRun: (id: string) => void }) {
  const [editing, setEditing] = createSignal(false);
  const [draft, setDraft] = createSignal("");
  const [error, setError] = createSignal("");
  const info = () => props.run.info;
  const note = () => tagOf(props.run, TAG.note) ?? "";
  const parent = () => tagOf(props.run, TAG.parent);
  const userTags = () => props.run.data.tags.filter((t) => t.key !== TAG.note);

  async function saveNote() {
    setError("");
    try {
      await props.api.call("setTag", info().run_id, { key: TAG.note, value: draft() });
      setEditing(false);
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <div class="tr-overview" data-testid="run-overview">
      <table class="tr-kv tr-attrs">
        <tbody>
          <tr><th>Run ID</th><td data-testid="run-id">{info().run_id}</td></tr>
          <tr><th>Status</th><td><span class={`tr-status tr-status-${info().status.toLowerCase()}`} data-testid="run-page-status">{info().status}</span></td></tr>
          <tr><th>Created</th><td>{formatTime(info().start_time)}</td></tr>
          <tr><th>Duration</th><td>{info().status === "RUNNING" ? "running" : formatDuration(runDuration(info(), Date.now()))}</td></tr>
          <tr><th>User</th><td>{info().user_id}</td></tr>
          <tr><th>Source</th><td>{tagOf(props.run, TAG.source) ?? ""}</td></tr>
          <tr><th>Artifact URI</th><td>{info().artifact_uri}</td></tr>
          <Show when={parent()}>
            <tr><th>Parent run</th><td><a href="#" onClick={(e) => (e.preventDefault(), props.onOpenRun(parent()!))}>{parent()}</a></td></tr>
          </Show>
        </tbody>
      </table>

      <section class="tr-section" data-testid="run-description">
        <h3>
          Description{" "}
          <Show when={!editing()}>
            <button data-testid="run-description-edit" onClick={() => (setDraft(note()), setEditing(true))}>Edit</button>
          </Show>
        </h3>
        <Show
          when={editing()}
          fallback={<Show when={note()} fallback={<div class="tr-muted">No description.</div>}><Markdown markdown={note()} /></Show>}
        >
          <textarea class="tr-textarea" data-testid="run-description-input" value={draft()} onInput={(e) => setDraft(e.currentTarget.value)} />
          <button data-testid="run-description-save" onClick={() => void saveNote()}>Save</button>
          <button onClick={() => setEditing(false)}>Cancel</button>
        </Show>
        <Show when={error()}><div class="tr-error">{error()}</div></Show>
      </section>

      <RunProvenance api={props.api} run={props.run} />

      <div class="tr-columns">
        <KeyValues title="Parameters" items={props.run.data.params} testid="run-params" />
        <section class="tr-section" data-testid="run-metrics">
          <h3>
            Metrics <span class="tr-muted">({props.run.data.metrics.length})</span>
          </h3>
          <table class="tr-kv">
            <tbody>
              <For each={props.run.data.metrics}>
                {(m) => (
                  <tr>
                    <th>{m.key}</th>
                    <td data-testid={`run-metric-${m.key}`}>{formatNumber(m.value)}</td>
                    <td class="tr-muted">step {m.step}</td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </section>
      </div>
      <KeyValues title="Tags" items={userTags()} testid="run-tags" />
      <Show when={props.run.inputs?.dataset_inputs?.length}>
        <section class="tr-section" data-testid="run-datasets">
          <h3>Datasets</h3>
          <table class="tr-kv">
            <thead><tr><th>name</th><th>digest</th><th>source</th><th>context</th></tr></thead>
            <tbody>
              <For each={props.run.inputs?.dataset_inputs ?? []}>
                {(d) => (
                  <tr>
                    <td>{d.dataset.name}</td>
                    <td>{d.dataset.digest}</td>
                    <td>{d.dataset.source_type}: {d.dataset.source}</td>
                    <td>{d.tags.map((t) => `${t.key}=${t.value}`).join(", ")}</td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </section>
      </Show>
    </div>
  );
}
