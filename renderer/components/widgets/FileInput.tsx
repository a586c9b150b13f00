/**
 * A file input: the chosen files' bytes go to the kernel in base64. A choice over the widget's
 * `maxBytes` is refused here, before any file is read, with the sizes (common/widget-values.ts
 * says it the same way the host would).
 */
import { createSignal, For, Show } from "solid-js";
import type { FileInfo, FileUpload } from "../../../electron/protocol.ts";
import { formatSize } from "../../../electron/common/output-bounds.ts";
import { filesTooLarge } from "../../../electron/common/widget-values.ts";
import { useDraft, type WidgetProps } from "./draft.ts";

/** The file's bytes in base64, read in chunks so a large file does not overflow the call stack. */
async function toBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The browser's file chooser, with the chosen files' names and sizes below it. */
export function FileInput(props: WidgetProps<"file">) {
  const [files, setFiles] = useDraft<FileInfo[]>(() => props.spec.value);
  const [error, setError] = createSignal<string>();
  const choose = async (list: FileList | null) => {
    const chosen = [...(list ?? [])];
    const tooLarge = filesTooLarge(chosen, props.spec.maxBytes);
    setError(tooLarge);
    if (tooLarge || chosen.length === 0) return;
    try {
      const uploads: FileUpload[] = await Promise.all(chosen.map(async (f) => ({ name: f.name, type: f.type, base64: await toBase64(f) })));
      setFiles(chosen.map((f) => ({ name: f.name, type: f.type, size: f.size })));
      props.send(uploads);
    } catch (err) {
      setError(`could not read the file: ${(err as Error).message}`);
    }
  };
  return (
    <div class="widget-column">
      <label class="widget-row">
        <span class="widget-label">{props.spec.label}</span>
        <input
          type="file"
          data-testid="widget-input"
          accept={props.spec.accept.join(",")}
          multiple={props.spec.multiple}
          aria-describedby={`${props.spec.id}-limit`}
          onChange={(e) => void choose(e.currentTarget.files)}
        />
        <span class="widget-hint" id={`${props.spec.id}-limit`}>
          up to {formatSize(props.spec.maxBytes)}
        </span>
      </label>
      <Show when={error()}>
        <div class="widget-error" role="alert" data-testid="widget-error">
          {error()}
        </div>
      </Show>
      <Show when={files().length > 0}>
        <ul class="widget-files" data-testid="widget-files">
          <For each={files()}>
            {(f) => (
              <li>
                {f.name} <span class="widget-hint">({formatSize(f.size)})</span>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </div>
  );
}
