/**
 * The bounded tail of one cell run's console: the last `consoleLines` lines and `consoleBytes` bytes
 * (UTF-8) it printed, plus how many earlier lines are not shown (dropped here, or never sent by the
 * kernel). A flood of a million lines keeps a few hundred kilobytes in the renderer; the complete
 * output is in the run's full log on the host.
 *
 * The text is held in chunks of whole lines of about `PIECE_CHARS`, so trimming the front removes
 * whole chunks and cuts into at most one, and each event costs time in its own length, never in the
 * tail's: no string grows without end. `appendConsole` updates a tail in place, so the kernel state
 * applies it to a store draft (`produce`) and its tests to a plain object.
 */
import type { OutputLimits } from "../../electron/protocol.ts";

/** One run of text on one stream. All but the tail's last chunk end with a newline, except where the stream changed mid-line. */
export interface ConsoleChunk {
  stream: "stdout" | "stderr";
  text: string;
  /** Newlines in `text`. */
  newlines: number;
  /** UTF-8 bytes of `text`. */
  bytes: number;
}

/** What a cell run's console shows. */
export interface ConsoleTail {
  chunks: ConsoleChunk[];
  /** Newlines in all chunks. */
  newlines: number;
  /** UTF-8 bytes of all chunks. */
  bytes: number;
  /** Earlier lines of this run not shown: trimmed here, or skipped by the kernel. */
  dropped: number;
}

/** The bounds a tail keeps. */
export type ConsoleBounds = Pick<OutputLimits, "consoleLines" | "consoleBytes">;

/** New text for a tail: a `cell-console` event's fields. */
export interface ConsoleText {
  stream: "stdout" | "stderr";
  text: string;
  /** Lines the kernel did not send before `text`. */
  skippedLines?: number;
}

/** About how many characters one chunk holds: small enough to re-set or cut every frame. */
export const PIECE_CHARS = 16 * 1024;

const NL = 10;

/** An empty tail. */
export function emptyTail(): ConsoleTail {
  return { chunks: [], newlines: 0, bytes: 0, dropped: 0 };
}

/** Lines the tail shows: its newlines, plus an unfinished last line. */
export function tailLines(tail: ConsoleTail): number {
  const last = tail.chunks[tail.chunks.length - 1];
  return tail.newlines + (last && last.text.length > 0 && last.text.charCodeAt(last.text.length - 1) !== NL ? 1 : 0);
}

/** @internal The tail's text, every chunk joined (for tests). */
export function tailText(tail: ConsoleTail): string {
  return tail.chunks.map((c) => c.text).join("");
}

/**
 * Appends a console event to `tail` (in place) and trims it to `bounds`. When the kernel skipped
 * lines before this text, what the tail held is no longer followed by what it printed next, so it
 * is dropped too: the tail always shows the last lines, contiguous.
 */
export function appendConsole(tail: ConsoleTail, event: ConsoleText, bounds: ConsoleBounds): void {
  const maxLines = Math.max(1, Math.floor(bounds.consoleLines));
  const maxBytes = Math.max(1, Math.floor(bounds.consoleBytes));
  let text = event.text;
  if (event.skippedLines && event.skippedLines > 0) {
    tail.dropped += event.skippedLines + tailLines(tail);
    clear(tail);
  }
  if (text.length === 0) return;

  // Text that alone passes the bounds replaces the whole tail: keep only its last lines, found
  // from the end, so a huge event costs no more than what is kept (plus counting what is not).
  const start = lastLinesStart(text, maxLines, maxBytes);
  if (start > 0) {
    const cutLines = countNewlines(text, 0, start);
    // An unfinished last line of the tail is the first line of `text`: count it once.
    tail.dropped += cutLines + tailLines(tail) - (endsMidLine(tail) ? 1 : 0);
    clear(tail);
    // A slice keeps its whole parent string alive; copy what is kept of a mostly dropped text.
    text = start > text.length / 2 ? copyString(text.slice(start)) : text.slice(start);
  }

  let from = 0;
  while (from < text.length) {
    const last = tail.chunks[tail.chunks.length - 1];
    const merge = last !== undefined && last.stream === event.stream && (endsMidLine(tail) || last.text.length < PIECE_CHARS);
    // A piece ends at the first newline at or after its size; a merged piece fills the last chunk
    // up to that size, or only finishes its unfinished line.
    const room = merge ? Math.max(1, PIECE_CHARS - last.text.length) : PIECE_CHARS;
    const nl = text.indexOf("\n", from + room - 1);
    const end = nl < 0 ? text.length : nl + 1;
    const piece = from === 0 && end === text.length ? text : text.slice(from, end);
    const newlines = countNewlines(piece, 0, piece.length);
    const bytes = utf8Length(piece, 0, piece.length);
    if (merge) {
      last.text += piece;
      last.newlines += newlines;
      last.bytes += bytes;
    } else {
      tail.chunks.push({ stream: event.stream, text: piece, newlines, bytes });
    }
    tail.newlines += newlines;
    tail.bytes += bytes;
    from = end;
  }
  trim(tail, maxLines, maxBytes);
}

