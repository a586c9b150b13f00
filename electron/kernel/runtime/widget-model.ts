/**
 * The kernel's side of a UI element, one generic path for every kind: a model holds the value cells
 * read, takes an input once `widgetInputProblem` (common/widget-values.ts, the host's rule too)
 * accepts it, and draws its spec. Leaf widgets hold one value; composites (form, array,
 * dictionary) hold copies of the widgets they wrap, as marimo's do, so moving an element inside an
 * array changes the array, not the widget it was built from. `expose` turns a model into the
 * object cells hold and registers it with the kernel for `set-ui-value`.
 */
import type { ElementInput, FileUpload, FormSubmit, WidgetId, WidgetSpec } from "../../protocol.ts";
import { widgetInputProblem } from "../../common/widget-values.ts";
import { brandRenderable } from "./output.ts";
import { currentCell } from "./context.ts";

/** A UI element as cells see it. */
export interface Widget<T> {
  readonly id: WidgetId;
  /** The current value; cells reading it re-run when the user changes it. */
  readonly value: T;
}

/** A file a `ui.file` holds, as cells read it. */
export interface UploadedFile {
  name: string;
  /** The MIME type the browser gave, "" when it knows none. */
  type: string;
  bytes: Uint8Array;
}

/** A spec as a constructor builds it: without the id, which `expose` assigns. */
export type SpecBody<S extends WidgetSpec = WidgetSpec> = S extends WidgetSpec ? Omit<S, "id"> : never;
type Composite = Extract<WidgetSpec, { kind: "form" | "array" | "dictionary" }>;
/** The body of a leaf widget (one value, no elements). */
export type LeafBody = SpecBody<Exclude<WidgetSpec, Composite>>;
type Shell<S> = S extends WidgetSpec ? Omit<S, "id" | "value" | "element" | "elements"> : never;
/** What an array or dictionary says about itself; its elements and value come from the models it holds. */
export type CollectionBody = Shell<Extract<WidgetSpec, { kind: "array" | "dictionary" }>>;
/** What a form says about itself; its element and value come from the model it holds. */
export type FormBody = Shell<Extract<WidgetSpec, { kind: "form" }>>;

/** One widget's state in the kernel. */
export interface Model {
  /** The spec to draw under `id`, with the current value. */
  spec(id: WidgetId): WidgetSpec;
  /** The value cells read. */
  read(): unknown;
  /** Takes an input `widgetInputProblem` accepted. */
  apply(input: unknown): void;
  /** The readers of an input have run: a run button goes back to false. */
  settle(): void;
  /** A fresh model starting where this one is now (what a composite holds). */
  copy(): Model;
}

const models = new WeakMap<object, Model>();

/** Whether `x` is a UI element made by `ui.*` (its `.value` is what cells read). */
export function isWidget(x: unknown): x is Widget<unknown> {
  return typeof x === "object" && x !== null && models.has(x);
}

/** A copy of the model behind `widget`, for a composite wrapping it; throws for anything else. */
export function copyOf(widget: unknown, where: string): Model {
  const model = typeof widget === "object" && widget !== null ? models.get(widget) : undefined;
  if (!model) throw new TypeError(`${where} takes UI elements made by ui.* (got ${typeof widget})`);
  return model.copy();
}

const decodeFile = (f: FileUpload): UploadedFile => {
  const buf = Buffer.from(f.base64, "base64");
  return { name: f.name, type: f.type, bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) };
};

/** A widget holding one value; `value` is what cells read first. */
export function leaf(body: LeafBody, value: unknown): Model {
  let current = value;
  return {
    spec: (id) =>
      ({
        ...body,
        id,
        // The bytes stay here; the renderer shows names and sizes.
        value: body.kind === "file" ? (current as UploadedFile[]).map((f) => ({ name: f.name, type: f.type, size: f.bytes.byteLength })) : current,
      }) as WidgetSpec,
    read: () => current,
    apply(input) {
      current = body.kind === "file" ? (input as FileUpload[]).map(decodeFile) : input;
    },
    settle() {
      if (body.kind === "run-button") current = false;
    },
    copy: () => leaf(body, current),
  };
}

/** An array or dictionary of element models; an input names the element it is for. */
export function collection(body: CollectionBody, elements: Model[]): Model {
  const byKey = <T>(values: T[]): Record<string, T> | T[] =>
    body.kind === "dictionary" ? Object.fromEntries(body.keys.map((k, i) => [k, values[i]])) : values;
  return {
    spec(id) {
      const specs = elements.map((e, i) => e.spec(`${id}-${i}` as WidgetId));
      return { ...body, id, elements: specs, value: byKey(specs.map((s) => s.value)) } as WidgetSpec;
    },
    read: () => byKey(elements.map((e) => e.read())),
    apply(input) {
      const { index, value } = input as ElementInput;
      elements[index]!.apply(value);
    },
    settle: () => elements.forEach((e) => e.settle()),
    copy: () => collection(body, elements.map((e) => e.copy())),
  };
}

/** A form around `element`: its input is a submit, and only a submit changes what cells read. */
export function form(body: FormBody, element: Model, submitted = false): Model {
  return {
    spec(id) {
      const inner = element.spec(`${id}-0` as WidgetId);
      return { ...body, id, element: inner, value: submitted ? inner.value : null };
    },
    read: () => (submitted ? element.read() : null),
    apply(input) {
      for (const each of (input as FormSubmit).inputs) element.apply(each);
      submitted = true;
    },
    settle: () => element.settle(),
    copy: () => form(body, element.copy(), submitted),
  };
}

/**
 * The object a cell holds for `model`, with the id `<cellId>-<n>` (deterministic across runs), shown
 * as a widget output. An input the kernel receives is checked again here (the host checked it
 * first); one that does not fit is dropped and the value stays.
 */
export function expose<T>(model: Model): Widget<T> {
  const ctx = currentCell();
  const id = `${ctx.cellId}-${ctx.nextId()}` as WidgetId;
  const widget = brandRenderable(
    {
      id,
      get value() {
        return model.read() as T;
      },
    },
    () => ({ kind: "widget", widget: model.spec(id) }),
  );
  models.set(widget, model);
  ctx.registerWidget({
    id,
    value: widget,
    setValue(input) {
      if (widgetInputProblem(model.spec(id), input) === undefined) model.apply(input);
    },
    settle: () => model.settle(),
  });
  return widget;
}
