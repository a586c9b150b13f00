/** The field parser reads bodies and query strings as MLflow's handlers do, and the codec encodes doubles like protobuf JSON. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { MlflowError } from "../types.ts";
import { parsePyJson } from "./py-json.ts";
import { parseArgs, queryFields } from "./fields.ts";
import { encodeDouble, parseDouble, parseInt64, toWireJson } from "./json.ts";

function throwsParam(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof MlflowError && e.code === "INVALID_PARAMETER_VALUE" && message.test(e.message));
}

test("required fields: absent, null and empty string are missing, with MLflow's message", () => {
  for (const body of [{}, { experiment_id: null }, { experiment_id: "" }]) {
    throwsParam(
      () => parseArgs({ experiment_id: "string!" }, body, false),
      /^Missing value for required parameter 'experiment_id'\. See the API docs for more information about request parameters\.$/,
    );
  }
});

test("wrong types quote the value and Python's type name", () => {
  throwsParam(() => parseArgs({ name: "string!" }, { name: 5 }, false), /Invalid value 5 for parameter 'name' supplied\. Hint: Value was of type 'int'\./);
  throwsParam(() => parseArgs({ start_time: "int" }, { start_time: "soon" }, false), /type 'str'/);
  throwsParam(() => parseArgs({ order_by: "strings" }, { order_by: [1] }, false), /parameter 'order_by'/);
  // MLflow's log-batch rule: an entry missing key, value or timestamp makes the whole list the invalid value.
  throwsParam(() => parseArgs({ metrics: "metrics" }, { metrics: [{ key: "a", value: 1 }] }, false), /Invalid value \[\{'key': 'a', 'value': 1\}\] for parameter 'metrics' supplied\. Hint: Value was of type 'list'\./);
  throwsParam(() => parseArgs({ params: "tags" }, { params: [{ value: "v" }] }, false), /Invalid value \[\{'value': 'v'\}\] for parameter 'params'/);
  // The value as the body wrote it: 9.0 stays a float.
  throwsParam(() => parseArgs({ artifact_location: "string" }, { artifact_location: 9 }, false, () => parsePyJson("9.0")), /Invalid value 9\.0 for parameter 'artifact_location' supplied\. Hint: Value was of type 'float'\./);
  throwsParam(() => parseArgs({ metrics: "metrics" }, { metrics: [{ key: "a", value: true, timestamp: 1 }] }, false), /metrics\[0\]\.value/);
});

test("numbers in strings, enums by name or number, run_uuid fallback", () => {
  const a = parseArgs(
    { run_id: "string!", value: "double!", timestamp: "int!", status: "status", view: "view" },
    { run_uuid: "r", value: "NaN", timestamp: "12", status: 3, view: "ALL" },
    false,
  );
  assert.equal(a.run_id, "r");
  assert.ok(Number.isNaN(a.value));
  assert.equal(a.timestamp, 12);
  assert.equal(a.status, "FINISHED");
  assert.equal(a.view, "ALL");
});

test("query strings: repeated keys and key[] become lists, one value of a list field a one-element list", () => {
  const q = queryFields(new URLSearchParams("run_ids=a&run_ids=b&stages%5B%5D=Production&max_results=5&metric_key=m"));
  assert.deepEqual(q, { run_ids: ["a", "b"], stages: ["Production"], max_results: "5", metric_key: "m" });
  const a = parseArgs({ run_ids: "strings!", stages: "strings", max_results: "int", metric_key: "string!" }, q, true);
  assert.deepEqual(a, { run_ids: ["a", "b"], stages: ["Production"], max_results: 5, metric_key: "m" });
  assert.deepEqual(parseArgs({ run_ids: "strings!" }, queryFields(new URLSearchParams("run_ids=x")), true), { run_ids: ["x"] });
});

test("doubles: NaN and infinities travel as strings both ways; int64 only integral", () => {
  assert.equal(encodeDouble(NaN), "NaN");
  assert.equal(encodeDouble(Infinity), "Infinity");
  assert.equal(encodeDouble(-Infinity), "-Infinity");
  assert.equal(encodeDouble(1.5), 1.5);
  assert.equal(parseDouble("-Infinity"), -Infinity);
  assert.equal(parseDouble("1e3"), 1000);
  assert.equal(parseDouble("abc"), undefined);
  assert.equal(parseDouble(""), undefined);
  assert.equal(parseInt64(1.5), undefined);
  assert.equal(parseInt64("-7"), -7);
  assert.equal(toWireJson({ metrics: [{ value: NaN }, { value: -Infinity }, { value: 2 }] }), '{"metrics":[{"value":"NaN"},{"value":"-Infinity"},{"value":2}]}');
});
