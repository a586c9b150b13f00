import { test } from "node:test";
import assert from "node:assert/strict";
import type { CellId } from "../protocol.ts";
import { DEFAULT_OUTPUT_LIMITS, mergeLimits } from "../common/output-bounds.ts";
import {
  NotebookFormatError,
  limitsProblem,
  parseLimitsDirective,
  parseNotebook,
  parseSize,
  serializeNotebook,
  withLimitsDirective,
} from "./index.ts";

const MB = 1024 * 1024;

test("sizes read as people write them, in binary units", () => {
  assert.equal(parseSize("512"), 512);
  assert.equal(parseSize("512B"), 512);
  assert.equal(parseSize("64KB"), 64 * 1024);
  assert.equal(parseSize("16MB"), 16 * MB);
  assert.equal(parseSize("16 mb"), 16 * MB);
  assert.equal(parseSize("1.5GB"), 1.5 * 1024 * MB);
  for (const bad of ["", "MB", "-1MB", "16 MiB", "1e6", "16MBs"]) assert.equal(parseSize(bad), undefined, bad);
});

test("the header line sets limits over the defaults", () => {
  const header = "// my notebook\n// flowbook: output-limit=16MB console-lines=20000 console-bytes=512KB\n\n";
  const { limits, warnings } = parseLimitsDirective(header, "nb.ts");
  assert.deepEqual(limits, { outputBytes: 16 * MB, consoleLines: 20_000, consoleBytes: 512 * 1024 });
  assert.deepEqual(warnings, []);
  assert.deepEqual(mergeLimits({ outputBytes: 4 * MB }, { consoleLines: 5 }), { ...DEFAULT_OUTPUT_LIMITS, outputBytes: 4 * MB, consoleLines: 5 });
  assert.deepEqual(parseLimitsDirective("// no directive\n").limits, {});
});

test("a bad value in the header line is an error naming the line; an unknown key is a warning", () => {
  const cases: [string, RegExp][] = [
    ["// flowbook: output-limit=lots\n", /output-limit=lots': expected a size/],
    ["// flowbook: output-limit=1GB\n", /between 1\.0 KB and 128\.0 MB/],
    ["// flowbook: console-lines=1.5\n", /expected a whole number/],
    ["// flowbook: console-lines=0\n", /between 1 and 1000000/],
    ["// flowbook: console-lines=5 console-lines=6\n", /given twice/],
    ["// flowbook: output-limit\n", /expected key=value/],
    ["// flowbook: console-lines=5\n// flowbook: console-bytes=5MB\n", /a second '\/\/ flowbook:' line/],
  ];
  for (const [header, message] of cases) {
    assert.throws(
      () => parseLimitsDirective(`// title\n${header}`, "nb.ts"),
      (err: unknown) => err instanceof NotebookFormatError && message.test(err.message) && err.message.startsWith("nb.ts:"),
      header,
    );
  }
  const unknown = parseLimitsDirective("// flowbook: colour=red console-lines=7\n", "nb.ts");
  assert.deepEqual(unknown.limits, { consoleLines: 7 });
  assert.match(unknown.warnings[0]!, /^nb\.ts:1: unknown key 'colour'.*ignored$/);
});

test("raising a limit rewrites the header line, keeping its other keys, or adds the line first", () => {
  assert.equal(withLimitsDirective("// title\n\n", { outputBytes: 16 * MB }), "// flowbook: output-limit=16MB\n// title\n\n");
  assert.equal(withLimitsDirective("", { consoleBytes: 1536 * 1024 }), "// flowbook: console-bytes=1536KB\n");
  const header = "// title\n// flowbook: console-lines=20000 colour=red\n\n";
  assert.equal(withLimitsDirective(header, { outputBytes: 32 * MB }), "// title\n// flowbook: output-limit=32MB console-lines=20000 colour=red\n\n");
  assert.throws(() => withLimitsDirective(header, { outputBytes: -1 }), /outputBytes must be between/);
});

test("a notebook saved with the rewritten header reads back the raised limit", () => {
  const nb = parseNotebook("// title\n\n// %% [cell id=a]\n1;\n");
  const raised = { ...nb, header: withLimitsDirective(nb.header, { outputBytes: 64 * MB }) };
  const text = serializeNotebook(raised);
  assert.match(text, /^\/\/ flowbook: output-limit=64MB\n\/\/ title\n/);
  const back = parseNotebook(text);
  assert.deepEqual(parseLimitsDirective(back.header).limits, { outputBytes: 64 * MB });
  assert.deepEqual(back.cells.map((c) => c.id), ["a" as CellId]);
});

test("limits from outside are checked: known keys, whole numbers, within bounds", () => {
  assert.equal(limitsProblem({ outputBytes: 16 * MB, consoleLines: 100, consoleBytes: 1024 }), undefined);
  assert.equal(limitsProblem({}), undefined);
  assert.match(limitsProblem(null)!, /must be an object/);
  assert.match(limitsProblem({ outputBytes: "16MB" })!, /whole number/);
  assert.match(limitsProblem({ outputBytes: Infinity })!, /whole number/);
  assert.match(limitsProblem({ outputBytes: 0 })!, /between/);
  assert.match(limitsProblem({ consoleLines: 10_000_000 })!, /between 1 and 1000000/);
  assert.match(limitsProblem({ bogus: 1 })!, /unknown limit 'bogus'/);
});

test("the header line can turn running on open off, and a rewrite of the limits keeps it", () => {
  assert.equal(parseLimitsDirective("// flowbook: run-on-open=false\n").runOnOpen, false);
  assert.equal(parseLimitsDirective("// flowbook: output-limit=16MB run-on-open=true\n").runOnOpen, true);
  assert.equal(parseLimitsDirective("// no line\n").runOnOpen, undefined);
  assert.deepEqual(parseLimitsDirective("// flowbook: run-on-open=false\n").warnings, []);
  assert.throws(() => parseLimitsDirective("// flowbook: run-on-open=no\n", "nb.ts"), /nb\.ts:1: 'run-on-open=no': expected run-on-open=true or run-on-open=false/);
  const header = withLimitsDirective("// flowbook: run-on-open=false\n", { outputBytes: 16 * 1024 * 1024 });
  assert.equal(header, "// flowbook: output-limit=16MB run-on-open=false\n");
  assert.equal(parseLimitsDirective(header).runOnOpen, false);
});
