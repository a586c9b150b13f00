/**
 * Reads the model signature out of an MLmodel file (YAML) without a YAML library: MLflow writes
 * `signature:` with `inputs:`/`outputs:`/`params:` as single-quoted JSON strings, which is all the
 * version page shows.
 */

/** One column of a signature schema. */
export interface SchemaColumn {
  name?: string;
  type: string;
  shape?: number[];
}

/** A model's input and output schema; absent parts are null. */
export interface Signature {
  inputs: SchemaColumn[] | null;
  outputs: SchemaColumn[] | null;
}

function unquote(raw: string): string {
  const v = raw.trim();
  if (v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1).replace(/''/g, "'");
  if (v.startsWith('"') && v.endsWith('"')) return JSON.parse(v) as string;
  return v;
}

function parseSchema(raw: string | undefined): SchemaColumn[] | null {
  if (raw === undefined) return null;
  const text = unquote(raw);
  if (text === "" || text === "null") return null;
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) return null;
  return parsed.map((c: Record<string, unknown>) => {
    // Tensor columns keep dtype and shape under "tensor-spec"; column-based ones are flat.
    const spec = (c["tensor-spec"] ?? c) as Record<string, unknown>;
    return {
      name: typeof c.name === "string" ? c.name : undefined,
      type: String(spec.dtype ?? c.type ?? "unknown"),
      shape: Array.isArray(spec.shape) ? (spec.shape as number[]) : undefined,
    };
  });
}

/** The signature of an MLmodel file's text, or null when it has none (or it is unreadable). */
export function parseMlmodelSignature(mlmodel: string): Signature | null {
  const lines = mlmodel.split(/\r?\n/);
  const start = lines.findIndex((l) => /^signature:\s*$/.test(l));
  if (start < 0) return null;
  const fields: Record<string, string> = {};
  for (let i = start + 1; i < lines.length && /^\s+\S/.test(lines[i]); i++) {
    const m = /^\s+(\w+):\s*(.*)$/.exec(lines[i]);
    if (m) fields[m[1]] = m[2];
  }
  try {
    return { inputs: parseSchema(fields.inputs), outputs: parseSchema(fields.outputs) };
  } catch {
    return null;
  }
}
