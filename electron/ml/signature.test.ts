import { test } from "node:test";
import assert from "node:assert/strict";
import { signatureFromMlmodel, signatureToMlmodel, tensorSignature, toMatrix, type Signature } from "./signature.ts";

const cols: Signature = {
  inputs: [
    { type: "double", name: "a" },
    { type: "double", name: "b" },
  ],
};

test("rows, one row, records, split frames and columns all become the same matrix", () => {
  const want = [
    [1, 2],
    [3, 4],
  ];
  assert.deepEqual(toMatrix(want, cols), want);
  assert.deepEqual(toMatrix([1, 2], cols), [[1, 2]]);
  assert.deepEqual(toMatrix([{ b: 2, a: 1 }, { a: 3, b: 4, extra: 9 }], cols), want);
  assert.deepEqual(toMatrix({ columns: ["b", "a"], data: [[2, 1], [4, 3]] }, cols), want);
  assert.deepEqual(toMatrix({ a: [1, 3], b: [2, 4] }, cols), want);
});

test("nested tensor rows are flattened to the signature's width", () => {
  const sig = tensorSignature(4, 2);
  assert.deepEqual(toMatrix([[[1, 2], [3, 4]]], sig), [[1, 2, 3, 4]]);
});

test("schema violations are BAD_REQUEST errors that name the problem", () => {
  assert.throws(() => toMatrix([{ a: 1 }], cols), { code: "BAD_REQUEST", message: /missing inputs \["b"\]/ });
  assert.throws(() => toMatrix([[1, 2, 3]], cols), { code: "BAD_REQUEST", message: /3 values, the model expects 2/ });
  assert.throws(() => toMatrix([[1, "x"]], cols), { code: "BAD_REQUEST", message: /column b of row 0 is "x"/ });
  assert.throws(() => toMatrix([], cols), { code: "BAD_REQUEST", message: /no rows/ });
  assert.throws(() => toMatrix("text", cols), { code: "BAD_REQUEST", message: /Unsupported input of type string/ });
  assert.throws(() => toMatrix({ a: [1, 2], b: [1] }, cols), { code: "BAD_REQUEST", message: /same length/ });
});

test("a signature survives the MLmodel round trip as JSON strings", () => {
  const sig = tensorSignature(784, 10);
  const block = signatureToMlmodel(sig);
  assert.equal(typeof block.inputs, "string");
  assert.deepEqual(signatureFromMlmodel(block), sig);
  assert.equal(signatureFromMlmodel(undefined), undefined);
});
