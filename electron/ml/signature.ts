/**
 * MLflow model signatures (column-based or tensor-based) and the one input normaliser that
 * `pyfunc.loadModel(...).predict` and the scoring server share: whatever shape the caller sends
 * (rows, records, a DataFrame split, columns, a tensor) becomes a numeric matrix checked against
 * the signature, or a clear BAD_REQUEST error naming what is wrong.
 */
import { MlflowError } from "../tracking/types.ts";

/** A named column, as MLflow's ColSpec JSON. */
export interface ColSpec {
  type: "double" | "float" | "long" | "integer" | "boolean";
  name: string;
  required?: boolean;
}

/** A tensor input or output, as MLflow's TensorSpec JSON. */
export interface TensorSpec {
  type: "tensor";
  "tensor-spec": { dtype: string; shape: number[] };
}

/** A model signature; in MLmodel each side is stored as a JSON string. */
export interface Signature {
  inputs: ColSpec[] | TensorSpec[];
  outputs?: ColSpec[] | TensorSpec[];
}

/** A DataFrame in MLflow's `split` orientation. */
export interface DataFrameSplit {
  columns: string[];
  data: unknown[][];
  index?: unknown[];
}

const isTensorSide = (side: ColSpec[] | TensorSpec[]): side is TensorSpec[] => side[0]?.type === "tensor";

/** The column names a signature expects, or null for tensor signatures. */
export function columnNames(sig: Signature | undefined): string[] | null {
  if (!sig || sig.inputs.length === 0 || isTensorSide(sig.inputs)) return null;
  return (sig.inputs as ColSpec[]).map((c) => c.name);
}

/** The number of features per row a signature expects, when it says. */
export function expectedWidth(sig: Signature | undefined): number | null {
  if (!sig || sig.inputs.length === 0) return null;
  if (isTensorSide(sig.inputs)) {
    const shape = sig.inputs[0]!["tensor-spec"].shape;
    const width = shape.slice(1).reduce((a, b) => a * b, 1);
    return width > 0 ? width : null;
  }
  return sig.inputs.length;
}

/** A tensor signature for a dense model of `inputWidth` features and `outputWidth` outputs. */
export function tensorSignature(inputWidth: number, outputWidth: number): Signature {
  const spec = (width: number): TensorSpec => ({ type: "tensor", "tensor-spec": { dtype: "float32", shape: [-1, width] } });
  return { inputs: [spec(inputWidth)], outputs: [spec(outputWidth)] };
}

/** The MLmodel `signature` block: each side as a JSON string, like MLflow writes it. */
export function signatureToMlmodel(sig: Signature): Record<string, string | null> {
  return {
    inputs: JSON.stringify(sig.inputs),
    outputs: sig.outputs ? JSON.stringify(sig.outputs) : null,
    params: null,
  };
}

/** Reads the MLmodel `signature` block back. */
export function signatureFromMlmodel(block: unknown): Signature | undefined {
  if (!block || typeof block !== "object") return undefined;
  const { inputs, outputs } = block as { inputs?: string; outputs?: string | null };
  if (typeof inputs !== "string") return undefined;
  return { inputs: JSON.parse(inputs), outputs: typeof outputs === "string" ? JSON.parse(outputs) : undefined };
}

function badInput(message: string): MlflowError {
  return new MlflowError("BAD_REQUEST", message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function rowsFromRecords(records: Record<string, unknown>[], names: string[]): unknown[][] {
  return records.map((rec, i) => {
    const missing = names.filter((n) => !(n in rec));
    if (missing.length) throw badInput(`Model is missing inputs ${JSON.stringify(missing)} in row ${i}.`);
    return names.map((n) => rec[n]);
  });
}

function rowsFromSplit(frame: DataFrameSplit, names: string[] | null): unknown[][] {
  if (!Array.isArray(frame.columns) || !Array.isArray(frame.data)) {
    throw badInput("A DataFrame in split orientation needs 'columns' and 'data' arrays.");
  }
  if (!names) return frame.data;
  const missing = names.filter((n) => !frame.columns.includes(n));
  if (missing.length) throw badInput(`Model is missing inputs ${JSON.stringify(missing)}.`);
  const order = names.map((n) => frame.columns.indexOf(n));
  return frame.data.map((row) => order.map((i) => (row as unknown[])[i]));
}

function rowsFromColumns(columns: Record<string, unknown>, names: string[] | null): unknown[][] {
  const keys = names ?? Object.keys(columns);
  const missing = keys.filter((k) => !(k in columns));
  if (missing.length) throw badInput(`Model is missing inputs ${JSON.stringify(missing)}.`);
  const cols = keys.map((k) => columns[k]);
  if (!cols.every(Array.isArray)) throw badInput("Columnar input must map each column name to an array of values.");
  const length = (cols[0] as unknown[] | undefined)?.length ?? 0;
  if (cols.some((c) => (c as unknown[]).length !== length)) throw badInput("All input columns must have the same length.");
  return Array.from({ length }, (_, i) => cols.map((c) => (c as unknown[])[i]));
}

/** Flattens one row (a nested array such as an image) into numbers. */
function flatten(row: unknown): unknown[] {
  return Array.isArray(row) ? row.flat(Infinity) : [row];
}

/**
 * Turns any supported input into a numeric matrix that satisfies the signature.
 * Accepts: rows (`number[][]`), one row (`number[]`), records (`{col: v}[]`), a DataFrame split
 * (`{columns, data}`), columns (`{col: v[]}`), and nested tensors (each row flattened).
 */
export function toMatrix(input: unknown, sig?: Signature): number[][] {
  const names = columnNames(sig);
  let rows: unknown[][];
  if (Array.isArray(input)) {
    if (input.length === 0) throw badInput("The input has no rows.");
    if (input.every(isRecord)) {
      rows = rowsFromRecords(input as Record<string, unknown>[], names ?? Object.keys(input[0] as object));
    } else if (input.every((v) => !Array.isArray(v) && !isRecord(v))) {
      rows = [input];
    } else {
      rows = input.map(flatten);
    }
  } else if (isRecord(input) && "columns" in input && "data" in input) {
    rows = rowsFromSplit(input as unknown as DataFrameSplit, names);
  } else if (isRecord(input)) {
    rows = rowsFromColumns(input, names);
  } else {
    throw badInput(`Unsupported input of type ${input === null ? "null" : typeof input}.`);
  }
  const width = expectedWidth(sig);
  return rows.map((row, i) => {
    const values = flatten(row);
    if (width !== null && values.length !== width) {
      throw badInput(`Failed to enforce schema: row ${i} has ${values.length} values, the model expects ${width}.`);
    }
    return values.map((v, j) => {
      const n = typeof v === "boolean" ? Number(v) : v;
      if (typeof n !== "number" || !Number.isFinite(n)) {
        const col = names?.[j] ?? `#${j}`;
        throw badInput(`Failed to enforce schema: column ${col} of row ${i} is ${JSON.stringify(v)}, not a finite number.`);
      }
      return n;
    });
  });
}
