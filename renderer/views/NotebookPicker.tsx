/** Dialogs to open an existing notebook (from the host's list) or create a new one. */
import { createResource, createSignal, ErrorBoundary, For, Show, Suspense, type JSX } from "solid-js";
import { useApp } from "../state/index.ts";

/** Reads the `list-notebooks` result: paths, or objects carrying a `path`, possibly under `notebooks`. */
function toPaths(result: unknown): string[] {
  const list = Array.isArray(result)
    ? result
    : result && typeof result === "object" && Array.isArray((result as { notebooks?: unknown }).notebooks)
      ? (result as { notebooks: unknown[] }).notebooks
      : [];
  return list
    .map((item) => (typeof item === "string" ? item : item && typeof item === "object" ? (item as { path?: unknown }).path : undefined))
    .filter((p): p is string => typeof p === "string");
}

/** A modal dialog; clicking outside it closes the overlay. */
export function Dialog(props: { title: string; testid: string; children: JSX.Element }) {
  const app = useApp();
  return (
    <div class="overlay" onClick={(e) => e.target === e.currentTarget && app.ui.setOverlay("none")}>
      <div class="dialog" role="dialog" aria-label={props.title} data-testid={props.testid}>
        <h2>{props.title}</h2>
        {props.children}
      </div>
    </div>
  );
}

/** Lists the host's notebooks; choosing one opens it. */
export function OpenDialog() {
  const app = useApp();
  const [list] = createResource(() => app.actions.listNotebooks().then(toPaths));
  const [error, setError] = createSignal<string | null>(null);
  const open = (path: string) => {
    setError(null);
    app.actions
      .open(path)
      .then(() => app.ui.setOverlay("none"))
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  };
  return (
    <Dialog title="Open notebook" testid="open-dialog">
      <ErrorBoundary fallback={(e: unknown) => <div class="dialog-error">Could not list notebooks: {String(e instanceof Error ? e.message : e)}</div>}>
        <Suspense fallback={<div class="muted">Loading…</div>}>
          <Show when={(list() ?? []).length > 0} fallback={<div class="muted">No notebooks found.</div>}>
            <ul class="picker">
              <For each={list()}>
                {(path) => (
                  <li>
                    <button type="button" data-testid="notebook-choice" data-path={path} classList={{ current: path === app.notebook.store.path }} onClick={() => open(path)}>
                      {path}
                    </button>
                  </li>
                )}
              </For>
            </ul>
          </Show>
        </Suspense>
      </ErrorBoundary>
      <Show when={error()}>
        <div class="dialog-error">{error()}</div>
      </Show>
      <div class="dialog-actions">
        <button type="button" onClick={() => app.ui.setOverlay("none")}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}

/** Asks for a path and creates an empty notebook there. */
export function NewDialog() {
  const app = useApp();
  const [error, setError] = createSignal<string | null>(null);
  let input!: HTMLInputElement;
  const create = (e: SubmitEvent) => {
    e.preventDefault();
    const path = input.value.trim();
    if (!path) return;
    setError(null);
    app.actions
      .create(path.endsWith(".ts") ? path : `${path}.ts`)
      .then(() => app.ui.setOverlay("none"))
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  };
  return (
    <Dialog title="New notebook" testid="new-dialog">
      <form onSubmit={create}>
        <label class="field">
          File name
          <input ref={input} data-testid="new-notebook-path" value="untitled.ts" autofocus />
        </label>
        <Show when={error()}>
          <div class="dialog-error">{error()}</div>
        </Show>
        <div class="dialog-actions">
          <button type="button" onClick={() => app.ui.setOverlay("none")}>
            Cancel
          </button>
          <button type="submit" class="primary" data-testid="create-notebook">
            Create
          </button>
        </div>
      </form>
    </Dialog>
  );
}
