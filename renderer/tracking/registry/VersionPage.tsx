/**
 * A model version: source run link, stage transition (optionally archiving the stage's other
 * versions), aliases, serving, tags, description, and the signature read from its MLmodel file.
 */
import { createResource, createSignal, For, Show } from "solid-js";
import type { TrackingApi } from "../data/api.ts";
import { errorText } from "../data/api.ts";
import type { ModelVersion, Stage } from "../data/types.ts";
import { formatTime } from "../data/format.ts";
import type { Nav } from "../data/nav.ts";
import { onRegistryChange } from "./live-resource.ts";
import { AliasEditor } from "./AliasEditor.tsx";
import { ServePanel } from "./ServePanel.tsx";
import { parseMlmodelSignature, type SchemaColumn } from "./signature.ts";

const STAGES: Stage[] = ["None", "Staging", "Production", "Archived"];

/** The MLmodel text of a version whose source lies in its run's artifacts; null when not reachable. */
async function readMlmodel(api: TrackingApi, v: ModelVersion): Promise<string | null> {
  if (!v.run_id) return null;
  const run = await api.call("getRun", v.run_id);
  const root = run.info.artifact_uri.replace(/\/+$/, "");
  if (!v.source.startsWith(root + "/")) return null;
  const rel = v.source.slice(root.length + 1).replace(/\/+$/, "");
  const res = await fetch(api.artifactUrl(v.run_id, `${rel}/MLmodel`));
  return res.ok ? res.text() : null;
}

function Schema(props: { title: string; cols: SchemaColumn[] | null }) {
  return (
    <div>
      <h4>{props.title}</h4>
      <Show when={props.cols} fallback={<div class="tr-muted">none</div>}>
        <table class="tr-kv">
          <tbody>
            <For each={props.cols!}>{(c) => <tr><th>{c.name ?? "(unnamed)"}</th><td>{c.type}{c.shape ? ` [${c.shape.join(", ")}]` : ""}</td></tr>}</For>
          </tbody>
        </table>
      </Show>
    </div>
  );
}

/** The page of version `version` of model `name`, live. */
export function VersionPage(props: { api: TrackingApi; name: string; version: string; nav: Nav }) {
  const key = () => ({ name: props.name, version: props.version });
  const [mv, { refetch }] = createResource(key, (k) => props.api.call("getModelVersion", k.name, k.version));
  const [model, { refetch: refetchModel }] = createResource(() => props.name, (n) => props.api.call("getRegisteredModel", n));
  const [signature] = createResource(
    () => mv.latest,
    async (v) => {
      const text = await readMlmodel(props.api, v).catch(() => null);
      return { readable: text !== null, sig: text === null ? null : parseMlmodelSignature(text) };
    },
  );
  onRegistryChange(props.api, (n) => n === props.name, () => {
    void refetch();
    void refetchModel();
  });
  const [stage, setStage] = createSignal<Stage>("Staging");
  const [archive, setArchive] = createSignal(true);
  const [error, setError] = createSignal("");

  async function transition() {
    setError("");
    try {
      await props.api.call("transitionModelVersionStage", props.name, props.version, stage(), archive());
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <div class="tr-version-page" data-testid="version-page">
      <div class="tr-page-head">
        <button class="tr-back" onClick={() => props.nav.go({ page: "model", name: props.name })}>← {props.name}</button>
        <h2 data-testid="version-title">{props.name} · Version {props.version}</h2>
      </div>
      <Show when={mv.error}><div class="tr-error" role="alert">{errorText(mv.error)}</div></Show>
      <Show when={mv.latest}>
        {(v) => (
          <>
            <table class="tr-kv">
              <tbody>
                <tr><th>Stage</th><td data-testid="version-page-stage">{v().current_stage}</td></tr>
                <tr><th>Status</th><td>{v().status}</td></tr>
                <tr><th>Registered</th><td>{formatTime(v().creation_timestamp)}</td></tr>
                <tr><th>Source</th><td class="tr-mono">{v().source}</td></tr>
                <tr>
                  <th>Source run</th>
                  <td>
                    <Show when={v().run_id} fallback="—">
                      <a href="#" data-testid="version-run-link" onClick={(e) => (e.preventDefault(), props.nav.openRun(v().run_id!))}>{v().run_id}</a>
                    </Show>
                  </td>
                </tr>
                <tr><th>Description</th><td>{v().description || ""}</td></tr>
                <tr><th>Tags</th><td>{v().tags.map((t) => `${t.key}=${t.value}`).join(", ")}</td></tr>
              </tbody>
            </table>
            <section class="tr-section">
              <h3>Stage</h3>
              <form class="tr-inline-form" onSubmit={(e) => (e.preventDefault(), void transition())}>
                <select data-testid="stage-select" value={stage()} onChange={(e) => setStage(e.currentTarget.value as Stage)}>
                  <For each={STAGES}>{(s) => <option value={s}>{s}</option>}</For>
                </select>
                <label><input type="checkbox" data-testid="stage-archive" checked={archive()} onChange={(e) => setArchive(e.currentTarget.checked)} /> archive other versions in that stage</label>
                <button type="submit" data-testid="stage-transition">Transition</button>
              </form>
              <Show when={error()}><div class="tr-error" role="alert">{error()}</div></Show>
            </section>
            <section class="tr-section">
              <h3>Aliases</h3>
              <AliasEditor api={props.api} model={props.name} aliases={model.latest?.aliases ?? []} versions={[props.version]} version={props.version} />
            </section>
            <section class="tr-section">
              <h3>Serve</h3>
              <ServePanel api={props.api} modelUri={`models:/${props.name}/${props.version}`} />
            </section>
            <section class="tr-section" data-testid="version-signature">
              <h3>Signature</h3>
              <Show when={signature.latest} fallback={<div class="tr-muted">Reading MLmodel…</div>}>
                {(s) => (
                  <Show when={s().readable} fallback={<div class="tr-muted">The MLmodel file of this version's source is not readable here.</div>}>
                    <Show when={s().sig} fallback={<div class="tr-muted">This model has no signature.</div>}>
                      {(sig) => (
                        <div class="tr-columns">
                          <Schema title="Inputs" cols={sig().inputs} />
                          <Schema title="Outputs" cols={sig().outputs} />
                        </div>
                      )}
                    </Show>
                  </Show>
                )}
              </Show>
            </section>
          </>
        )}
      </Show>
    </div>
  );
}
