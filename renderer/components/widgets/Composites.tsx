/**
 * Widgets made of widgets: a form (its element's inputs wait for Submit) and an array or dictionary
 * (an element's input goes out as `{ index, value }`). They draw their elements with `child`, the
 * same component that draws any widget, handed in so this file does not import it back.
 */
import { createSignal, Index, Show, type JSX } from "solid-js";
import { Dynamic } from "solid-js/web";
import type { WidgetSpec } from "../../../electron/protocol.ts";
import { addInput } from "./form-inputs.ts";
import type { WidgetProps } from "./draft.ts";

/** Draws any widget spec, sending its inputs to `send`. */
export type Child = (props: { spec: WidgetSpec; send: (input: unknown) => void }) => JSX.Element;

/** One element of a composite; its label falls back to its key in a dictionary. */
function Element(props: { spec: WidgetSpec; name?: string; child: Child; send: (input: unknown) => void }) {
  return (
    <div class="widget-element" data-testid="widget-element" data-widget-kind={props.spec.kind} data-widget-id={props.spec.id}>
      <Dynamic component={props.child} spec={props.name && !props.spec.label ? { ...props.spec, label: props.name } : props.spec} send={props.send} />
    </div>
  );
}

/** The element, then a submit button; inputs wait in `pending` until it is pressed. */
export function Form(props: WidgetProps<"form"> & { child: Child }) {
  const [pending, setPending] = createSignal<unknown[]>([]);
  return (
    <form
      class="widget-form"
      aria-label={props.spec.label || "form"}
      onSubmit={(e) => {
        e.preventDefault();
        props.send({ inputs: pending() });
        setPending([]);
      }}
    >
      <Show when={props.spec.label}>
        <div class="widget-label">{props.spec.label}</div>
      </Show>
      <Element spec={props.spec.element} child={props.child} send={(input) => setPending((p) => addInput(props.spec.element, p, input))} />
      <div class="widget-form-actions">
        <button type="submit" class="primary" data-testid="widget-submit">
          {props.spec.submitLabel}
        </button>
        <Show when={pending().length > 0}>
          <span class="widget-hint" data-testid="widget-pending">
            not submitted yet
          </span>
        </Show>
      </div>
    </form>
  );
}

/** An array's or dictionary's elements in a group, each sending `{ index, value }`. */
export function Collection(props: WidgetProps<"array" | "dictionary"> & { child: Child }) {
  const keys = () => (props.spec.kind === "dictionary" ? props.spec.keys : []);
  return (
    <fieldset class="widget-group widget-collection">
      <Show when={props.spec.label}>
        <legend class="widget-label">{props.spec.label}</legend>
      </Show>
      <Index each={props.spec.elements}>
        {(element, i) => <Element spec={element()} name={keys()[i]} child={props.child} send={(value) => props.send({ index: i, value })} />}
      </Index>
    </fieldset>
  );
}
