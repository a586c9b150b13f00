/**
 * Whether a widget input fits its widget: the one rule the host (every `set-ui-value` from a
 * renderer), the kernel (before a value reaches cells, and a notebook parameter's initial value)
 * and the renderer (a file over the size limit, before it is read) apply. Pure: it sees only the
 * widget's spec and the input, as `WidgetInput` shapes them.
 */
import type { ElementInput, FileUpload, FormSubmit, WidgetSpec } from "../protocol.ts";
import { formatSize } from "./output-bounds.ts";

const MB = 1024 * 1024;

/** The files a `ui.file` takes at once when the cell does not say: 10 MB together. */
export const DEFAULT_FILE_MAX_BYTES = 10 * MB;
/**
 * The most a cell may let one `ui.file` selection hold: 32 MB. Its bytes cross the WebSocket (64 MB
 * per message) and the kernel's pipe in base64, a third larger, inside one message.
 */
export const FILE_MAX_BYTES_CAP = 32 * MB;
/** Files one selection may hold. */
export const MAX_FILES = 100;
/** The longest text a text input or text area takes when the cell sets no `maxLength`. */
export const MAX_TEXT_CHARS = 1_000_000;
/** Inputs one form submit may carry. */
export const MAX_FORM_INPUTS = 1000;
/** The longest file name or MIME type accepted. */
const MAX_NAME_CHARS = 1000;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Whether `text` is a real calendar day written `YYYY-MM-DD`. */
export function isIsoDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  // Date.UTC maps years 0–99 to 1900–1999; setting the full year keeps them.
  d.setUTCFullYear(Number(m[1]));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** The number of bytes a base64 string decodes to (its length says it; padding is subtracted). */
export function base64Size(base64: string): number {
  const padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
  return (base64.length / 4) * 3 - padding;
}

/** The message for files over a widget's limit: `data.csv is 12.0 MB; this input takes at most 10.0 MB`. */
export function filesTooLarge(files: readonly { name: string; size: number }[], maxBytes: number): string | undefined {
  const total = files.reduce((sum, f) => sum + f.size, 0);
  if (total <= maxBytes) return undefined;
  const what = files.length === 1 ? `${files[0]!.name} is` : `these ${files.length} files are`;
  return `${what} ${formatSize(total)}; this input takes at most ${formatSize(maxBytes)}`;
}

const show = (v: unknown): string => (typeof v === "string" ? `'${v}'` : (JSON.stringify(v) ?? String(v))).slice(0, 80);
const isFiniteNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

function numberProblem(v: unknown, min?: number, max?: number): string | undefined {
  if (!isFiniteNumber(v)) return `${show(v)} is not a finite number`;
  if (min !== undefined && v < min) return `${v} is below the minimum ${min}`;
  if (max !== undefined && v > max) return `${v} is above the maximum ${max}`;
  return undefined;
}

function textProblem(v: unknown, maxLength = MAX_TEXT_CHARS): string | undefined {
  if (typeof v !== "string") return `${show(v)} is not a string`;
  return v.length > maxLength ? `the text has ${v.length} characters; at most ${maxLength} are allowed` : undefined;
}

function optionProblem(v: unknown, options: readonly string[]): string | undefined {
  return typeof v === "string" && options.includes(v) ? undefined : `${show(v)} is not one of the options`;
}

function filesProblem(v: unknown, spec: Extract<WidgetSpec, { kind: "file" }>): string | undefined {
  if (!Array.isArray(v)) return "files must be a list";
  if (v.length > (spec.multiple ? MAX_FILES : 1)) return spec.multiple ? `at most ${MAX_FILES} files at once` : "this input takes one file";
  const sizes: { name: string; size: number }[] = [];
  for (const f of v as unknown[]) {
    const file = f as Partial<FileUpload> | null;
    if (typeof file !== "object" || file === null) return "each file must be an object";
    if (typeof file.name !== "string" || file.name === "" || file.name.length > MAX_NAME_CHARS) return "each file needs a name";
    if (typeof file.type !== "string" || file.type.length > MAX_NAME_CHARS) return `${file.name}: 'type' must be a string`;
    if (typeof file.base64 !== "string" || file.base64.length % 4 !== 0 || !BASE64.test(file.base64)) return `${file.name}: 'base64' is not base64`;
    sizes.push({ name: file.name, size: base64Size(file.base64) });
  }
  return filesTooLarge(sizes, spec.maxBytes);
}

