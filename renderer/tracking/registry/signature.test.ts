import { test } from "node:test";
import assert from "node:assert/strict";
import { parseMlmodelSignature } from "./signature.ts";

test("the signature's column and tensor schemas are read from MLmodel YAML", () => {
  const text = [
    "artifact_path: model",
    "flavors:",
    "  python_function: {}",
    "signature:",
    `  inputs: '[{"type": "double", "name": "x"}, {"type": "string", "name": "it''s"}]'`,
    `  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 1]}}]'`,
    "  params: null",
    "utc_time_created: '2024-01-01'",
  ].join("\n");
  assert.deepEqual(parseMlmodelSignature(text), {
    inputs: [{ name: "x", type: "double", shape: undefined }, { name: "it's", type: "string", shape: undefined }],
    outputs: [{ name: undefined, type: "float32", shape: [-1, 1] }],
  });
});

test("no signature section, or a broken one, gives null", () => {
  assert.equal(parseMlmodelSignature("flavors: {}\n"), null);
  assert.equal(parseMlmodelSignature("signature:\n  inputs: '[broken'\n"), null);
});
