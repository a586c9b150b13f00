/**
 * A character scanner for the filter and order_by grammar. MLflow tokenises with sqlparse; this
 * reads only the few token shapes that grammar can hold (identifiers, quoted strings, numbers,
 * lists of quoted strings, keywords), so every other character ends a clause as invalid.
 */

/** One dot-separated piece of an identifier; `quoted` when it came from backticks or double quotes. */
export interface IdentifierPart {
  text: string;
  quoted: boolean;
}

/** A value token: its decoded value and its source text (echoed in error messages, as MLflow does). */
export type ValueToken =
  | { kind: "number"; value: number; raw: string }
  | { kind: "string"; value: string; raw: string }
  | { kind: "list"; value: string[]; raw: string }
  | { kind: "word"; raw: string };

/** Thrown for text the grammar cannot read; callers turn it into an MLflow message. */
export class SyntaxProblem extends Error {}

const WORD_START = /[\p{L}_]/u;
const WORD_CHAR = /[\p{L}\p{N}_]/u;
const LIST_ERROR = "While parsing a list in the query,";
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/y;

/** Reads tokens left to right from `text`, tracking `pos`. */
export class Scanner {
  /** Index of the next unread character. */
  pos = 0;
  constructor(readonly text: string) {}

  /** Whether all text has been read. */
  get eof(): boolean {
    return this.pos >= this.text.length;
  }

  /** The next character, or "" at the end. */
  peek(): string {
    return this.text[this.pos] ?? "";
  }

  /** Skips whitespace. */
  skipWs(): void {
    while (!this.eof && /\s/.test(this.peek())) this.pos++;
  }

  /** Consumes `word` (case-insensitive) when it stands alone here; reports whether it did. */
  keyword(word: string): boolean {
    const end = this.pos + word.length;
    if (this.text.slice(this.pos, end).toUpperCase() !== word) return false;
    if (end < this.text.length && WORD_CHAR.test(this.text[end]!)) return false;
    this.pos = end;
    return true;
  }

  /** Reads a bare word (letters, digits, underscores); "" when none starts here. */
  word(allowDigitStart: boolean): string {
    const start = this.pos;
    const first = this.peek();
    if (!(WORD_START.test(first) || (allowDigitStart && WORD_CHAR.test(first)))) return "";
    while (!this.eof && WORD_CHAR.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /**
   * Reads a quoted run starting at the current quote character. Inside, a doubled quote or a
   * backslash before a quote or backslash stands for that character (SQL and sqlparse both allow
   * these); backticks quote identifiers and have no escapes.
   */
  quoted(): string {
    const quote = this.peek();
    let out = "";
    this.pos++;
    while (!this.eof) {
      const c = this.text[this.pos]!;
      if (c === quote) {
        if (quote !== "`" && this.text[this.pos + 1] === quote) {
          out += quote;
          this.pos += 2;
          continue;
        }
        this.pos++;
        return out;
      }
      const next = this.text[this.pos + 1];
      const escapable = next === quote || next === "\\" || next === "'" || next === '"';
      if (c === "\\" && quote !== "`" && escapable) {
        out += next;
        this.pos += 2;
        continue;
      }
      out += c;
      this.pos++;
    }
    throw new SyntaxProblem("unterminated quote");
  }

  /** Reads `part(.part)*` where a part is a bare word, a backticked or a double-quoted name. */
  identifier(): IdentifierPart[] {
    const parts: IdentifierPart[] = [];
    for (;;) {
      const c = this.peek();
      if (c === "`" || c === '"') {
        const text = this.quoted();
        if (!text) throw new SyntaxProblem("empty quoted identifier");
        parts.push({ text, quoted: true });
      } else {
        const text = this.word(parts.length > 0);
        if (!text) throw new SyntaxProblem("expected an identifier");
        parts.push({ text, quoted: false });
      }
      if (this.peek() !== ".") return parts;
      this.pos++;
    }
  }

  /** Reads a value: number, quoted string, `('a', 'b')` list, or a bare word (rejected later with MLflow's message). */
  value(): ValueToken {
    const start = this.pos;
    const c = this.peek();
    if (c === "'" || c === '"') {
      const value = this.quoted();
      return { kind: "string", value, raw: this.text.slice(start, this.pos) };
    }
    if (c === "(") return this.list();
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (m && !WORD_CHAR.test(this.text[this.pos + m[0].length] ?? "")) {
      this.pos += m[0].length;
      return { kind: "number", value: Number(m[0]), raw: m[0] };
    }
    const word = this.word(true);
    if (!word) throw new SyntaxProblem("expected a value");
    while (this.peek() === "." && WORD_CHAR.test(this.text[this.pos + 1] ?? "")) {
      this.pos++;
      this.word(true);
    }
    return { kind: "word", raw: this.text.slice(start, this.pos) };
  }

  /** Reads `( 'a' , 'b' )`: single-quoted strings only, as MLflow's list check allows. */
  private list(): ValueToken {
    const start = this.pos;
    const items: string[] = [];
    this.pos++;
    this.skipWs();
    if (this.peek() === ")") throw new ListProblem(`${LIST_ERROR} expected a non-empty list of string values, but got empty list`);
    for (;;) {
      this.skipWs();
      if (this.peek() !== "'") {
        const list = this.restOfList(start);
        throw new ListProblem(`${LIST_ERROR} expected string value, punctuation, or whitespace, but got different type in list: ${list}`);
      }
      items.push(this.quoted());
      this.skipWs();
      const c = this.peek();
      this.pos++;
      if (c === ")") return { kind: "list", value: items, raw: this.text.slice(start, this.pos) };
      if (c !== ",") throw new ListProblem(`${LIST_ERROR} expected a non-empty list of string values, but got ill-formed list.`);
    }
  }

  private restOfList(start: number): string {
    const close = this.text.indexOf(")", start);
    return this.text.slice(start, close < 0 ? undefined : close + 1);
  }
}

/** A malformed `( … )` list; its message is MLflow's own, not the generic invalid-clause one. */
export class ListProblem extends Error {}
