import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_OUTPUT_LIMITS, formatSize, mergeLimits, tooLargeMessage } from "./output-bounds.ts";

const MB = 1024 * 1024;

test("sizes print one way: bytes under 1 KB, else one decimal in the largest unit", () => {
  assert.equal(formatSize(0), "0 B");
  assert.equal(formatSize(512), "512 B");
  assert.equal(formatSize(1024), "1.0 KB");
  assert.equal(formatSize(1536), "1.5 KB");
  assert.equal(formatSize(8 * MB), "8.0 MB");
  assert.equal(formatSize(50 * MB), "50.0 MB");
  assert.equal(formatSize(52_428_833), "50.0 MB");
  assert.equal(formatSize(1024 * 1024 - 1), "1.0 MB", "rounding carries into the next unit");
  assert.equal(formatSize(1.5 * 1024 * MB), "1.5 GB");
  assert.equal(tooLargeMessage(50 * MB, 8 * MB), "output too large (50.0 MB > 8.0 MB limit)");
});

test("limits merge over the defaults one key at a time, later parts winning", () => {
  assert.deepEqual(mergeLimits(), DEFAULT_OUTPUT_LIMITS);
  assert.deepEqual(mergeLimits({ outputBytes: 4 * MB }, undefined, { consoleLines: 5 }), { ...DEFAULT_OUTPUT_LIMITS, outputBytes: 4 * MB, consoleLines: 5 });
  assert.deepEqual(mergeLimits({ ...DEFAULT_OUTPUT_LIMITS, consoleLines: 7 }, { outputBytes: MB }), { ...DEFAULT_OUTPUT_LIMITS, consoleLines: 7, outputBytes: MB });
});
