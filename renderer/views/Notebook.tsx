/** The list of cells in notebook order, with an add button at the end. */
import { createMemo, For, Show } from "solid-js";
import type { CellId } from "../../electron/protocol.ts";
import { useApp } from "../state/index.ts";
import { Cell } from "./Cell.tsx";

/** All cells; each keeps its editor while cells move, since `For` is keyed by id. */
export function Notebook() {
  const app = useApp();

  const cellLabel = (id: CellId) => {
    const cell = app.notebook.store.cells[id];
    return cell?.config.name ? `“${cell.config.name}”` : `cell ${app.notebook.store.order.indexOf(id) + 1}`;
  };
  const stale = createMemo(() => Object.values(app.kernel.cells).some((c) => c.fromLastSession));
  // Completion entries for every name the notebook defines, labelled with the defining cell.
  const names = createMemo(() =>
    app.kernel.variables.map((v) => ({ name: v.name, detail: v.declaredBy.length ? `from ${cellLabel(v.declaredBy[0])}` : "" })),
  );

  return (
    <main class="notebook" data-testid="notebook">
      <Show when={app.notebook.loaded()} fallback={<div class="empty">Waiting for the host…</div>}>
        <Show when={!app.notebook.ranOnOpen() && stale()}>
          <div class="last-session-banner" role="status" data-testid="last-session-banner">
            <span>These outputs are from the last session and may be stale: the notebook did not run when it opened.</span>
            <span class="spacer" />
            <button type="button" class="primary" data-testid="run-all-recompute" onClick={() => app.actions.runAll()}>
              Run all to recompute
            </button>
          </div>
        </Show>
        {/* Keyed on the open: another notebook (or the same one opened afresh) gets new editors and undo history. */}
        <Show when={app.notebook.session()} keyed>
          <For each={app.notebook.store.order}>
            {(id, index) => <Cell id={id} index={index()} count={app.notebook.store.order.length} names={names} />}
          </For>
        </Show>
        <button type="button" class="add-cell" data-testid="add-cell" onClick={() => app.actions.addCell(undefined, "below")}>
          + Add cell
        </button>
      </Show>
    </main>
  );
}
