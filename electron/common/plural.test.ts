import { test } from "node:test";
import assert from "node:assert/strict";
import { plural } from "./plural.ts";

test("a count of one takes the singular, any other count the plural", () => {
  assert.equal(plural(1, "run"), "1 run");
  assert.equal(plural(0, "run"), "0 runs");
  assert.equal(plural(12345, "run"), "12,345 runs");
  assert.equal(plural(2, "child", "children"), "2 children");
});
