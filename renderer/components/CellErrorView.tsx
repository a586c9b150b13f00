/** A cell error in words: what went wrong, where, and which cells are involved. */
import { For, Match, Show, Switch } from "solid-js";
import type { CellError, CellId } from "../../electron/protocol.ts";
import { useApp } from "../state/index.ts";
import { fileLineOf } from "../../electron/common/notebook-lines.ts";

/** Names a cell for the user: by its name when it has one, else by its position. */
function useCellLabel(): (id: CellId) => string {
  const app = useApp();
  return (id) => {
    const cell = app.notebook.store.cells[id];
    const index = app.notebook.store.order.indexOf(id);
    return cell?.config.name ? `“${cell.config.name}”` : index >= 0 ? `cell ${index + 1}` : `cell ${id}`;
  };
}

/** A cell an ancestor's `stop()` kept from running: a quiet notice, not an error. */
export function StoppedNotice(props: { by: CellId }) {
  const cellLabel = useCellLabel();
  return (
    <div class="cell-notice" data-testid="not-run-stopped" data-stopped-by={props.by}>
      Not run: {cellLabel(props.by)} stopped.
    </div>
  );
}

/**
 * Renders one `CellError` of cell `cellId`, naming cells by their name when they have one and an
 * exception's place as `notebook.ts:LINE:COL` of the file as it would be saved.
 */
export function CellErrorView(props: { error: CellError; cellId: CellId }) {
  const app = useApp();
  const cellLabel = useCellLabel();
  const place = (line: number, column: number | undefined) => {
    const { store } = app.notebook;
    const codes = store.order.map((id) => store.cells[id]?.code ?? "");
    const at = fileLineOf(store.headerLines, codes, store.order.indexOf(props.cellId), line);
    return `${store.path.split(/[\\/]/).pop() || "notebook.ts"}:${at}:${column ?? 1}`;
  };
  const ofKind = <K extends CellError["kind"]>(kind: K) =>
    props.error.kind === kind ? (props.error as Extract<CellError, { kind: K }>) : false;
  return (
    <div class="cell-error" data-testid="cell-error" data-error-kind={props.error.kind} role="alert">
      <Switch>
        <Match when={ofKind("exception")}>
          {(err) => (
            <>
              <div class="error-title">
                {err().name}: {err().message}
                <Show when={err().line}>
                  {(line) => (
                    <span class="error-line" data-testid="error-line" title={`line ${line()} of the cell`}>
                      {" "}
                      ({place(line(), err().column)})
                    </span>
                  )}
                </Show>
              </div>
              <Show when={err().stack}>
                <details>
                  <summary>Stack trace</summary>
                  <pre class="error-stack">{err().stack}</pre>
                </details>
              </Show>
            </>
          )}
        </Match>
        <Match when={ofKind("syntax")}>
          {(err) => (
            <div class="error-title">
              SyntaxError: {err().message}
              <span class="error-line" data-testid="error-line">
                {" "}
                (line {err().line}, column {err().column})
              </span>
            </div>
          )}
        </Match>
        <Match when={ofKind("multiple-definition")}>
          {(err) => (
            <div class="error-title">
              <code>{err().name}</code> is defined by more than one cell: {err().cells.map(cellLabel).join(", ")}. Rename
              it in all but one.
            </div>
          )}
        </Match>
        <Match when={ofKind("cycle")}>
          {(err) => (
            <>
              <div class="error-title">These cells depend on each other in a cycle:</div>
              <ul>
                <For each={err().edges}>
                  {(edge) => (
                    <li>
                      {cellLabel(edge.from)} → {cellLabel(edge.to)} via <code>{edge.names.join(", ")}</code>
                    </li>
                  )}
                </For>
              </ul>
            </>
          )}
        </Match>
        <Match when={ofKind("ancestor-failed")}>
          {(err) => (
            <div class="error-title">
              Not run: {cellLabel(err().cell)} failed
              <Show when={err().name}>
                {(name) => (
                  <>
                    {" "}
                    (it defines <code>{name()}</code>)
                  </>
                )}
              </Show>
              .
            </div>
          )}
        </Match>
        <Match when={ofKind("interrupted")}>
          {(err) => (
            <div class="error-title" data-testid="interrupted">
              Interrupted.<Show when={err().restarted}>{(why) => <> {why()[0]!.toUpperCase() + why().slice(1)}.</>}</Show>
            </div>
          )}
        </Match>
        <Match when={ofKind("reference")}>
          {(err) => (
            <div class="error-title">
              ReferenceError: <code>{err().name}</code> is not defined
              <Show when={err().expectedCell}>{(id) => <> (it was defined by {cellLabel(id())})</>}</Show>.
              <Show when={err().importFrom}>
                {(from) => (
                  <>
                    {" "}Add it to the cell that imports from "{from()}": <code>{`import { ${err().name} } from "${from()}"`}</code>
                  </>
                )}
              </Show>
            </div>
          )}
        </Match>
        <Match when={ofKind("invalid")}>
          {(err) => (
            <div class="error-title">
              {err().message}
              <Show when={err().line !== undefined}>
                <span class="error-line" data-testid="error-line"> (line {err().line})</span>
              </Show>
            </div>
          )}
        </Match>
      </Switch>
    </div>
  );
}
