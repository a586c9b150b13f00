/** The runs table's virtual window: which rows are rendered for a scroll position. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { virtualWindow } from "./virtual-window.ts";

test("only the rows on screen plus overscan are rendered", () => {
  const w = virtualWindow(0, 300, 30, 10_000, 5);
  assert.deepEqual(w, { start: 0, end: 16, padTop: 0, padBottom: (10_000 - 16) * 30 });
});

test("scrolling moves the window and keeps total height constant", () => {
  const w = virtualWindow(30_000, 300, 30, 10_000, 5);
  assert.equal(w.start, 995);
  assert.equal(w.end, 1016);
  assert.equal(w.padTop + (w.end - w.start) * 30 + w.padBottom, 300_000);
});

test("the window never runs past the last row or starts before the first", () => {
  assert.deepEqual(virtualWindow(1e9, 300, 30, 20, 5), { start: 20, end: 20, padTop: 600, padBottom: 0 });
  assert.deepEqual(virtualWindow(-50, 300, 30, 3, 5), { start: 0, end: 3, padTop: 0, padBottom: 0 });
  assert.deepEqual(virtualWindow(0, 300, 30, 0), { start: 0, end: 0, padTop: 0, padBottom: 0 });
});
