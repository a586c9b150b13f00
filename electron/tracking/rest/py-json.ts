/**
 * JSON as MLflow's Python server reads it, for the two places where that differs from JSON.parse:
 * Python's `json.loads` also takes the literals `NaN`, `Infinity` and `-Infinity`, and MLflow's
 * validation messages quote a value with Python's `str()` (`Invalid value 9.0 for parameter …`,
 * `[{'key': 'mae', 'value': 2.5}]`), which needs to know that `9.0` was written as a float. Only
 * the slow paths use this (a body JSON.parse refused, an error message); requests parse with
 * JSON.parse.
 */

/** A JSON number as written: Python reads `9` as an int and `9.0` as a float. */
export class PyNumber {
  constructor(
    readonly text: string,
    readonly isFloat: boolean,
  ) {}
  /** The number's value in JavaScript. */
  get value(): number {
    return Number(this.text);
  }
}

/** A parsed JSON value that remembers how its numbers were written. */
export type PyValue = string | boolean | null | PyNumber | PyValue[] | { [key: string]: PyValue };

/** Nesting deeper than this is refused (Python's own parser stops near 1,000 as well). */
export const MAX_JSON_DEPTH = 512;

class JsonSyntaxError extends Error {}

/** Parses JSON text as Python's `json.loads` does; throws a SyntaxError-like error on bad input. */
export function parsePyJson(text: string): PyValue {
  let i = 0;
  const fail = (): never => {
    throw new JsonSyntaxError(`Invalid JSON at offset ${i}`);
  };
  const ws = (): void => {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  const literal = (word: string): boolean => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return true;
    }
    return false;
  };
  const string = (): string => {
    const start = i;
    i++; // opening quote
    let out = "";
    let run = i;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(run, i);
        i++;
        return out;
      }
      if (c < 0x20) fail();
      if (c === 0x5c) {
        out += text.slice(run, i);
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
        if (e !== undefined && e in simple) {
          out += simple[e];
          i += 2;
        } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else fail();
        run = i;
        continue;
      }
      i++;
    }
    i = start;
    return fail();
  };
  const value = (depth: number): PyValue => {
    if (depth > MAX_JSON_DEPTH) fail();
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const obj: { [key: string]: PyValue } = {};
      ws();
      if (text[i] === "}") {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        const key = string();
        ws();
        if (text[i] !== ":") fail();
        i++;
        Object.defineProperty(obj, key, { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return obj;
        }
        fail();
      }
    }
    if (c === "[") {
      i++;
      const list: PyValue[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return list;
      }
      for (;;) {
        list.push(value(depth + 1));
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return list;
        }
        fail();
      }
    }
    if (c === '"') return string();
    if (literal("true")) return true;
    if (literal("false")) return false;
    if (literal("null")) return null;
    if (literal("NaN")) return new PyNumber("NaN", true);
    if (literal("Infinity")) return new PyNumber("Infinity", true);
    if (literal("-Infinity")) return new PyNumber("-Infinity", true);
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) return fail();
    i += m[0].length;
    return new PyNumber(m[0], m[2] !== undefined || m[3] !== undefined);
  };
  const result = value(0);
  ws();
  if (i !== text.length) fail();
  return result;
}

/** A parsed value as plain JavaScript (what JSON.parse would give, plus NaN and ±Infinity). */
export function toPlain(value: PyValue): unknown {
  if (value instanceof PyNumber) return value.value;
  if (Array.isArray(value)) return value.map(toPlain);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: toPlain(v), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

/** Python's `repr()` of a float. */
function floatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  // JavaScript and Python both print the shortest digits that read back as the same double; only
  // the layout differs: Python uses an exponent below 1e-4 and from 1e16 on.
  const [mantissa, exp] = x.toExponential().split("e") as [string, string];
  const e = Number(exp);
  const digits = mantissa.replace("-", "").replace(".", "");
  const sign = x < 0 ? "-" : "";
  if (e < -4 || e >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  if (e < 0) return `${sign}0.${"0".repeat(-e - 1)}${digits}`;
  const int = digits.slice(0, e + 1).padEnd(e + 1, "0");
  const frac = digits.slice(e + 1);
  return `${sign}${int}.${frac === "" ? "0" : frac}`;
}

function strRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + quote;
}

/** Python's `repr()` of a value parsed from JSON (or of a plain JavaScript one). */
export function pyRepr(value: PyValue | unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "string") return strRepr(value);
  if (value instanceof PyNumber) {
    if (!value.isFloat) return BigInt(value.text).toString();
    return floatRepr(value.value);
  }
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : floatRepr(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${strRepr(k)}: ${pyRepr(v)}`)
      .join(", ")}}`;
  }
  return String(value);
}

/** Python's `str()`: strings as they are, everything else as `repr()`. */
export function pyStr(value: PyValue | unknown): string {
  return typeof value === "string" ? value : pyRepr(value);
}

/** Python's `type(value).__name__` for a value parsed from JSON. */
export function pyTypeName(value: PyValue | unknown): string {
  if (value === null || value === undefined) return "NoneType";
  if (Array.isArray(value)) return "list";
  if (value instanceof PyNumber) return value.isFloat ? "float" : "int";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "string") return "str";
  if (typeof value === "boolean") return "bool";
  return "dict";
}

/** Python's `json.dumps(value)` with its defaults: `", "` and `": "` separators, non-ASCII escaped. */
export function pyJsonDumps(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.entries(value)
      .map(([k, v]) => `${pyJsonDumps(k)}: ${pyJsonDumps(v)}`)
      .join(", ")}}`;
  }
  if (typeof value === "string") return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  if (typeof value === "number" && !Number.isFinite(value)) return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
  return JSON.stringify(value ?? null);
}
