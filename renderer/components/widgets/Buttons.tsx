/** Buttons: one that counts its clicks, and a run button whose click runs the cells it gates. */
import { useDraft, type WidgetProps } from "./draft.ts";
import { Icon } from "../Icon.tsx";

/** A button whose value counts its clicks. */
export function Button(props: WidgetProps<"button">) {
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

/** Each click is one input (`true`): the kernel runs the readers with the value true, then it is false again. */
export function RunButton(props: WidgetProps<"run-button">) {
  return (
    <button type="button" class="widget-button primary" data-testid="widget-input" onClick={() => props.send(true)}>
      <Icon name="run" /> {props.spec.label}
    </button>
  );
}
