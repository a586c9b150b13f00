/**
 * UI elements for cells (`ui.slider`, …), with marimo's value shapes. A widget is an object whose
 * `.value` cells read; shown as an output it renders `{ kind: "widget" }` with its current value. A
 * `set-ui-value` from the renderer updates `.value` and re-runs every cell reading a global bound to
 * the widget, except the cell that created it (reactive-semantics T34). Ids are deterministic:
 * `<cellId>-<counter>`. The models behind them are in widget-model.ts; the input rule in
 * common/widget-values.ts.
 */
import type { WidgetSpec } from "../../protocol.ts";
import { DEFAULT_FILE_MAX_BYTES, FILE_MAX_BYTES_CAP, isIsoDate, widgetInputProblem } from "../../common/widget-values.ts";
import { paramInitial } from "./args.ts";
import { collection, copyOf, expose, form, leaf, type LeafBody, type UploadedFile, type Widget } from "./widget-model.ts";

export { isWidget, type UploadedFile, type Widget } from "./widget-model.ts";

type SpecOf<K extends WidgetSpec["kind"]> = Extract<WidgetSpec, { kind: K }>;
/** A widget's options: its spec's fields, and `name`, the notebook parameter its initial value comes from. */
type Options<K extends WidgetSpec["kind"]> = Partial<Omit<SpecOf<K>, "kind" | "id">> & { name?: string };

/** Whether `flowbook run` is running the notebook as a script (see `setScriptMode`). */
let script = false;

/**
 * Runs the notebook as a script (`flowbook run`): nobody can click there, so every run button reads
 * as clicked and the cells it gates (training) run.
 */
export function setScriptMode(on: boolean): void {
  script = on;
}

/**
 * A widget holding one value, starting at the notebook parameter `name` when given (`-P name=…`),
 * else at `body.value`. A start that does not fit the widget (out of range, not an option) throws,
 * naming the parameter when it came from one.
 */
function valueWidget<B extends LeafBody>(body: B, name?: string): Widget<B["value"]> {
  const initial = paramInitial(name, body.value);
  const problem = widgetInputProblem({ ...body, id: "", value: initial } as unknown as WidgetSpec, initial);
  if (problem) throw new RangeError(initial !== body.value ? `parameter '${name}': ${problem}` : `ui.${body.kind}: ${problem}`);
  return expose(leaf(body, initial));
}

const clamp = (n: number, min?: number, max?: number) => Math.min(max ?? Infinity, Math.max(min ?? -Infinity, n));