/** Removes lines from the front until the tail is within both bounds. */
function trim(tail: ConsoleTail, maxLines: number, maxBytes: number): void {
  const over = tailLines(tail) - maxLines;
  if (over > 0) dropLines(tail, over);
  if (tail.bytes <= maxBytes) return;
  // Whole lines first, but never the last one: a line alone over the bound is shown by its end.
  dropLines(tail, Math.min(linesCovering(tail, tail.bytes - maxBytes), tailLines(tail) - 1));
  if (tail.bytes <= maxBytes) return;
  // One line alone is over the byte bound: show its end.
  const last = tail.chunks[tail.chunks.length - 1];
  tail.chunks = [last];
  tail.newlines = last.newlines;
  let cut = Math.max(0, last.text.length - maxBytes);
  while (utf8Length(last.text, cut, last.text.length) > maxBytes) cut += Math.ceil((utf8Length(last.text, cut, last.text.length) - maxBytes) / 3);
  last.text = copyString(last.text.slice(cut));
  last.bytes = utf8Length(last.text, 0, last.text.length);
  tail.bytes = last.bytes;
}

/** Removes the first `count` lines (through the count-th newline) and counts them as dropped. */
function dropLines(tail: ConsoleTail, count: number): void {
  if (count <= 0) return;
  let left = count;
  let whole = 0;
  while (whole < tail.chunks.length && tail.chunks[whole].newlines < left) {
    left -= tail.chunks[whole].newlines;
    whole++;
  }
  // Every chunk has too few newlines: the lines asked for are all there are (or more).
  const removed = tail.chunks.splice(0, whole);
  for (const c of removed) {
    tail.newlines -= c.newlines;
    tail.bytes -= c.bytes;
  }
  tail.dropped += count - left;
  const first = tail.chunks[0];
  if (!first || left === 0) return;
  let at = -1;
  for (let n = 0; n < left; n++) at = first.text.indexOf("\n", at + 1);
  const cutBytes = utf8Length(first.text, 0, at + 1);
  first.text = first.text.slice(at + 1);
  first.newlines -= left;
  first.bytes -= cutBytes;
  tail.newlines -= left;
  tail.bytes -= cutBytes;
  tail.dropped += left;
  if (first.text.length === 0) tail.chunks.shift();
}

/** How many lines from the front hold at least `bytes` bytes (ending at a newline); all complete lines when none do. */
function linesCovering(tail: ConsoleTail, bytes: number): number {
  let lines = 0;
  let seen = 0;
  for (const c of tail.chunks) {
    if (seen + c.bytes < bytes || c.newlines === 0) {
      seen += c.bytes;
      lines += c.newlines;
      continue;
    }
    let from = 0;
    for (let n = 0; n < c.newlines; n++) {
      const nl = c.text.indexOf("\n", from);
      seen += utf8Length(c.text, from, nl + 1);
      lines++;
      from = nl + 1;
      if (seen >= bytes) return lines;
    }
    seen += utf8Length(c.text, from, c.text.length);
  }
  return lines;
}

/**
 * Index where the last `maxLines` lines of `text` start, or fewer lines whose characters stay within
 * `maxChars` (a character is at least one byte; `trim` then checks bytes exactly); 0 when all fit.
 */
function lastLinesStart(text: string, maxLines: number, maxChars: number): number {
  let end = text.length;
  if (text.charCodeAt(end - 1) === NL) end--;
  let count = 0;
  while (end > 0) {
    const nl = text.lastIndexOf("\n", end - 1);
    if (nl < 0) return 0;
    count++;
    if (count >= maxLines || text.length - (nl + 1) > maxChars) return nl + 1;
    end = nl;
  }
  return 0;
}

/** Newlines in `text[from, to)`. */
function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf("\n", from); i >= 0 && i < to; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** UTF-8 length of `text[from, to)` (a surrogate pair is 4 bytes, a lone surrogate 3, as TextEncoder writes U+FFFD). */
export function utf8Length(text: string, from: number, to: number): number {
  let bytes = to - from;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < to && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2;
      i++;
    } else bytes += 2;
  }
  return bytes;
}

function endsMidLine(tail: ConsoleTail): boolean {
  const last = tail.chunks[tail.chunks.length - 1];
  return last !== undefined && last.text.length > 0 && last.text.charCodeAt(last.text.length - 1) !== NL;
}

function clear(tail: ConsoleTail): void {
  tail.chunks = [];
  tail.newlines = 0;
  tail.bytes = 0;
}

/** A flat copy of `s`: a slice of a large string would keep all of it alive. */
function copyString(s: string): string {
  return (" " + s).slice(1);
}
