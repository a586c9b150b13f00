/**
 * A run's artifact tree (directories listed lazily through MLflow's artifacts/list route) with a
 * preview pane; a directory holding an MLmodel file offers "Register model".
 */
import { createResource, createSignal, For, Show } from "solid-js";
import { Icon } from "../../components/Icon.tsx";
import type { TrackingApi } from "../data/api.ts";
import { errorText } from "../data/api.ts";
import type { ArtifactFile, Run } from "../data/types.ts";
import { isModelDir } from "../data/artifact-kind.ts";
import { formatBytes } from "../data/format.ts";
import { ArtifactPreview } from "./ArtifactPreview.tsx";
import { RegisterModelForm } from "../registry/RegisterModelForm.tsx";

function Dir(props: {
  api: TrackingApi;
  runId: string;
  path?: string;
  depth: number;
  selected: string | null;
  onSelect: (f: ArtifactFile) => void;
  onModelDir: (path: string) => void;
}) {
  const [files] = createResource(() => ({ run: props.runId, path: props.path }), (q) => props.api.listArtifacts(q.run, q.path));
  const [open, setOpen] = createSignal<ReadonlySet<string>>(new Set());
  const toggle = (p: string) => {
    const next = new Set(open());
    if (!next.delete(p)) next.add(p);
    setOpen(next);
  };
  return (
    <div class="tr-tree">
      <Show when={files.error}><div class="tr-error">{errorText(files.error)}</div></Show>
      <Show when={files.latest && isModelDir(files.latest) && props.path}>
        <button class="tr-register-btn" data-testid="register-model-button" onClick={() => props.onModelDir(props.path!)}>
          Register model…
        </button>
      </Show>
      <Show when={files.latest?.length === 0 && props.depth === 0}>
        <div class="tr-muted" data-testid="artifacts-empty">This run has no artifacts.</div>
      </Show>
      <For each={files.latest ?? []}>
        {(f) => (
          <>
            <div
              class="tr-tree-item"
              classList={{ "tr-tree-selected": props.selected === f.path }}
              style={{ "padding-left": `${props.depth * 14 + 4}px` }}
              data-testid="artifact-item"
              data-path={f.path}
              onClick={() => (f.is_dir ? toggle(f.path) : props.onSelect(f))}
            >
              {f.is_dir ? (open().has(f.path) ? "▾ " : "▸ ") : ""}
              <Icon name={f.is_dir ? "folder" : "file"} />{" "}
              {f.path.split("/").pop()} <span class="tr-muted">{f.is_dir ? "" : formatBytes(f.file_size)}</span>
            </div>
            <Show when={f.is_dir && open().has(f.path)}>
              <Dir {...props} path={f.path} depth={props.depth + 1} />
            </Show>
          </>
        )}
      </For>
    </div>
  );
}

/** The artifacts tab of a run page. */
export function ArtifactBrowser(props: { api: TrackingApi; run: Run; onOpenVersion: (name: string, version: string) => void }) {
  const [selected, setSelected] = createSignal<ArtifactFile | null>(null);
  const [registering, setRegistering] = createSignal<string | null>(null);
  return (
    <div class="tr-artifacts" data-testid="artifact-browser">
      <div class="tr-artifact-tree">
        <Dir
          api={props.api}
          runId={props.run.info.run_id}
          depth={0}
          selected={selected()?.path ?? null}
          onSelect={(f) => (setSelected(f), setRegistering(null))}
          onModelDir={(p) => setRegistering(p)}
        />
      </div>
      <div class="tr-artifact-pane">
        <Show when={registering()}>
          {(path) => <RegisterModelForm api={props.api} run={props.run} path={path()} onRegistered={props.onOpenVersion} />}
        </Show>
        <Show when={!registering() && selected()} fallback={<Show when={!registering()}><div class="tr-muted">Select a file to preview it.</div></Show>}>
          {(f) => <ArtifactPreview path={f().path} url={props.api.artifactUrl(props.run.info.run_id, f().path)} size={f().file_size} />}
        </Show>
      </div>
    </div>
  );
}
