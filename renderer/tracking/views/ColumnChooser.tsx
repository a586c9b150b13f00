/**
 * The runs table's column picker: metric, param and tag columns the loaded runs carry. A popup:
 * Esc or a click outside it (other than on the button that toggles it) closes it.
 */
import { For, onCleanup, onMount, Show } from "solid-js";
import type { ColumnId } from "../data/columns.ts";

/** Checkbox lists of the available keys; toggling one adds or removes its column. */
export function ColumnChooser(props: {
  available: { metrics: string[]; params: string[]; tags: string[] };
  chosen: ColumnId[];
  onToggle: (id: ColumnId) => void;
  onClose: () => void;
  /** The element that toggles the chooser: a click there is its own (it closes it by toggling). */
  toggle?: () => HTMLElement | undefined;
}) {
  let box!: HTMLDivElement;
  onMount(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && props.onClose();
    // On click, not pointerdown: closing shifts the table up, and a press that closed it at once
    // would land its click on whatever moved under the pointer (the header the user aimed at).
    const onClick = (e: MouseEvent) => {
      const target = e.target as Node;
      if (!box.contains(target) && !props.toggle?.()?.contains(target)) props.onClose();
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("click", onClick);
    onCleanup(() => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("click", onClick);
    });
  });
  const section = (title: string, kind: "metrics" | "params" | "tags", keys: string[]) => (
    <Show when={keys.length}>
      <fieldset class="tr-chooser-section">
        <legend>{title}</legend>
        <For each={keys}>
          {(key) => {
            const id = `${kind}:${key}`;
            return (
              <label class="tr-chooser-item">
                <input type="checkbox" data-testid={`column-option-${id}`} checked={props.chosen.includes(id)} onChange={() => props.onToggle(id)} /> {key}
              </label>
            );
          }}
        </For>
      </fieldset>
    </Show>
  );
  return (
    <div class="tr-chooser" data-testid="column-chooser" ref={box}>
      {section("Metrics", "metrics", props.available.metrics)}
      {section("Params", "params", props.available.params)}
      {section("Tags", "tags", props.available.tags)}
      <Show when={!props.available.metrics.length && !props.available.params.length && !props.available.tags.length}>
        <div class="tr-muted">The loaded runs have no metrics, params or tags yet.</div>
      </Show>
    </div>
  );
}
