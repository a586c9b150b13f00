/**
 * An output over the notebook's limit, reported instead of shown: its size against the limit, the
 * saved copy to open, and a way to raise the limit and re-run the cell.
 */
import { Show } from "solid-js";
import type { CellId, Output } from "../../electron/protocol.ts";
import { useApp } from "../state/index.ts";
import { formatSize, tooLargeMessage } from "../../electron/common/output-bounds.ts";
import { raisedLimit, sessionFileUrl } from "../state/output-limits.ts";

/** The notice for a `too-large` output of cell `cellId` (no re-run without one). */
export function TooLargeNotice(props: { output: Extract<Output, { kind: "too-large" }>; cellId?: CellId }) {
  const app = useApp();
  const raiseTo = () => raisedLimit(props.output.bytes);
  return (
    <div
      class="too-large"
      role="status"
      data-testid="output-too-large"
      data-bytes={props.output.bytes}
      data-limit={props.output.limit}
      data-output-kind={props.output.outputKind}
    >
      <span class="too-large-message">{tooLargeMessage(props.output.bytes, props.output.limit)}</span>
      <span class="too-large-actions">
        <Show when={props.output.savedAs}>
          {(savedAs) => (
            <>
              <a href={sessionFileUrl(savedAs())} target="_blank" rel="noopener" data-testid="open-saved-output">
                Open saved output
              </a>
              <a href={sessionFileUrl(savedAs(), true)} download="" data-testid="download-saved-output">
                Save as file
              </a>
            </>
          )}
        </Show>
        <Show when={props.cellId !== undefined && raiseTo()}>
          {(limit) => (
            <button
              type="button"
              data-testid="raise-output-limit"
              data-raise-to={limit()}
              onClick={() => app.actions.raiseOutputLimit(props.cellId!, limit())}
            >
              Raise the limit to {formatSize(limit())} and re-run
            </button>
          )}
        </Show>
      </span>
    </div>
  );
}
