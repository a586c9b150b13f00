/** One notebook cell: toolbar, editor, status, console and output. */
import { createEffect, createMemo, Show } from "solid-js";
import type { CellId } from "../../electron/protocol.ts";
import { CellEditor } from "../components/CellEditor.tsx";
import { Icon } from "../components/Icon.tsx";
import { CellErrorView, StoppedNotice } from "../components/CellErrorView.tsx";
import { ConsoleView } from "../components/ConsoleView.tsx";
import { OutputView } from "./OutputView.tsx";
import { useApp } from "../state/index.ts";
import { consoleLogUrl } from "../state/output-limits.ts";

/**
 * What the status badge says: the kernel's status; "edited" for code changed since it last ran;
 * "error" for a cell that failed (a syntax error however stale the kernel calls it), or
 * "interrupted" for one that Stop ended.
 */
type Shown = "idle" | "queued" | "running" | "stale" | "disabled" | "error" | "interrupted" | "edited";

const LABELS: Record<Shown, string> = {
  idle: "",
  queued: "queued",
  running: "running",
  stale: "stale",
  disabled: "disabled",
  error: "error",
  interrupted: "interrupted",
  edited: "edited",
};

const TITLES: Record<Shown, string> = {
  idle: "Up to date",
  queued: "Waiting to run",
  running: "Running",
  stale: "Stale: something it reads changed; run it (or Run stale) to update",
  disabled: "Disabled: it and the cells that read it do not run",
  error: "Failed: see the error below",
  interrupted: "Stopped before it finished",
  edited: "Edited since it last ran: run it to use the new code",
};

/** Renders the cell `id`; `index` is its position, for labels and move buttons. */
export function Cell(props: { id: CellId; index: number; count: number; names: () => { name: string; detail: string }[] }) {
  const app = useApp();
  const source = () => app.notebook.store.cells[props.id];
  const run = () => app.kernel.cell(props.id);
  const config = () => source()?.config ?? {};

  const status = createMemo<Shown>(() => {
    if (config().disabled) return "disabled";
    const s = run().status;
    if (s === "running" || s === "queued") return s;
    if (app.sentCode.edited(props.id, source()?.code ?? "")) return "edited";
    const error = run().error;
    if (error && (s === "idle" || error.kind === "syntax")) return error.kind === "interrupted" ? "interrupted" : "error";
    return s;
  });

  const runThis = () => app.actions.run([props.id]);

  let section!: HTMLElement;
  // A run page asked to see this cell: scroll to it, again when a newly opened notebook shows it.
  createEffect(() => {
    if (app.ui.focusedCell() !== props.id) return;
    void app.notebook.store.path;
    requestAnimationFrame(() => section.scrollIntoView({ block: "center" }));
  });

  return (
    <section
      ref={section}
      class="cell"
      classList={{
        disabled: !!config().disabled,
        focused: app.ui.focusedCell() === props.id,
        "from-last-session": run().fromLastSession,
        [`status-${status()}`]: true,
      }}
      data-testid="cell"
      data-cell-id={props.id}
      data-status={status()}
      aria-label={config().name ?? `cell ${props.index + 1}`}
    >
      <div class="cell-gutter">
        <button
          type="button"
          class="icon run"
          data-testid="run-cell"
          title="Run cell (Shift+Enter)"
          aria-label="Run cell"
          disabled={!!config().disabled}
          onClick={runThis}
        >
          <Icon name="run" />
        </button>
        <span class="status-dot" data-testid="cell-status" data-status={status()} title={run().staleReason ?? TITLES[status()]}>
          {LABELS[status()]}
        </span>
      </div>
      <div class="cell-body">
        <div class="cell-toolbar">
          <span class="cell-name">{config().name ?? ""}</span>
          <span class="spacer" />
          <button type="button" class="icon" data-testid="add-above" title="Add cell above" onClick={() => app.actions.addCell(props.id, "above")}>
            <Icon name="add-above" />
          </button>
          <button type="button" class="icon" data-testid="add-below" title="Add cell below" onClick={() => app.actions.addCell(props.id, "below")}>
            <Icon name="add-below" />
          </button>
          <button type="button" class="icon" data-testid="move-up" title="Move up" disabled={props.index === 0} onClick={() => app.actions.moveCell(props.id, -1)}>
            <Icon name="up" />
          </button>
          <button
            type="button"
            class="icon"
            data-testid="move-down"
            title="Move down"
            disabled={props.index >= props.count - 1}
            onClick={() => app.actions.moveCell(props.id, 1)}
          >
            <Icon name="down" />
          </button>
          <button
            type="button"
            class="icon"
            data-testid="toggle-code"
            title={config().hideCode ? "Show code" : "Hide code"}
            aria-pressed={!!config().hideCode}
            onClick={() => app.actions.setConfig(props.id, { hideCode: !config().hideCode })}
          >
            {config().hideCode ? "Show" : "Hide"}
          </button>
          <button
            type="button"
            class="icon"
            data-testid="toggle-disabled"
            title={config().disabled ? "Enable cell" : "Disable cell"}
            aria-pressed={!!config().disabled}
            onClick={() => app.actions.setConfig(props.id, { disabled: !config().disabled })}
          >
            {config().disabled ? "Enable" : "Disable"}
          </button>
          <button type="button" class="icon danger" data-testid="delete-cell" title="Delete cell" onClick={() => app.actions.deleteCell(props.id)}>
            <Icon name="trash" />
          </button>
        </div>
        <div class="editor-wrap" hidden={!!config().hideCode}>
          <CellEditor
            code={source()?.code ?? ""}
            onChange={(code) => app.notebook.editCode(props.id, code)}
            onRun={runThis}
            names={props.names}
          />
        </div>
        <div class="cell-output" data-testid="cell-output">
          <Show when={run().fromLastSession}>
            <div class="last-session" data-testid="last-session" title="Shown until the cell runs again">
              from last session
            </div>
          </Show>
          <Show when={run().error}>{(error) => <CellErrorView error={error()} cellId={props.id} />}</Show>
          <Show when={run().stoppedBy !== props.id && run().stoppedBy}>{(by) => <StoppedNotice by={by()} />}</Show>
          <Show when={run().output}>{(output) => <OutputView output={output()} revision={run().outputRevision} cellId={props.id} />}</Show>
        </div>
        <ConsoleView tail={run().console} fullLogUrl={consoleLogUrl(props.id)} />
      </div>
    </section>
  );
}
