/** The argument parser: every spelling the commands accept, their defaults, and one wording for each mistake. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { command, port } from "./args.ts";

const demo = command({
  name: "flowbook demo",
  usage: "usage: flowbook demo <file> [-p N]",
  options: {
    port: { type: "string", short: "p", default: 5000, parse: port, description: "port to listen on" },
    "tracking-uri": { type: "string", default: (env) => env.MLFLOW_TRACKING_URI || "sqlite:///flowbook.db" },
    "model-uri": { type: "string", short: "m" },
    "serve-artifacts": { type: "boolean", negatable: true, default: true },
    browser: { type: "boolean", default: false },
  },
  positional: { name: "file", missing: "missing file" },
});

test("a value may follow its flag, an equals sign or its short alias", () => {
  for (const args of [["--port", "7000"], ["--port=7000"], ["-p", "7000"], ["-p=7000"], ["-p7000"]]) {
    assert.equal(demo.parse(["f", ...args], {}).port, 7000, args.join(" "));
  }
  assert.equal(demo.parse(["f", "--port", "1", "--port", "2"], {}).port, 2, "the last one wins");
});

test("values are keyed by the flag in camelCase; defaults fill in, from the environment too", () => {
  assert.deepEqual(demo.parse(["f"], {}), { file: "f", port: 5000, trackingUri: "sqlite:///flowbook.db", serveArtifacts: true, browser: false });
  assert.equal(demo.parse(["f"], { MLFLOW_TRACKING_URI: "http://t:5000" }).trackingUri, "http://t:5000");
  assert.equal(demo.parse(["-m", "runs:/a/m", "f"], {}).modelUri, "runs:/a/m");
  assert.equal(demo.parse(["f", "--browser"], {}).browser, true);
  assert.equal(demo.parse(["f", "--no-serve-artifacts"], {}).serveArtifacts, false);
  assert.equal(demo.parse(["f", "--no-serve-artifacts", "--serve-artifacts"], {}).serveArtifacts, true);
  assert.equal(demo.parse(["--", "-f.ts"], {}).file, "-f.ts", "after --, a dash starts a positional");
});

test("each mistake has one wording", () => {
  const fails = (args: string[], message: string) => assert.throws(() => demo.parse(args, {}), { message }, args.join(" "));
  fails(["f", "--bogus=1"], "unknown option '--bogus=1'");
  fails(["f", "-xy"], "unknown option '-xy'");
  fails(["f", "--port"], "missing value for --port");
  fails(["f", "-p="], "missing value for -p");
  fails(["f", "--port", "http"], "invalid port 'http'");
  fails(["f", "--port", "70000"], "invalid port '70000'");
  fails(["f", "--browser=no"], "unexpected value for --browser");
  fails(["f", "g"], "unexpected argument 'g'");
  fails([], "missing file");
  const required = command({ name: "x", usage: "", options: { "model-uri": { type: "string", short: "m", required: true } } });
  assert.throws(() => required.parse([]), { message: "missing -m/--model-uri" });
});

test("the help is the usage line(s), then a table of the described options", () => {
  assert.equal(demo.help, "usage: flowbook demo <file> [-p N]\n\n  -p, --port          port to listen on\n");
  const bare = command({ name: "x", usage: "usage: x [--y]", options: { y: { type: "boolean" } } });
  assert.equal(bare.help, "usage: x [--y]\n");
});
