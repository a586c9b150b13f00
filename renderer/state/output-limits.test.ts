/** How output limits rise (the next power of two) and where saved outputs are asked for. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { raisedLimit, sessionFileUrl } from "./output-limits.ts";

const MB = 1024 * 1024;

test("raising goes to the next power of two megabytes above the output, up to 128 MB", () => {
  assert.equal(raisedLimit(3 * MB + 20), 4 * MB);
  assert.equal(raisedLimit(4 * MB), 8 * MB);
  assert.equal(raisedLimit(200 * 1024), MB);
  assert.equal(raisedLimit(50 * MB), 64 * MB);
  assert.equal(raisedLimit(64 * MB), 128 * MB);
  assert.equal(raisedLimit(128 * MB), undefined);
});

test("saved outputs are asked for by path, escaped", () => {
  assert.equal(sessionFileUrl("a b/c&d.json"), "/flowbook/session-file?path=a%20b%2Fc%26d.json");
  assert.equal(sessionFileUrl("outputs/x.md", true), "/flowbook/session-file?path=outputs%2Fx.md&download=1");
});
