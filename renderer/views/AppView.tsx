/**
 * The page `flowbook app` serves: the notebook as an app, read-only. Each cell shows its output (or
 * its error), widgets included, which still re-run their readers; there are no editors, no code, no
 * cell or notebook controls. The host refuses edits from this page anyway (host/app-host.ts).
 */
import { For, Show } from "solid-js";
import type { CellId } from "../../electron/protocol.ts";
import { CellErrorView } from "../components/CellErrorView.tsx";
import { useApp } from "../state/index.ts";
import { OutputView } from "./OutputView.tsx";
import "./app-view.css";

/** One cell's output in the app; a cell with nothing to show takes no room. */
function AppCell(props: { id: CellId }) {
  const app = useApp();
  const run = () => app.kernel.cell(props.id);
  return (
    <Show when={run().output || run().error}>
      <section class="app-cell" data-testid="app-cell" data-cell-id={props.id} data-status={run().status} aria-busy={run().status === "running"}>
        <Show when={run().error}>{(error) => <CellErrorView error={error()} cellId={props.id} />}</Show>
        <Show when={run().output}>{(output) => <OutputView output={output()} revision={run().outputRevision} cellId={props.id} />}</Show>
      </section>
    </Show>
  );
}

/** The app layout: a title bar with the kernel's state, the notice line, and the cells' outputs. */
export function AppView() {
  const app = useApp();
  const title = () => app.notebook.store.path.replace(/\.ts$/, "");
  const busy = () => app.host.info.kernel === "busy" || app.host.info.kernel === "starting";
  return (
    <div class="app app-view" data-testid="app-view">
      <header class="app-view-bar">
        <span class="brand">Flowbook</span>
        <span class="title" data-testid="app-title">
          {title()}
        </span>
        <span class="spacer" />
        <span class="app-view-state" data-testid="app-kernel" data-state={app.host.info.kernel}>
          {busy() ? "running…" : app.host.info.kernel === "dead" ? "stopped" : ""}
        </span>
      </header>
      <Show when={app.ui.notice()}>
        <div class="notice" role="status" data-testid="notice">
          {app.ui.notice()}
        </div>
      </Show>
      <main class="app-view-cells">
        <For each={app.notebook.store.order}>{(id) => <AppCell id={id} />}</For>
      </main>
    </div>
  );
}
