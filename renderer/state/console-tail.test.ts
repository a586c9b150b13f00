/** A cell run's console tail: the last lines within both bounds, whole lines, and a count of the rest. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendConsole, emptyTail, PIECE_CHARS, tailLines, tailText, utf8Length, type ConsoleTail } from "./console-tail.ts";

const BOUNDS = { consoleLines: 10_000, consoleBytes: 5 * 1024 * 1024 };

const lines = (from: number, to: number, word = "line") => {
  let s = "";
  for (let i = from; i < to; i++) s += `${word} ${i}\n`;
  return s;
};

/** The invariants every tail keeps: counters match the text, chunks stay small. */
function checkCounters(tail: ConsoleTail): void {
  const text = tailText(tail);
  assert.equal(tail.newlines, text.split("\n").length - 1);
  assert.equal(tail.bytes, Buffer.byteLength(text));
  for (const c of tail.chunks) {
    assert.equal(c.newlines, c.text.split("\n").length - 1);
    assert.equal(c.bytes, Buffer.byteLength(c.text));
    assert.ok(c.text.length > 0, "no empty chunks");
  }
}

test("a short console is kept whole, in order, with nothing dropped", () => {
  const tail = emptyTail();
  appendConsole(tail, { stream: "stdout", text: "a\n" }, BOUNDS);
  appendConsole(tail, { stream: "stderr", text: "warn\n" }, BOUNDS);
  appendConsole(tail, { stream: "stdout", text: "b\n" }, BOUNDS);
  assert.equal(tailText(tail), "a\nwarn\nb\n");
  assert.deepEqual(tail.chunks.map((c) => c.stream), ["stdout", "stderr", "stdout"]);
  assert.equal(tail.dropped, 0);
  assert.equal(tailLines(tail), 3);
  checkCounters(tail);
});

test("a million lines in many events keep the last 10,000 and count the 990,000 before them", () => {
  const tail = emptyTail();
  for (let i = 0; i < 1_000_000; i += 1000) appendConsole(tail, { stream: "stdout", text: lines(i, i + 1000) }, BOUNDS);
  assert.equal(tailLines(tail), 10_000);
  assert.equal(tail.dropped, 990_000);
  const text = tailText(tail);
  assert.ok(text.startsWith("line 990000\n"));
  assert.ok(text.endsWith("line 999999\n"));
  checkCounters(tail);
  for (const c of tail.chunks) assert.ok(c.text.length <= PIECE_CHARS + 20, "chunks stay about one piece long");
});

test("one event larger than the bounds keeps only its last lines", () => {
  const tail = emptyTail();
  appendConsole(tail, { stream: "stdout", text: "before\n" }, BOUNDS);
  appendConsole(tail, { stream: "stdout", text: lines(0, 200_000) }, BOUNDS);
  assert.equal(tailLines(tail), 10_000);
  assert.equal(tail.dropped, 1 + 190_000);
  assert.ok(tailText(tail).startsWith("line 190000\n"));
  checkCounters(tail);
});

test("single-line events (a slow loop) merge into chunks instead of one growing string", () => {
  const tail = emptyTail();
  for (let i = 0; i < 30_000; i++) appendConsole(tail, { stream: "stdout", text: `tick ${i}\n` }, BOUNDS);
  assert.equal(tailLines(tail), 10_000);
  assert.equal(tail.dropped, 20_000);
  assert.ok(tailText(tail).endsWith("tick 29999\n"));
  assert.ok(tail.chunks.length < 20, `${tail.chunks.length} chunks`);
  checkCounters(tail);
});

test("the byte bound trims whole lines from the front", () => {
  const tail = emptyTail();
  const bounds = { consoleLines: 10_000, consoleBytes: 1000 };
  const line = (i: number) => `${String(i).padStart(3, "0")} ${"x".repeat(95)}\n`; // 100 bytes
  for (let i = 0; i < 25; i++) appendConsole(tail, { stream: "stdout", text: line(i) }, bounds);
  assert.equal(tail.bytes, 1000);
  assert.equal(tailLines(tail), 10);
  assert.equal(tail.dropped, 15);
  assert.ok(tailText(tail).startsWith("015 "));
  appendConsole(tail, { stream: "stdout", text: "y\n" }, bounds);
  assert.ok(tail.bytes <= 1000);
  assert.ok(tailText(tail).startsWith("016 "), "a whole line goes, never part of one");
  assert.equal(tail.dropped, 16);
  checkCounters(tail);
});

test("bytes are UTF-8 bytes, not characters", () => {
  assert.equal(utf8Length("aé€😀", 0, 5), 1 + 2 + 3 + 4);
  const tail = emptyTail();
  const bounds = { consoleLines: 100, consoleBytes: 30 };
  for (let i = 0; i < 5; i++) appendConsole(tail, { stream: "stdout", text: "ééééé\n" }, bounds); // 11 bytes a line
  assert.equal(tail.bytes, 22);
  assert.equal(tail.dropped, 3);
  checkCounters(tail);
});

test("a line alone over the byte bound is shown by its end", () => {
  const tail = emptyTail();
  const bounds = { consoleLines: 100, consoleBytes: 10 };
  appendConsole(tail, { stream: "stdout", text: "short\n" }, bounds);
  appendConsole(tail, { stream: "stdout", text: "0123456789abcdefghij\n" }, bounds);
  assert.equal(tailText(tail), "bcdefghij\n");
  assert.equal(tail.dropped, 1);
  checkCounters(tail);
});

test("a line printed in parts counts once, and dropping it drops all its parts", () => {
  const tail = emptyTail();
  const bounds = { consoleLines: 2, consoleBytes: 1000 };
  appendConsole(tail, { stream: "stdout", text: "one " }, bounds);
  appendConsole(tail, { stream: "stdout", text: "line\ntwo" }, bounds);
  assert.equal(tailLines(tail), 2);
  assert.equal(tailText(tail), "one line\ntwo");
  appendConsole(tail, { stream: "stdout", text: " parts\nthree\n" }, bounds);
  assert.equal(tailText(tail), "two parts\nthree\n");
  assert.equal(tail.dropped, 1);
  checkCounters(tail);
});

test("lines the kernel skipped are counted, and the tail before the gap goes with them", () => {
  const tail = emptyTail();
  appendConsole(tail, { stream: "stdout", text: lines(0, 5) }, BOUNDS);
  appendConsole(tail, { stream: "stdout", text: lines(100, 103), skippedLines: 95 }, BOUNDS);
  assert.equal(tailText(tail), lines(100, 103));
  assert.equal(tail.dropped, 100);
  // A skip with no text still counts.
  appendConsole(tail, { stream: "stdout", text: "", skippedLines: 7 }, BOUNDS);
  assert.equal(tail.dropped, 110);
  assert.equal(tailLines(tail), 0);
  checkCounters(tail);
});
