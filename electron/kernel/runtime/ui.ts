/**
 * UI elements for cells (`ui.slider`, …). A widget is an object whose `.value` cells read; shown as
 * an output it renders `{ kind: "widget" }` with its current value. A `set-ui-value` from the
 * renderer updates `.value` and re-runs every cell reading a global bound to the widget, except the
 * cell that created it (reactive-semantics T34). Ids are deterministic: `<cellId>-<counter>`.
 */
import type { WidgetId, WidgetSpec } from "../../protocol.ts";
import { brandRenderable } from "./output.ts";
import { paramInitial } from "./args.ts";
import { currentCell } from "./context.ts";

/** A UI element as cells see it. */
export interface Widget<T> {
  readonly id: WidgetId;
  /** The current value; cells reading it re-run when the user changes it. */
  readonly value: T;
}

/** Every widget `create` made, so provenance can read a UI element's value without knowing its kind. */
const widgets = new WeakSet<object>();

/** Whether `x` is a UI element made by `ui.*` (its `.value` is what cells read). */
export function isWidget(x: unknown): x is Widget<unknown> {
  return typeof x === "object" && x !== null && widgets.has(x);
}

type SpecOf<K extends WidgetSpec["kind"]> = Extract<WidgetSpec, { kind: K }>;
/** A widget's options: its spec's fields, and `name`, the notebook parameter its initial value comes from. */
type Options<K extends WidgetSpec["kind"]> = Partial<Omit<SpecOf<K>, "kind" | "id">> & { name?: string };

/**
 * Creates a widget in the current cell; `coerce` turns renderer input into a valid value. A `name`
 * starts it at the notebook parameter of that name (`-P name=…`), checked by `coerce` too.
 */
function create<K extends WidgetSpec["kind"]>(spec: Omit<SpecOf<K>, "id">, coerce: (raw: unknown, prev: SpecOf<K>["value"]) => SpecOf<K>["value"], name?: string): Widget<SpecOf<K>["value"]> {
  const ctx = currentCell();
  const id = `${ctx.cellId}-${ctx.nextId()}` as WidgetId;
  let value = spec.value as SpecOf<K>["value"];
  if (name !== undefined) value = coerce(paramInitial(name, value), value);
  const widget = brandRenderable(
    {
      id,
      get value() {
        return value;
      },
    },
    () => ({ kind: "widget", widget: { ...spec, id, value } as WidgetSpec }),
  );
  widgets.add(widget);
  ctx.registerWidget({ id, value: widget, setValue: (raw) => (value = coerce(raw, value)) });
  return widget;
}

const clamp = (n: number, min?: number, max?: number) => Math.min(max ?? Infinity, Math.max(min ?? -Infinity, n));
const num = (raw: unknown, prev: number) => (typeof raw === "number" && Number.isFinite(raw) ? raw : Number.isFinite(Number(raw)) && raw !== "" ? Number(raw) : prev);

/** The UI element constructors cells import as `ui` from "flowbook". */
export const ui = {
  /** A range slider; value is a number between min and max. */
  slider(o: Options<"slider"> = {}): Widget<number> {
    const min = o.min ?? 0, max = o.max ?? 100;
    return create<"slider">({ kind: "slider", label: o.label ?? "", min, max, step: o.step ?? 1, value: clamp(o.value ?? min, min, max) }, (raw, prev) => clamp(num(raw, prev), min, max), o.name);
  },
  /** A number input. */
  number(o: Options<"number"> = {}): Widget<number> {
    return create<"number">({ kind: "number", label: o.label ?? "", min: o.min, max: o.max, step: o.step, value: o.value ?? o.min ?? 0 }, (raw, prev) => clamp(num(raw, prev), o.min, o.max), o.name);
  },
  /** A text input. */
  text(o: Options<"text"> = {}): Widget<string> {
    return create<"text">({ kind: "text", label: o.label ?? "", placeholder: o.placeholder, value: o.value ?? "" }, (raw) => String(raw ?? ""), o.name);
  },
  /** A dropdown over `options`; value is the chosen option or null. */
  dropdown(o: Options<"dropdown"> & { options: string[] }): Widget<string | null> {
    return create<"dropdown">({ kind: "dropdown", label: o.label ?? "", options: o.options, value: o.value ?? o.options[0] ?? null }, (raw, prev) => (typeof raw === "string" && o.options.includes(raw) ? raw : raw === null ? null : prev), o.name);
  },
  /** A checkbox. */
  checkbox(o: Options<"checkbox"> = {}): Widget<boolean> {
    return create<"checkbox">({ kind: "checkbox", label: o.label ?? "", value: o.value ?? false }, (raw) => Boolean(raw), o.name);
  },
  /** A button; value counts clicks (a renderer value that is not a number means one more click). */
  button(o: Options<"button"> = {}): Widget<number> {
    return create<"button">({ kind: "button", label: o.label ?? "", value: o.value ?? 0 }, (raw, prev) => (typeof raw === "number" ? raw : prev + 1), o.name);
  },
  /** A selectable table; value is the selected row indexes. */
  tableSelect(o: Options<"table-select"> & { columns: string[]; rows: unknown[][] }): Widget<number[]> {
    const rows = o.rows.length;
    return create<"table-select">(
      { kind: "table-select", label: o.label ?? "", columns: o.columns, rows: o.rows, multiple: o.multiple ?? true, value: o.value ?? [] },
      (raw, prev) => (Array.isArray(raw) ? raw.filter((i): i is number => Number.isInteger(i) && i >= 0 && i < rows).slice(0, o.multiple === false ? 1 : undefined) : prev),
      o.name,
    );
  },
};