function elementProblem(v: unknown, elements: readonly WidgetSpec[]): string | undefined {
  const input = v as Partial<ElementInput> | null;
  if (typeof input !== "object" || input === null || !("value" in input)) return "expected { index, value }";
  if (!Number.isInteger(input.index) || input.index! < 0 || input.index! >= elements.length) return `${show(input.index)} is not an element index`;
  const problem = widgetInputProblem(elements[input.index!]!, input.value);
  return problem && `element ${input.index}: ${problem}`;
}

function submitProblem(v: unknown, element: WidgetSpec): string | undefined {
  const inputs = (v as Partial<FormSubmit> | null)?.inputs;
  if (!Array.isArray(inputs)) return "expected { inputs: [...] }";
  if (inputs.length > MAX_FORM_INPUTS) return `at most ${MAX_FORM_INPUTS} inputs per submit`;
  for (const input of inputs as unknown[]) {
    const problem = widgetInputProblem(element, input);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Why `input` is not a valid input for the widget `spec` (types, ranges, option membership, file
 * sizes; composites check the element the input is for), or undefined when it is.
 */
export function widgetInputProblem(spec: WidgetSpec, input: unknown): string | undefined {
  switch (spec.kind) {
    case "slider":
    case "number":
      return numberProblem(input, spec.min, spec.max);
    case "range-slider": {
      if (!Array.isArray(input) || input.length !== 2) return "expected [low, high]";
      const [lo, hi] = input as unknown[];
      return numberProblem(lo, spec.min, spec.max) ?? numberProblem(hi, spec.min, spec.max) ?? (lo! > hi! ? `low ${lo} is above high ${hi}` : undefined);
    }
    case "text":
    case "textarea":
      return textProblem(input, spec.maxLength);
    case "dropdown":
    case "radio":
      return input === null ? undefined : optionProblem(input, spec.options);
    case "multiselect": {
      if (!Array.isArray(input)) return "expected a list of options";
      if (new Set(input).size !== input.length) return "an option is chosen twice";
      if (spec.maxSelections !== undefined && input.length > spec.maxSelections) return `at most ${spec.maxSelections} may be chosen`;
      for (const o of input as unknown[]) {
        const problem = optionProblem(o, spec.options);
        if (problem) return problem;
      }
      return undefined;
    }
    case "checkbox":
    case "switch":
      return typeof input === "boolean" ? undefined : `${show(input)} is not true or false`;
    case "date":
      if (typeof input !== "string" || !isIsoDate(input)) return `${show(input)} is not a date (YYYY-MM-DD)`;
      // ISO dates of four-digit years order as strings.
      if (spec.start !== undefined && input < spec.start) return `${input} is before ${spec.start}`;
      if (spec.stop !== undefined && input > spec.stop) return `${input} is after ${spec.stop}`;
      return undefined;
    case "button":
      return Number.isSafeInteger(input) && (input as number) >= 0 ? undefined : `${show(input)} is not a click count`;
    case "run-button":
      return input === true ? undefined : "a run button takes only true (a click)";
    case "file":
      return filesProblem(input, spec);
    case "table-select": {
      if (!Array.isArray(input)) return "expected a list of row indexes";
      if (!spec.multiple && input.length > 1) return "only one row may be selected";
      if (new Set(input).size !== input.length) return "a row is selected twice";
      const bad = (input as unknown[]).find((i) => !Number.isInteger(i) || (i as number) < 0 || (i as number) >= spec.rows.length);
      return bad === undefined ? undefined : `${show(bad)} is not a row index`;
    }
    case "form":
      return submitProblem(input, spec.element);
    case "array":
    case "dictionary":
      return elementProblem(input, spec.elements);
    default: {
      const unknownKind: never = spec;
      return `unknown widget kind ${show((unknownKind as WidgetSpec).kind)}`;
    }
  }
}
