/** A cell's captured stdout and stderr, in arrival order. */
import { For, Show } from "solid-js";
import type { ConsoleChunk } from "../state/kernel.ts";

/** Shows console chunks; stderr is tinted so warnings stand out. */
export function ConsoleView(props: { chunks: ConsoleChunk[] }) {
  return (
    <Show when={props.chunks.length > 0}>
      <pre class="console" data-testid="cell-console">
        <For each={props.chunks}>{(c) => <span class={`console-${c.stream}`} data-stream={c.stream}>{c.text}</span>}</For>
      </pre>
    </Show>
  );
}
