/**
 * A cell run's console: the tail the kernel state keeps (stdout and stderr in arrival order), led by
 * a line saying how many earlier lines are not shown, which opens the run's full log.
 */
import { createEffect, For, on, Show } from "solid-js";
import type { ConsoleTail } from "../state/console-tail.ts";

/**
 * Shows a console tail; stderr is tinted so warnings stand out. Each chunk is its own block, so a
 * chunk that grows or is trimmed lays out alone, not the whole tail, and chunks out of view are
 * skipped (`content-visibility`, sized by their line count). The view follows the newest line while
 * it is scrolled to the bottom (it starts there).
 */
export function ConsoleView(props: { tail: ConsoleTail; fullLogUrl: string }) {
  let pre: HTMLPreElement | undefined;
  let following = true;
  const onScroll = () => {
    if (pre) following = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
  };
  // Drives the scroll position only (imperative DOM); the tail's counters change with every append.
  createEffect(
    on([() => props.tail.bytes, () => props.tail.dropped], () => {
      if (pre && following) pre.scrollTop = pre.scrollHeight;
    }),
  );
  return (
    <Show when={props.tail.chunks.length > 0 || props.tail.dropped > 0}>
      <pre class="console" data-testid="cell-console" ref={(el) => ((pre = el), (following = true))} onScroll={onScroll}>
        <Show when={props.tail.dropped > 0}>
          <span class="console-dropped" data-testid="console-dropped" data-dropped={props.tail.dropped}>
            {`… ${props.tail.dropped.toLocaleString("en-US")} earlier ${props.tail.dropped === 1 ? "line" : "lines"} not shown — `}
            <a href={props.fullLogUrl} target="_blank" rel="noopener" data-testid="console-full-log">
              open the full log
            </a>
            {"\n"}
          </span>
        </Show>
        <For each={props.tail.chunks}>
          {(c) => (
            <span
              class={`console-chunk console-${c.stream}`}
              data-stream={c.stream}
              style={{ "contain-intrinsic-block-size": `auto ${Math.max(1, c.newlines)}lh` }}
            >
              {c.text}
            </span>
          )}
        </For>
      </pre>
    </Show>
  );
}
