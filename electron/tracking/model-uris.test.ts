import { test } from "node:test";
import assert from "node:assert/strict";
import { forEachBackend } from "./store/test-support.ts";
import { parseModelUri, parseRunsUri, resolveModelVersion } from "./model-uris.ts";

function invalidParameter(err: unknown): boolean {
  return (err as { code?: string }).code === "INVALID_PARAMETER_VALUE";
}

test("models:/ URIs parse into version, stage, latest and alias forms", () => {
  assert.deepEqual(parseModelUri("models:/m/3"), { kind: "version", name: "m", version: "3" });
  assert.deepEqual(parseModelUri("models:/m/Production"), { kind: "stage", name: "m", stage: "Production" });
  assert.deepEqual(parseModelUri("models:/m/LATEST"), { kind: "latest", name: "m" });
  assert.deepEqual(parseModelUri("models:/my model@champ-1"), { kind: "alias", name: "my model", alias: "champ-1" });
  assert.deepEqual(parseModelUri("models:///m/1"), { kind: "version", name: "m", version: "1" });
});

test("malformed models:/ URIs are INVALID_PARAMETER_VALUE naming the accepted forms", () => {
  for (const uri of ["models:/", "models:/m", "models:/m/1/extra", "models:/m@", "models:/@a", "models://host/m/1", "runs:/abc/m", "models:/m@a/1", "models:/m/"]) {
    assert.throws(() => parseModelUri(uri), (e: unknown) => invalidParameter(e) && /Not a proper models:\/ URI/.test((e as Error).message), uri);
  }
});

test("runs:/ URIs split into run id and artifact path", () => {
  assert.deepEqual(parseRunsUri("runs:/abc123/model"), { runId: "abc123", path: "model" });
  assert.deepEqual(parseRunsUri("runs:/abc123/dir/sub/"), { runId: "abc123", path: "dir/sub" });
  assert.deepEqual(parseRunsUri("runs:/abc123"), { runId: "abc123", path: "" });
  for (const uri of ["runs:/", "runs:abc/x", "runs://host/abc/x", "models:/m/1"]) {
    assert.throws(() => parseRunsUri(uri), (e: unknown) => invalidParameter(e) && /Not a proper runs:\/ URI/.test((e as Error).message), uri);
  }
});

// Resolving reads a real registry, so these run on both backends.
forEachBackend(({ open }) => {
  test("resolveModelVersion finds versions by number, stage, latest and alias", async () => {
    const registry = await open();
    await registry.createRegisteredModel("m");
    for (let i = 0; i < 4; i++) await registry.createModelVersion({ name: "m", source: `s3://b/${i + 1}` });
    await registry.transitionModelVersionStage("m", "2", "production", false);
    await registry.transitionModelVersionStage("m", "3", "Staging", false);
    await registry.setRegisteredModelAlias("m", "champion", "1");

    assert.equal((await resolveModelVersion(registry, "models:/m/2")).source, "s3://b/2");
    assert.equal((await resolveModelVersion(registry, "models:/m/Production")).version, "2");
    assert.equal((await resolveModelVersion(registry, "models:/m/staging")).version, "3");
    assert.equal((await resolveModelVersion(registry, "models:/m/latest")).version, "4");
    assert.equal((await resolveModelVersion(registry, "models:/m@champion")).version, "1");
    assert.equal((await registry.getModelVersionByAlias("m", "Latest")).version, "4");
  });
  test("resolveModelVersion reports missing versions, empty stages, unknown stages and aliases", async () => {
    const registry = await open();
    await registry.createRegisteredModel("m");
    await registry.createModelVersion({ name: "m", source: "s3://b/1" });
    await assert.rejects(resolveModelVersion(registry, "models:/m/7"), { code: "RESOURCE_DOES_NOT_EXIST" });
    await assert.rejects(resolveModelVersion(registry, "models:/m/Archived"), {
      code: "RESOURCE_DOES_NOT_EXIST",
      message: "No versions of model with name 'm' and stage 'Archived' found",
    });
    await assert.rejects(resolveModelVersion(registry, "models:/m/Prod"), { code: "INVALID_PARAMETER_VALUE" });
    await assert.rejects(resolveModelVersion(registry, "models:/m@nobody"), {
      code: "INVALID_PARAMETER_VALUE",
      message: "registered model 'm' exists but has no alias 'nobody' (it has no aliases)",
    });
    await registry.setRegisteredModelAlias("m", "champion", "1");
    await assert.rejects(resolveModelVersion(registry, "models:/m@nobody"), {
      message: "registered model 'm' exists but has no alias 'nobody' (its aliases: champion)",
    });
    await assert.rejects(resolveModelVersion(registry, "models:/ghost@champion"), {
      code: "RESOURCE_DOES_NOT_EXIST",
      message: "no registered model named 'ghost' (so no alias 'champion')",
    });
    await assert.rejects(resolveModelVersion(registry, "models:/ghost/latest"), { code: "RESOURCE_DOES_NOT_EXIST" });
  });

  test("a version registered from a models:/ source downloads from the version it names", async () => {
    const registry = await open();
    await registry.createRegisteredModel("a");
    await registry.createRegisteredModel("b");
    await registry.createModelVersion({ name: "a", source: "s3://bucket/a1" });
    const copy = await registry.createModelVersion({ name: "b", source: "models:/a/1" });
    assert.equal(copy.source, "models:/a/1");
    assert.equal(await registry.getModelVersionDownloadUri("b", copy.version), "s3://bucket/a1");
    await assert.rejects(registry.createModelVersion({ name: "b", source: "models:/a/9" }), {
      code: "INVALID_PARAMETER_VALUE",
      message: /Unable to fetch model from model URI source artifact location 'models:\/a\/9'/,
    });
  });
});
