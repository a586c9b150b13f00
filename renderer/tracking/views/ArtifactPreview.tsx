/**
 * Preview of one artifact by kind: image, text (log, json, yaml, MLmodel, …), CSV/TSV as a table,
 * HTML in a fully sandboxed iframe (no scripts, no same-origin), PDF, or just the download link.
 */
import { createResource, For, Match, Show, Switch } from "solid-js";
import { parseDelimited, previewKind } from "../data/artifact-kind.ts";
import { errorText } from "../data/api.ts";
import { formatBytes } from "../data/format.ts";

/** Text previews stop here; bigger files are offered as downloads. */
const MAX_TEXT_BYTES = 2 * 1024 * 1024;

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not read the artifact (HTTP ${res.status})`);
  return res.text();
}

/** Shows the artifact at `url` (its repository-relative `path` decides the preview). */
export function ArtifactPreview(props: { path: string; url: string; size?: number }) {
  const kind = () => previewKind(props.path);
  const tooBig = () => (props.size ?? 0) > MAX_TEXT_BYTES;
  const [text] = createResource(
    () => ((kind() === "text" || kind() === "table") && !tooBig() ? props.url : undefined),
    fetchText,
  );
  const table = () => {
    const t = text.latest;
    return t === undefined ? [] : parseDelimited(t, props.path.toLowerCase().endsWith(".tsv") ? "\t" : ",");
  };
  return (
    <div class="tr-preview" data-testid="artifact-preview" data-kind={kind()}>
      <div class="tr-preview-head">
        <strong data-testid="artifact-preview-path">{props.path}</strong> <span class="tr-muted">{formatBytes(props.size)}</span>{" "}
        <a href={props.url} download={props.path.split("/").pop()} data-testid="artifact-download">Download</a>
      </div>
      <Show when={text.error}>
        <div class="tr-error">{errorText(text.error)}</div>
      </Show>
      <Switch fallback={<div class="tr-muted">No preview for this file type.</div>}>
        <Match when={(kind() === "text" || kind() === "table") && tooBig()}>
          <div class="tr-muted">Too large to preview ({formatBytes(props.size)}); use Download.</div>
        </Match>
        <Match when={kind() === "image"}>
          <img class="tr-preview-img" src={props.url} alt={props.path} data-testid="artifact-image" />
        </Match>
        <Match when={kind() === "text"}>
          <pre class="tr-preview-text" data-testid="artifact-text">{text.latest ?? "Loading…"}</pre>
        </Match>
        <Match when={kind() === "table"}>
          <div class="tr-preview-table-wrap">
            <table class="tr-preview-table" data-testid="artifact-table">
              <thead>
                <tr><For each={table()[0] ?? []}>{(h) => <th>{h}</th>}</For></tr>
              </thead>
              <tbody>
                <For each={table().slice(1)}>{(row) => <tr><For each={row}>{(c) => <td>{c}</td>}</For></tr>}</For>
              </tbody>
            </table>
          </div>
        </Match>
        <Match when={kind() === "html"}>
          <iframe class="tr-preview-frame" sandbox="" src={props.url} title={props.path} data-testid="artifact-html" />
        </Match>
        <Match when={kind() === "pdf"}>
          <iframe class="tr-preview-frame" sandbox="" src={props.url} title={props.path} />
        </Match>
      </Switch>
    </div>
  );
}
