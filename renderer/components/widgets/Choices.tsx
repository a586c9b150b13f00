/**
 * Widgets that choose: dropdown, radio buttons, multiselect (a group of checkboxes), checkbox,
 * switch, and rows of a table. A group is a fieldset whose legend is the widget's label.
 */
import { For } from "solid-js";
import { DataTable } from "../DataTable.tsx";
import { useValue, type WidgetProps } from "./draft.ts";

/** A select over the options. */
export function Dropdown(props: WidgetProps<"dropdown">) {
  const [value, commit] = useValue(props);
  return (
    <label class="widget-row">
      <span class="widget-label">{props.spec.label}</span>
      <select data-testid="widget-input" value={value() ?? ""} onChange={(e) => commit(e.currentTarget.value)}>
        <option value="" disabled hidden>
          Choose…
        </option>
        <For each={props.spec.options}>{(o) => <option value={o}>{o}</option>}</For>
      </select>
    </label>
  );
}

/** Native radios share a name per widget, so arrow keys move the choice within the group. */
export function Radio(props: WidgetProps<"radio">) {
  const [value, commit] = useValue(props);
  return (
    <fieldset class="widget-group" classList={{ inline: props.spec.inline }} data-testid="widget-input">
      <legend class="widget-label">{props.spec.label}</legend>
      <For each={props.spec.options}>
        {(o) => (
          <label class="widget-option">
            <input type="radio" name={props.spec.id} value={o} checked={value() === o} onChange={() => commit(o)} />
            {o}
          </label>
        )}
      </For>
    </fieldset>
  );
}

/** The chosen options keep the order of `options`; past `maxSelections`, the unchosen ones are disabled. */
export function Multiselect(props: WidgetProps<"multiselect">) {
  const [value, commit] = useValue(props);
  const full = () => props.spec.maxSelections !== undefined && value().length >= props.spec.maxSelections;
  const toggle = (o: string, on: boolean) => {
    const chosen = new Set(value());
    if (on) chosen.add(o);
    else chosen.delete(o);
    commit(props.spec.options.filter((x) => chosen.has(x)));
  };
  return (
    <fieldset class="widget-group inline" data-testid="widget-input">
      <legend class="widget-label">
        {props.spec.label}
        {props.spec.maxSelections !== undefined ? ` (up to ${props.spec.maxSelections})` : ""}
      </legend>
      <For each={props.spec.options}>
        {(o) => (
          <label class="widget-option">
            <input
              type="checkbox"
              value={o}
              checked={value().includes(o)}
              disabled={full() && !value().includes(o)}
              onChange={(e) => toggle(o, e.currentTarget.checked)}
            />
            {o}
          </label>
        )}
      </For>
    </fieldset>
  );
}

/** A checkbox with its label after it. */
export function Checkbox(props: WidgetProps<"checkbox">) {
  const [value, commit] = useValue(props);
  return (
    <label class="widget-row">
      <input type="checkbox" data-testid="widget-input" checked={value()} onChange={(e) => commit(e.currentTarget.checked)} />
      <span class="widget-label">{props.spec.label}</span>
    </label>
  );
}

/** A checkbox with the switch role, drawn as a toggle; Space flips it. */
export function Switch(props: WidgetProps<"switch">) {
  const [value, commit] = useValue(props);
  return (
    <label class="widget-row">
      <input
        type="checkbox"
        role="switch"
        class="widget-switch"
        data-testid="widget-input"
        checked={value()}
        aria-checked={value()}
        onChange={(e) => commit(e.currentTarget.checked)}
      />
      <span class="widget-label">{props.spec.label}</span>
    </label>
  );
}

/** A data table whose rows are ticked to select them. */
export function TableSelect(props: WidgetProps<"table-select">) {
  const [value, commit] = useValue(props);
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
          onChange: commit,
        }}
      />
    </div>
  );
}