/** Today in the kernel's time zone, `YYYY-MM-DD`. */
function today(): string {
  const d = new Date();
  return `${String(d.getFullYear()).padStart(4, "0")}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** The UI element constructors cells import as `ui` from "flowbook". */
export const ui = {
  /** A slider; value is a number between min and max (a start outside them is clamped). */
  slider(o: Options<"slider"> = {}): Widget<number> {
    const min = o.min ?? 0, max = o.max ?? 100;
    return valueWidget({ kind: "slider", label: o.label ?? "", min, max, step: o.step ?? 1, value: clamp(o.value ?? min, min, max) }, o.name);
  },
  /** A slider with two handles; value is `[low, high]`, by default the whole range. */
  rangeSlider(o: Options<"range-slider"> = {}): Widget<[number, number]> {
    const min = o.min ?? 0, max = o.max ?? 100;
    return valueWidget({ kind: "range-slider", label: o.label ?? "", min, max, step: o.step ?? 1, value: o.value ?? ([min, max] as [number, number]) }, o.name);
  },
  /** A number input (a start outside min..max is clamped). */
  number(o: Options<"number"> = {}): Widget<number> {
    return valueWidget({ kind: "number", label: o.label ?? "", min: o.min, max: o.max, step: o.step, value: clamp(o.value ?? o.min ?? 0, o.min, o.max) }, o.name);
  },
  /** A one-line text input; its value changes when the user commits (Enter or leaving the field). */
  text(o: Options<"text"> = {}): Widget<string> {
    return valueWidget({ kind: "text", label: o.label ?? "", placeholder: o.placeholder, maxLength: o.maxLength, value: o.value ?? "" }, o.name);
  },
  /** A multi-line text area (`rows` tall, 4 by default); its value changes when it loses focus or on Ctrl/⌘+Enter. */
  textarea(o: Options<"textarea"> = {}): Widget<string> {
    return valueWidget({ kind: "textarea", label: o.label ?? "", placeholder: o.placeholder, maxLength: o.maxLength, rows: o.rows ?? 4, value: o.value ?? "" }, o.name);
  },
  /** A dropdown over `options`; value is the chosen option (the first by default) or null. */
  dropdown(o: Options<"dropdown"> & { options: string[] }): Widget<string | null> {
    return valueWidget({ kind: "dropdown", label: o.label ?? "", options: o.options, value: o.value === undefined ? (o.options[0] ?? null) : o.value }, o.name);
  },
  /** Radio buttons over `options` (`inline` puts them on one line); value is the chosen option, null until one is. */
  radio(o: Options<"radio"> & { options: string[] }): Widget<string | null> {
    return valueWidget({ kind: "radio", label: o.label ?? "", options: o.options, inline: o.inline ?? false, value: o.value ?? null }, o.name);
  },
  /** Several of `options` (at most `maxSelections`); value is the chosen options in the order of `options`. */
  multiselect(o: Options<"multiselect"> & { options: string[] }): Widget<string[]> {
    return valueWidget({ kind: "multiselect", label: o.label ?? "", options: o.options, maxSelections: o.maxSelections, value: o.value ?? [] }, o.name);
  },
  /** A checkbox. */
  checkbox(o: Options<"checkbox"> = {}): Widget<boolean> {
    return valueWidget({ kind: "checkbox", label: o.label ?? "", value: o.value ?? false }, o.name);
  },
  /** An on/off switch; value is a boolean. */
  switch(o: Options<"switch"> = {}): Widget<boolean> {
    return valueWidget({ kind: "switch", label: o.label ?? "", value: o.value ?? false }, o.name);
  },
  /**
   * A date picker; value is the date as `YYYY-MM-DD` (today by default, or `start`/`stop` when only
   * one bound is given), within `start`..`stop` when given.
   */
  date(o: Options<"date"> = {}): Widget<string> {
    for (const [key, v] of [["start", o.start], ["stop", o.stop]] as const) {
      if (v !== undefined && !isIsoDate(v)) throw new RangeError(`ui.date: ${key} '${v}' is not a date (YYYY-MM-DD)`);
    }
    if (o.start !== undefined && o.stop !== undefined && o.stop < o.start) throw new RangeError(`ui.date: stop ${o.stop} is before start ${o.start}`);
    const value = o.value ?? (o.start === undefined && o.stop === undefined ? today() : (o.start ?? o.stop!));
    return valueWidget({ kind: "date", label: o.label ?? "", start: o.start, stop: o.stop, value }, o.name);
  },
  /** A button; value counts clicks. */
  button(o: Options<"button"> = {}): Widget<number> {
    return valueWidget({ kind: "button", label: o.label ?? "", value: o.value ?? 0 }, o.name);
  },
  /**
   * A button that gates work (marimo's `run_button`): value is true in the runs its click starts and
   * false otherwise, so `stop(!train.value)` keeps a cell from running until it is clicked. Under
   * `flowbook run` it reads true: a script has nobody to click.
   */
  runButton(o: { label?: string } = {}): Widget<boolean> {
    return expose(leaf({ kind: "run-button", label: o.label ?? "Run", value: false }, script));
  },
  /**
   * A file input; value is the chosen files `{ name, type, bytes }` (none at first). `accept` lists
   * extensions or MIME types; `maxBytes` (10 MB by default, at most 32 MB) bounds a selection's
   * files together, and a larger choice is refused in the window with the sizes.
   */
  file(o: { label?: string; accept?: string[]; multiple?: boolean; maxBytes?: number } = {}): Widget<UploadedFile[]> {
    const maxBytes = o.maxBytes ?? DEFAULT_FILE_MAX_BYTES;
    if (!Number.isInteger(maxBytes) || maxBytes < 1 || maxBytes > FILE_MAX_BYTES_CAP) {
      throw new RangeError(`ui.file: maxBytes must be a whole number from 1 to ${FILE_MAX_BYTES_CAP}`);
    }
    return expose(leaf({ kind: "file", label: o.label ?? "", accept: o.accept ?? [], multiple: o.multiple ?? false, maxBytes, value: [] }, []));
  },
  /** A selectable table; value is the selected row indexes. */
  tableSelect(o: Options<"table-select"> & { columns: string[]; rows: unknown[][] }): Widget<number[]> {
    return valueWidget({ kind: "table-select", label: o.label ?? "", columns: o.columns, rows: o.rows, multiple: o.multiple ?? true, value: o.value ?? [] }, o.name);
  },
  /**
   * A form around `element` (a copy of it): the user changes the element freely and its value reaches
   * cells only on submit. Value is the element's value at the last submit, null before the first.
   */
  form<T>(element: Widget<T>, o: { label?: string; submitLabel?: string } = {}): Widget<T | null> {
    return expose(form({ kind: "form", label: o.label ?? "", submitLabel: o.submitLabel ?? "Submit", }, copyOf(element, "ui.form")));
  },
  /** Copies of `elements` shown together; value is their values in order. */
  array(elements: readonly Widget<unknown>[], o: { label?: string } = {}): Widget<unknown[]> {
    return expose(collection({ kind: "array", label: o.label ?? "" }, elements.map((e, i) => copyOf(e, `ui.array (element ${i})`))));
  },
  /** Copies of `elements` shown under their keys; value is an object of their values by key. */
  dictionary(elements: Readonly<Record<string, Widget<unknown>>>, o: { label?: string } = {}): Widget<Record<string, unknown>> {
    const keys = Object.keys(elements);
    return expose(collection({ kind: "dictionary", label: o.label ?? "", keys }, keys.map((k) => copyOf(elements[k], `ui.dictionary (key '${k}')`))));
  },
};
