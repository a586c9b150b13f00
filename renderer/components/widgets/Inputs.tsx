/**
 * Widgets that take a number, a text or a date: slider, range slider, number, text, text area,
 * date. Each is a native control inside its label, so it has a name and keyboard use for free.
 */
import type { JSX } from "solid-js";
import { useThrottledSend, useValue, type WidgetProps } from "./draft.ts";

/** A label and its control on one line. */
function Row(props: { label: string; children: JSX.Element }) {
  return (
    <label class="widget-row">
      <span class="widget-label">{props.label}</span>
      {props.children}
    </label>
  );
}

/** A slider with its value beside it; dragging sends at most every 100 ms. */
export function Slider(props: WidgetProps<"slider">) {
  const [value, , show] = useValue(props);
  const send = useThrottledSend(props.send);
  return (
    <Row label={props.spec.label}>
      <input
        type="range"
        data-testid="widget-input"
        min={props.spec.min}
        max={props.spec.max}
        step={props.spec.step}
        value={value()}
        onInput={(e) => {
          show(e.currentTarget.valueAsNumber);
          send.soon(e.currentTarget.valueAsNumber);
        }}
        onChange={(e) => send.now(e.currentTarget.valueAsNumber)}
      />
      <output class="widget-value" data-testid="widget-value">
        {value()}
      </output>
    </Row>
  );
}

/** Two thumbs on one track; each is its own range input (arrow keys move it), kept on its side of the other. */
export function RangeSlider(props: WidgetProps<"range-slider">) {
  const [value, , show] = useValue(props);
  const send = useThrottledSend(props.send);
  const move = (end: 0 | 1, n: number, final: boolean) => {
    const [lo, hi] = value();
    const next: [number, number] = end === 0 ? [Math.min(n, hi), hi] : [lo, Math.max(n, lo)];
    show(next);
    if (final) send.now(next);
    else send.soon(next);
  };
  const fraction = (n: number) => String((n - props.spec.min) / (props.spec.max - props.spec.min || 1));
  const thumb = (end: 0 | 1) => (
    <input
      type="range"
      data-testid={end === 0 ? "widget-input-low" : "widget-input-high"}
      aria-label={`${props.spec.label || "range"} (${end === 0 ? "from" : "to"})`}
      min={props.spec.min}
      max={props.spec.max}
      step={props.spec.step}
      value={value()[end]}
      onInput={(e) => move(end, e.currentTarget.valueAsNumber, false)}
      onChange={(e) => move(end, e.currentTarget.valueAsNumber, true)}
    />
  );
  return (
    <div class="widget-row" role="group" aria-label={props.spec.label || "range"}>
      <span class="widget-label">{props.spec.label}</span>
      <span class="widget-range" style={{ "--lo": fraction(value()[0]), "--hi": fraction(value()[1]) }}>
        {thumb(0)}
        {thumb(1)}
      </span>
      <output class="widget-value" data-testid="widget-value">
        {value()[0]} – {value()[1]}
      </output>
    </div>
  );
}

/** A number field; a value is sent on Enter or leaving the field, held to min..max. */
export function NumberInput(props: WidgetProps<"number">) {
  const [value, commit] = useValue(props);
  return (
    <Row label={props.spec.label}>
      <input
        type="number"
        data-testid="widget-input"
        min={props.spec.min}
        max={props.spec.max}
        // Without a step any number is allowed (the browser's default step is 1).
        step={props.spec.step ?? "any"}
        value={value()}
        onChange={(e) => {
          const v = e.currentTarget.valueAsNumber;
          if (Number.isNaN(v)) return;
          // A number past a bound becomes the bound, shown and sent (the kernel would refuse it).
          const bounded = Math.min(props.spec.max ?? Infinity, Math.max(props.spec.min ?? -Infinity, v));
          if (bounded !== v) e.currentTarget.valueAsNumber = bounded;
          commit(bounded);
        }}
      />
    </Row>
  );
}

/** A one-line text field. */
export function TextInput(props: WidgetProps<"text">) {
  const [value, commit] = useValue(props);
  return (
    <Row label={props.spec.label}>
      <input
        type="text"
        data-testid="widget-input"
        placeholder={props.spec.placeholder ?? ""}
        maxLength={props.spec.maxLength}
        value={value()}
        // Sent on commit (blur or Enter), not per keystroke: each send re-runs the readers.
        onChange={(e) => commit(e.currentTarget.value)}
      />
    </Row>
  );
}

/** A multi-line text field. */
export function TextArea(props: WidgetProps<"textarea">) {
  const [value, commit] = useValue(props);
  return (
    <label class="widget-column">
      <span class="widget-label">{props.spec.label}</span>
      <textarea
        data-testid="widget-input"
        rows={props.spec.rows}
        placeholder={props.spec.placeholder ?? ""}
        maxLength={props.spec.maxLength}
        value={value()}
        // Sent when the field loses focus, or on Ctrl/⌘+Enter (Enter alone is a new line).
        onChange={(e) => commit(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) commit(e.currentTarget.value);
        }}
      />
    </label>
  );
}

/** The browser's date picker, bounded by `start` and `stop`. */
export function DateInput(props: WidgetProps<"date">) {
  const [value, commit] = useValue(props);
  return (
    <Row label={props.spec.label}>
      <input
        type="date"
        data-testid="widget-input"
        min={props.spec.start}
        max={props.spec.stop}
        value={value()}
        onChange={(e) => {
          // A half-typed or out-of-range date is left for the user to finish; the kernel keeps its value.
          if (e.currentTarget.value !== "" && e.currentTarget.checkValidity()) commit(e.currentTarget.value);
        }}
      />
    </Row>
  );
}
