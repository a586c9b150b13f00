/**
 * UI elements a cell created, bound to the kernel: every change sends `set-ui-value`, and the
 * kernel re-runs the cells that read the element. A slider being dragged sends at most every
 * 100 ms; releasing it always sends the final value.
 */
import { createMemo, createSignal, For, Match, onCleanup, Switch } from "solid-js";
import type { WidgetId, WidgetSpec } from "../../electron/protocol.ts";
import { useApp } from "../state/index.ts";
import { DataTable } from "./DataTable.tsx";

const DRAG_INTERVAL_MS = 100;

/**
 * The value on screen: what the user last chose, as long as the kernel's value is still the one
 * that choice was made against; a new value from the kernel (the defining cell re-ran) wins.
 */
function useDraft<T>(kernelValue: () => T) {
  const [draft, setDraft] = createSignal<{ base: string; value: T }>();
  const key = () => JSON.stringify(kernelValue());
  const value = createMemo(() => {
    const d = draft();
    return d && d.base === key() ? d.value : kernelValue();
  });
  return [value, (v: T) => setDraft({ base: key(), value: v })] as const;
}

function Slider(props: { spec: Extract<WidgetSpec, { kind: "slider" }>; send: (v: number) => void }) {
  const [value, setValue] = useDraft(() => props.spec.value);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let latest = 0;
  const sendSoon = (v: number) => {
    latest = v;
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      props.send(latest);
    }, DRAG_INTERVAL_MS);
  };
  const sendNow = (v: number) => {
    clearTimeout(timer);
    timer = undefined;
    props.send(v);
  };
  onCleanup(() => clearTimeout(timer));
  return (
    <label class="widget-row">
      <span class="widget-label">{props.spec.label}</span>
      <input
        type="range"
        data-testid="widget-input"
        min={props.spec.min}
        max={props.spec.max}
        step={props.spec.step}
        value={value()}
        onInput={(e) => {
          setValue(e.currentTarget.valueAsNumber);
          sendSoon(e.currentTarget.valueAsNumber);
        }}
        onChange={(e) => sendNow(e.currentTarget.valueAsNumber)}
      />
      <output class="widget-value" data-testid="widget-value">
        {value()}
      </output>
    </label>
  );
}

function NumberInput(props: { spec: Extract<WidgetSpec, { kind: "number" }>; send: (v: number) => void }) {
  const [value, setValue] = useDraft(() => props.spec.value);
  return (
    <label class="widget-row">
      <span class="widget-label">{props.spec.label}</span>
      <input
        type="number"
        data-testid="widget-input"
        min={props.spec.min}
        max={props.spec.max}
        step={props.spec.step}
        value={value()}
        onChange={(e) => {
          const v = e.currentTarget.valueAsNumber;
          if (Number.isNaN(v)) return;
          setValue(v);
          props.send(v);
        }}
      />
    </label>
  );
}

function TextInput(props: { spec: Extract<WidgetSpec, { kind: "text" }>; send: (v: string) => void }) {
  const [value, setValue] = useDraft(() => props.spec.value);
  return (
    <label class="widget-row">
      <span class="widget-label">{props.spec.label}</span>
      <input
        type="text"
        data-testid="widget-input"
        placeholder={props.spec.placeholder ?? ""}
        value={value()}
        // Sent on commit (blur or Enter), not per keystroke: each send re-runs the readers.
        onChange={(e) => {
          setValue(e.currentTarget.value);
          props.send(e.currentTarget.value);
        }}
      />
    </label>
  );
}

function Dropdown(props: { spec: Extract<WidgetSpec, { kind: "dropdown" }>; send: (v: string) => void }) {
  const [value, setValue] = useDraft(() => props.spec.value);
  return (
    <label class="widget-row">
      <span class="widget-label">{props.spec.label}</span>
      <select
        data-testid="widget-input"
        value={value() ?? ""}
        onChange={(e) => {
          setValue(e.currentTarget.value);
          props.send(e.currentTarget.value);
        }}
      >
        <option value="" disabled hidden>
          Choose…
        </option>
        <For each={props.spec.options}>{(o) => <option value={o}>{o}</option>}</For>
      </select>
    </label>
  );
}

function Checkbox(props: { spec: Extract<WidgetSpec, { kind: "checkbox" }>; send: (v: boolean) => void }) {
  const [value, setValue] = useDraft(() => props.spec.value);
  return (
    <label class="widget-row">
      <input
        type="checkbox"
        data-testid="widget-input"
        checked={value()}
        onChange={(e) => {
          setValue(e.currentTarget.checked);
          props.send(e.currentTarget.checked);
        }}
      />
      <span class="widget-label">{props.spec.label}</span>
    </label>
  );
}

function Button(props: { spec: Extract<WidgetSpec, { kind: "button" }>; send: (v: number) => void }) {
  const [value, setValue] = useDraft(() => props.spec.value);
  return (
    <button
      type="button"
      class="widget-button"
      data-testid="widget-input"
      onClick={() => {
        // The value counts clicks, so readers can tell a new press from a re-run.
        const next = value() + 1;
        setValue(next);
        props.send(next);
      }}
    >
      {props.spec.label}
    </button>
  );
}

function TableSelect(props: { spec: Extract<WidgetSpec, { kind: "table-select" }>; send: (v: number[]) => void }) {
  const [value, setValue] = useDraft(() => [...props.spec.value]);
  return (
    <div class="widget-table">
      <span class="widget-label">{props.spec.label}</span>
      <DataTable
        columns={props.spec.columns}
        rows={props.spec.rows}
        testid="widget-table"
        selection={{
          get selected() {
            return value();
          },
          get multiple() {
            return props.spec.multiple;
          },
          onChange: (selected) => {
            setValue(selected);
            props.send(selected);
          },
        }}
      />
    </div>
  );
}

/** One widget output, sending value changes to the kernel. */
export function Widget(props: { widget: WidgetSpec }) {
  const app = useApp();
  const send = (value: unknown) => app.actions.setUiValue(props.widget.id as WidgetId, value);
  const ofKind = <K extends WidgetSpec["kind"]>(kind: K) =>
    props.widget.kind === kind ? (props.widget as Extract<WidgetSpec, { kind: K }>) : false;
  return (
    <div class="widget" data-testid="widget" data-widget-kind={props.widget.kind} data-widget-id={props.widget.id}>
      <Switch>
        <Match when={ofKind("slider")}>
          {(spec) => <Slider spec={spec()} send={send} />}
        </Match>
        <Match when={ofKind("number")}>
          {(spec) => <NumberInput spec={spec()} send={send} />}
        </Match>
        <Match when={ofKind("text")}>
          {(spec) => <TextInput spec={spec()} send={send} />}
        </Match>
        <Match when={ofKind("dropdown")}>
          {(spec) => <Dropdown spec={spec()} send={send} />}
        </Match>
        <Match when={ofKind("checkbox")}>
          {(spec) => <Checkbox spec={spec()} send={send} />}
        </Match>
        <Match when={ofKind("button")}>
          {(spec) => <Button spec={spec()} send={send} />}
        </Match>
        <Match when={ofKind("table-select")}>
          {(spec) => <TableSelect spec={spec()} send={send} />}
        </Match>
      </Switch>
    </div>
  );
}
