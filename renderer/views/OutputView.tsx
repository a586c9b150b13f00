/** A cell's output, any `Output` by kind (a stack renders its items in order); it reads the app's theme and tracking api, so it is a view. */
import { For, Match, Switch } from "solid-js";
import { ProgressBar } from "../components/ProgressBar.tsx";
import type { CellId, Output } from "../../electron/protocol.ts";
import { PlotChart } from "../charts/PlotChart.tsx";
import { useApp } from "../state/index.ts";
import { DataTable } from "../components/DataTable.tsx";
import { JsonTree } from "../components/JsonTree.tsx";
import { Markdown } from "../components/Markdown.tsx";
import { TrackingView } from "../tracking/index.ts";
import { Widget } from "../components/widgets/Widget.tsx";
import { TooLargeNotice } from "./TooLargeNotice.tsx";

/**
 * One output of cell `cellId`; `revision` changes with every new output of the cell (charts redraw
 * on it).
 */
export function OutputView(props: { output: Output; revision: number; cellId?: CellId }) {
  const app = useApp();
  const ofKind = <K extends Output["kind"]>(kind: K) =>
    props.output.kind === kind ? (props.output as Extract<Output, { kind: K }>) : false;
  return (
    <Switch>
      <Match when={ofKind("text")}>
        {(o) => (
          <pre class="output-text" data-testid="output-text">
            {o().text}
          </pre>
        )}
      </Match>
      <Match when={ofKind("markdown")}>{(o) => <Markdown markdown={o().markdown} />}</Match>
      <Match when={ofKind("json")}>{(o) => <JsonTree value={o().value} />}</Match>
      <Match when={ofKind("table")}>{(o) => <DataTable columns={o().columns} rows={o().rows} />}</Match>
      <Match when={ofKind("plot")}>
        {(o) => <PlotChart figure={o().figure} revision={props.revision} dark={app.ui.dark()} />}
      </Match>
      <Match when={ofKind("widget")}>{(o) => <Widget widget={o().widget} />}</Match>
      <Match when={ofKind("progress")}>
        {(o) => <ProgressBar label={o().label} value={o().value} total={o().total} stopped={o().stopped} />}
      </Match>
      <Match when={ofKind("stack")}>
        {(o) => (
          <div class="stack" data-testid="output-stack">
            <For each={o().items}>{(item) => <OutputView output={item} revision={props.revision} cellId={props.cellId} />}</For>
          </div>
        )}
      </Match>
      <Match when={ofKind("tracking-view")}>
        {(o) => <TrackingView api={app.trackingApi} view={o().view} props={o().props} />}
      </Match>
      <Match when={ofKind("too-large")}>{(o) => <TooLargeNotice output={o()} cellId={props.cellId} />}</Match>
    </Switch>
  );
}
