// Artifact path and URI safety: normalisation, traversal rejection, URI schemes.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { MlflowError } from "../types.ts";
import { normalizeArtifactPath, resolveArtifactUri } from "./index.ts";

const invalidParam = (fn: () => unknown, message: string) =>
  assert.throws(fn, (e: unknown) => e instanceof MlflowError && e.code === "INVALID_PARAMETER_VALUE" && e.message.includes(message));

describe("normalizeArtifactPath", () => {
  const ok: [string | undefined, string][] = [
    [undefined, ""],
    ["", ""],
    [".", ""],
    ["model", "model"],
    ["model/", "model"],
    ["a//b/./c", "a/b/c"],
    ["my file.txt", "my file.txt"],
    ["..data/x..y", "..data/x..y"],
    ["ünï/çodé", "ünï/çodé"],
  ];
  for (const [input, expected] of ok) {
    test(`accepts ${JSON.stringify(input)}`, () => assert.equal(normalizeArtifactPath(input), expected));
  }
  const bad = ["..", "../x", "a/../../x", "a/..", "/etc/passwd", "a\\..\\x", "..\\x", "x\0y", "%2e%2e/x", "a/%2E%2E/b", "%2fetc", "C:\\x", "c:x", "file:///etc/passwd"];
  for (const input of bad) {
    test(`rejects ${JSON.stringify(input)}`, () => invalidParam(() => normalizeArtifactPath(input), "Invalid path"));
  }
});

describe("resolveArtifactUri", () => {
  const dest = resolve("/srv/mlartifacts");
  test("file URIs and absolute paths", () => {
    assert.equal(resolveArtifactUri(pathToFileURL("/data/runs/1").href), resolve("/data/runs/1"));
    assert.equal(resolveArtifactUri("file:///data/with%20space"), resolve("/data/with space"));
    assert.equal(resolveArtifactUri("/data/runs/1"), resolve("/data/runs/1"));
  });
  test("mlflow-artifacts URIs resolve under the destination, with or without authority", () => {
    assert.equal(resolveArtifactUri("mlflow-artifacts:/0/abc/artifacts", { artifactsDestination: dest }), join(dest, "0", "abc", "artifacts"));
    assert.equal(resolveArtifactUri("mlflow-artifacts://localhost:5000/0/abc/artifacts", { artifactsDestination: dest }), join(dest, "0", "abc", "artifacts"));
    assert.equal(resolveArtifactUri("mlflow-artifacts:///1/r%20x", { artifactsDestination: dest }), join(dest, "1", "r x"));
    assert.equal(resolveArtifactUri("mlflow-artifacts://host:1/", { artifactsDestination: dest }), dest);
    assert.equal(resolveArtifactUri("mlflow-artifacts:/2/r", { artifactsDestination: pathToFileURL(dest).href }), join(dest, "2", "r"));
  });
  test("mlflow-artifacts URIs cannot climb out of the destination", () => {
    for (const uri of ["mlflow-artifacts:/../etc", "mlflow-artifacts:/0/../../etc", "mlflow-artifacts://h:1/%2e%2e/etc", "mlflow-artifacts:/a%2f..%2f..%2fetc"]) {
      invalidParam(() => resolveArtifactUri(uri, { artifactsDestination: dest }), "Invalid path");
    }
  });
  test("mlflow-artifacts without a destination, other schemes and relative paths are refused", () => {
    invalidParam(() => resolveArtifactUri("mlflow-artifacts:/0/r"), "no artifacts destination");
    invalidParam(() => resolveArtifactUri("s3://bucket/x"), "Unsupported artifact URI");
    invalidParam(() => resolveArtifactUri("relative/dir"), "Unsupported artifact URI");
    invalidParam(() => resolveArtifactUri("file://remotehost/x"), "Invalid file URI");
    invalidParam(() => resolveArtifactUri("/data/x\0y"), "Invalid path");
  });
});
