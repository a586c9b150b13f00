/**
 * UI elements a cell created, bound to the kernel: every input sends `set-ui-value`, and the kernel
 * re-runs the cells that read the element. `WidgetBody` draws any spec from one table of controls
 * by kind (widgets/), and is what forms, arrays and dictionaries draw their elements with.
 */
import type { Component } from "solid-js";
import { Dynamic } from "solid-js/web";
import type { WidgetSpec } from "../../../electron/protocol.ts";
import { useApp } from "../../state/index.ts";
import { Button, RunButton } from "./Buttons.tsx";
import { Checkbox, Dropdown, Multiselect, Radio, Switch, TableSelect } from "./Choices.tsx";
import { Collection, Form, type Child } from "./Composites.tsx";
import type { WidgetProps } from "./draft.ts";
import { FileInput } from "./FileInput.tsx";
import { DateInput, NumberInput, RangeSlider, Slider, TextArea, TextInput } from "./Inputs.tsx";

/** The control for each kind; the type makes a new kind fail the build until it has one. */
const CONTROLS: { [K in WidgetSpec["kind"]]: Component<WidgetProps<K>> } = {
  slider: Slider,
  "range-slider": RangeSlider,
  number: NumberInput,
  text: TextInput,
  textarea: TextArea,
  date: DateInput,
  dropdown: Dropdown,
  radio: Radio,
  multiselect: Multiselect,
  checkbox: Checkbox,
  switch: Switch,
  button: Button,
  "run-button": RunButton,
  file: FileInput,
  "table-select": TableSelect,
  form: (props) => <Form {...props} child={WidgetBody} />,
  array: (props) => <Collection {...props} child={WidgetBody} />,
  dictionary: (props) => <Collection {...props} child={WidgetBody} />,
};

/** Any widget's control, sending its inputs to `send`. */
const WidgetBody: Child = (props) => (
  <Dynamic component={CONTROLS[props.spec.kind] as Component<{ spec: WidgetSpec; send: (input: unknown) => void }>} spec={props.spec} send={props.send} />
);

/** One widget output, sending its inputs to the kernel. */
export function Widget(props: { widget: WidgetSpec }) {
  const app = useApp();
  return (
    <div class="widget" data-testid="widget" data-widget-kind={props.widget.kind} data-widget-id={props.widget.id}>
      <WidgetBody spec={props.widget} send={(input) => app.actions.setUiValue(props.widget.id, input)} />
    </div>
  );
}
