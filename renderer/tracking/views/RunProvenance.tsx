/**
 * A run's Flowbook provenance on its page: notebook, cell, code hash and upstream values, whether
 * the cell has changed since in the open notebook, and the two ways back to the code ("open the
 * notebook at this cell", "open the notebook as it was for this run", from its snapshot).
 */
import { createMemo, createResource, createSignal, For, Show } from "solid-js";
import type { NotebookLink, TrackingApi } from "../data/api.ts";
import { errorText } from "../data/api.ts";
import { TAG, tagOf, type Run } from "../data/types.ts";
import { fetchSnapshot, fromFlowbook, sha256Hex, snapshotNotebookPath, upstreamOf } from "../data/provenance.ts";

/** The provenance section of a run's overview. */
export function RunProvenance(props: { api: TrackingApi; run: Run }) {
  const upstream = () => [...(upstreamOf(props.run) ?? new Map<string, string>())];
  return (
    <section class="tr-section" data-testid="run-provenance">
      <h3>Provenance</h3>
      <Show when={fromFlowbook(props.run)} fallback={<div class="tr-muted">Not logged from a Flowbook notebook (no flowbook.* tags).</div>}>
        <table class="tr-kv">
          <tbody>
            <tr><th>Notebook</th><td data-testid="provenance-notebook">{tagOf(props.run, TAG.notebook) ?? ""}</td></tr>
            <tr><th>Cell</th><td data-testid="provenance-cell">{tagOf(props.run, TAG.cellId) ?? ""}</td></tr>
            <tr><th>Code hash</th><td data-testid="provenance-hash">{tagOf(props.run, TAG.codeHash) ?? ""}</td></tr>
            <Show when={upstream().length}>
              <tr>
                <th>Upstream values</th>
                <td data-testid="provenance-upstream">
                  <For each={upstream()}>{([name, value]) => <div><span class="tr-mono">{name}</span> = {value}</div>}</For>
                </td>
              </tr>
            </Show>
          </tbody>
        </table>
        <Show when={props.api.notebook}>{(link) => <NotebookActions api={props.api} run={props.run} link={link()} />}</Show>
      </Show>
    </section>
  );
}

/** Whether the open notebook's cell still has the run's code, and the buttons that open the code. */
function NotebookActions(props: { api: TrackingApi; run: Run; link: NotebookLink }) {
  const [error, setError] = createSignal("");
  const path = () => tagOf(props.run, TAG.notebook) ?? "";
  const cellId = () => tagOf(props.run, TAG.cellId) ?? "";
  // Only the notebook open in the app has a live cell to compare; its code is the editor's.
  const live = createMemo(() => (props.link.openPath() === path() ? { code: props.link.liveCode(cellId()) } : undefined));
  const [liveHash] = createResource(live, (l) => (l.code === undefined ? Promise.resolve(null) : sha256Hex(l.code)));
  const state = () => {
    const h = liveHash.latest;
    if (!live() || h === undefined) return undefined;
    if (h === null) return { key: "missing", text: "The cell is no longer in the open notebook." };
    return h === tagOf(props.run, TAG.codeHash)
      ? { key: "unchanged", text: "The cell's code is unchanged since this run." }
      : { key: "changed", text: "The cell has changed since this run." };
  };

  const act = (fn: () => Promise<void>) => () => {
    setError("");
    fn().catch((err: unknown) => setError(errorText(err)));
  };
  const openSnapshot = async () => {
    const text = await fetchSnapshot(props.api, props.run.info.run_id);
    if (text === null) throw new Error("This run has no notebook snapshot (it was logged before Flowbook recorded them), so only its current notebook can be opened.");
    await props.link.openText(text, snapshotNotebookPath(path(), props.run.info.run_id), cellId());
  };
  return (
    <div class="tr-provenance-actions">
      <Show when={state()}>{(s) => <div data-testid="provenance-live" data-state={s().key} classList={{ "tr-warning": s().key !== "unchanged" }}>{s().text}</div>}</Show>
      <button data-testid="provenance-open-cell" onClick={act(() => props.link.openAt(path(), cellId()))}>Open notebook at this cell</button>{" "}
      <button data-testid="provenance-open-snapshot" onClick={act(openSnapshot)}>Open the notebook as it was for this run</button>
      <Show when={error()}><div class="tr-error" role="alert" data-testid="provenance-error">{error()}</div></Show>
    </div>
  );
}
