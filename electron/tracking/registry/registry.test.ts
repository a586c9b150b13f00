import { test } from "node:test";
import assert from "node:assert/strict";
import type { StoreChange } from "../contract.ts";
import { forEachBackend } from "../store/test-support.ts";

forEachBackend(({ open: openStore, shared }) => {
  /** A fresh store (the registry is part of it) and the changes it publishes. */
  async function open() {
    const registry = await openStore();
    const changes: StoreChange[] = [];
    registry.onChange((c) => changes.push(c));
    return { registry, changes };
  }

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  test("a model goes through create, versions, update, rename and delete", async () => {
    const { registry, changes } = await open();
    const created = await registry.createRegisteredModel("m", [{ key: "team", value: "a" }], "first");
    assert.equal(created.name, "m");
    assert.equal(created.description, "first");
    assert.deepEqual(created.tags, [{ key: "team", value: "a" }]);
    assert.deepEqual(created.latest_versions, []);
    assert.deepEqual(created.aliases, []);
    assert.equal(created.creation_timestamp, created.last_updated_timestamp);

    await sleep(2);
    const v1 = await registry.createModelVersion({ name: "m", source: "s3://b/1", run_id: "run1", run_link: "http://x", description: "one", tags: [{ key: "k", value: "v" }] });
    assert.deepEqual(
      { ...v1, creation_timestamp: 0, last_updated_timestamp: 0 },
      {
        name: "m", version: "1", creation_timestamp: 0, last_updated_timestamp: 0, current_stage: "None", source: "s3://b/1",
        status: "READY", tags: [{ key: "k", value: "v" }], aliases: [], description: "one", run_id: "run1", run_link: "http://x",
      },
    );
    const afterVersion = await registry.getRegisteredModel("m");
    assert.ok(afterVersion.last_updated_timestamp > created.last_updated_timestamp, "a new version bumps the model");
    assert.deepEqual(afterVersion.latest_versions.map((v) => v.version), ["1"]);

    const v2 = await registry.createModelVersion({ name: "m", source: "s3://b/2" });
    assert.equal(v2.version, "2");
    assert.equal(v2.run_id, undefined);

    await sleep(2);
    const updatedVersion = await registry.updateModelVersion("m", "2", "two");
    assert.equal(updatedVersion.description, "two");
    assert.ok(updatedVersion.last_updated_timestamp > v2.last_updated_timestamp);
    const updated = await registry.updateRegisteredModel("m", "second");
    assert.equal(updated.description, "second");

    await registry.setRegisteredModelAlias("m", "champion", "2");
    await registry.setModelVersionTag("m", "2", "stage", "qa");
    const renamed = await registry.renameRegisteredModel("m", "n");
    assert.equal(renamed.name, "n");
    assert.deepEqual(renamed.tags, [{ key: "team", value: "a" }]);
    assert.deepEqual(renamed.aliases, [{ alias: "champion", version: "2" }]);
    const moved = await registry.getModelVersion("n", "2");
    assert.deepEqual(moved.tags, [{ key: "stage", value: "qa" }]);
    assert.deepEqual(moved.aliases, ["champion"]);
    await assert.rejects(registry.getRegisteredModel("m"), { code: "RESOURCE_DOES_NOT_EXIST", message: "Registered Model with name=m not found" });
    await assert.rejects(registry.getModelVersion("m", "1"), { code: "RESOURCE_DOES_NOT_EXIST" });

    await registry.deleteRegisteredModel("n");
    await assert.rejects(registry.getRegisteredModel("n"), { code: "RESOURCE_DOES_NOT_EXIST" });
    await assert.rejects(registry.getModelVersion("n", "2"), { code: "RESOURCE_DOES_NOT_EXIST" });
    const again = await registry.createRegisteredModel("n");
    assert.deepEqual(again.tags, [], "a deleted model leaves no tags behind");
    assert.deepEqual(again.aliases, []);
    assert.equal((await registry.createModelVersion({ name: "n", source: "x" })).version, "1");

    assert.deepEqual(
      changes.map((c) => (c.type === "registry" ? c.name : "?")),
      ["m", "m", "m", "m", "m", "m", "m", "m", "n", "n", "n", "n"],
    );
  });

  test("every committed write notifies, and a failed write does not", async () => {
    const { registry, changes } = await open();
    await registry.createRegisteredModel("m");
    await assert.rejects(registry.createRegisteredModel("m"));
    await registry.setRegisteredModelTag("m", "k", "v");
    await registry.deleteRegisteredModelTag("m", "k");
    assert.deepEqual(changes, [
      { type: "registry", name: "m" },
      { type: "registry", name: "m" },
      { type: "registry", name: "m" },
    ]);
  });

  test("model errors: empty names, duplicates, unknown models, rename onto a taken name", async () => {
    const { registry } = await open();
    await assert.rejects(registry.createRegisteredModel(""), { code: "INVALID_PARAMETER_VALUE", message: "Missing value for required parameter 'name'." });
    await registry.createRegisteredModel("m");
    await registry.createRegisteredModel("other");
    await assert.rejects(registry.createRegisteredModel("m"), { code: "RESOURCE_ALREADY_EXISTS", message: "Registered Model (name=m) already exists." });
    await assert.rejects(registry.renameRegisteredModel("m", "other"), { code: "RESOURCE_ALREADY_EXISTS", message: "Registered Model (name=other) already exists." });
    await assert.rejects(registry.renameRegisteredModel("m", ""), { code: "INVALID_PARAMETER_VALUE", message: "Missing value for required parameter 'new_name'." });
    await assert.rejects(registry.renameRegisteredModel("ghost", "g2"), { code: "RESOURCE_DOES_NOT_EXIST" });
    await assert.rejects(registry.updateRegisteredModel("ghost", "d"), { code: "RESOURCE_DOES_NOT_EXIST" });
    await assert.rejects(registry.deleteRegisteredModel("ghost"), { code: "RESOURCE_DOES_NOT_EXIST" });
    await assert.rejects(registry.setRegisteredModelTag("ghost", "k", "v"), { code: "RESOURCE_DOES_NOT_EXIST" });
    await assert.rejects(registry.deleteRegisteredModelTag("ghost", "k"), { code: "RESOURCE_DOES_NOT_EXIST" });
    await assert.rejects(registry.getLatestVersions("ghost"), { code: "RESOURCE_DOES_NOT_EXIST" });
  });

  test("tag errors: bad keys and values over the limits", async () => {
    const { registry } = await open();
    await registry.createRegisteredModel("m");
    await registry.createModelVersion({ name: "m", source: "s" });
    await assert.rejects(registry.setRegisteredModelTag("m", "", "v"), { code: "INVALID_PARAMETER_VALUE" });
    await assert.rejects(registry.setRegisteredModelTag("m", "a*b", "v"), { code: "INVALID_PARAMETER_VALUE", message: /Invalid tag name: 'a\*b'/ });
    await assert.rejects(registry.setRegisteredModelTag("m", "../x", "v"), { code: "INVALID_PARAMETER_VALUE" });
    await assert.rejects(registry.setRegisteredModelTag("m", "k".repeat(251), "v"), { code: "INVALID_PARAMETER_VALUE", message: /exceeded length limit of 250/ });
    await assert.rejects(registry.setModelVersionTag("m", "1", "k", "v".repeat(5001)), { code: "INVALID_PARAMETER_VALUE", message: /Model version value .* exceeded length limit of 5000/ });
    await assert.rejects(registry.createRegisteredModel("n", [{ key: "bad key!", value: "v" }]), { code: "INVALID_PARAMETER_VALUE" });
    await assert.rejects(registry.getRegisteredModel("n"), { code: "RESOURCE_DOES_NOT_EXIST" }, "a rejected create writes nothing");
    await registry.setRegisteredModelTag("m", "k", "v1");
    await registry.setRegisteredModelTag("m", "k", "v2");
    await registry.deleteRegisteredModelTag("m", "absent");
    assert.deepEqual((await registry.getRegisteredModel("m")).tags, [{ key: "k", value: "v2" }]);
    await registry.setModelVersionTag("m", "1", "a", "1");
    await registry.deleteModelVersionTag("m", "1", "a");
    assert.deepEqual((await registry.getModelVersion("m", "1")).tags, []);
  });

  test("version errors: unknown model, non-integer and unknown versions, missing source; a run from elsewhere is kept as given", async () => {
    const { registry } = await open();
    await assert.rejects(registry.createModelVersion({ name: "ghost", source: "s" }), { code: "RESOURCE_DOES_NOT_EXIST" });
    await registry.createRegisteredModel("m");
    const foreign = await registry.createModelVersion({ name: "m", source: "runs:/run_id_1/model", run_id: "run_id_1" });
    assert.deepEqual([foreign.source, foreign.run_id], ["runs:/run_id_1/model", "run_id_1"]);
    await registry.deleteModelVersion("m", foreign.version);
    await assert.rejects(registry.createModelVersion({ name: "m", source: "" }), { code: "INVALID_PARAMETER_VALUE" });
    await assert.rejects(registry.getModelVersion("m", "abc"), { code: "INVALID_PARAMETER_VALUE", message: "Model version must be an integer, got 'abc'" });
    await assert.rejects(registry.getModelVersion("m", "1"), { code: "RESOURCE_DOES_NOT_EXIST", message: "Model Version (name=m, version=1) not found" });
    for (const call of [
      () => registry.updateModelVersion("m", "1", "d"),
      () => registry.transitionModelVersionStage("m", "1", "Staging", false),
      () => registry.deleteModelVersion("m", "1"),
      () => registry.getModelVersionDownloadUri("m", "1"),
      () => registry.setModelVersionTag("m", "1", "k", "v"),
      () => registry.deleteModelVersionTag("m", "1", "k"),
      () => registry.setRegisteredModelAlias("m", "a", "1"),
    ]) {
      await assert.rejects(call(), { code: "RESOURCE_DOES_NOT_EXIST" });
    }
  });

  test("deleted versions vanish, lose their aliases, and their numbers are never reused", async () => {
    const { registry } = await open();
    await registry.createRegisteredModel("m");
    for (let i = 0; i < 3; i++) await registry.createModelVersion({ name: "m", source: `s${i + 1}` });
    await registry.setRegisteredModelAlias("m", "best", "3");
    await registry.transitionModelVersionStage("m", "3", "Production", false);
    await registry.deleteModelVersion("m", "3");
    await assert.rejects(registry.getModelVersion("m", "3"), { code: "RESOURCE_DOES_NOT_EXIST" });
    await assert.rejects(registry.deleteModelVersion("m", "3"), { code: "RESOURCE_DOES_NOT_EXIST" });
    await assert.rejects(registry.getModelVersionByAlias("m", "best"), { code: "INVALID_PARAMETER_VALUE" });
    const model = await registry.getRegisteredModel("m");
    assert.deepEqual(model.aliases, []);
    assert.deepEqual(model.latest_versions.map((v) => v.version), ["2"]);
    assert.deepEqual(await registry.getLatestVersions("m", ["Production"]), []);
    const page = await registry.searchModelVersions({ filter: "name = 'm'" });
    assert.deepEqual(page.items.map((v) => v.version).sort(), ["1", "2"]);
    assert.equal((await registry.createModelVersion({ name: "m", source: "s4" })).version, "4");
  });

  test("stage transitions take any case, return canonical names, and reject unknown stages", async () => {
    const { registry } = await open();
    await registry.createRegisteredModel("m");
    await registry.createModelVersion({ name: "m", source: "s" });
    for (const [input, canonical] of [["staging", "Staging"], ["PRODUCTION", "Production"], ["archived", "Archived"], ["none", "None"]]) {
      assert.equal((await registry.transitionModelVersionStage("m", "1", input!, false)).current_stage, canonical);
    }
    await assert.rejects(registry.transitionModelVersionStage("m", "1", "Prod", false), {
      code: "INVALID_PARAMETER_VALUE",
      message: "Invalid Model Version stage: Prod. Value must be one of None, Staging, Production, Archived.",
    });
    await assert.rejects(registry.transitionModelVersionStage("m", "1", "Archived", true), { code: "INVALID_PARAMETER_VALUE", message: /not an Active stage/ });
    await assert.rejects(registry.transitionModelVersionStage("m", "1", "None", true), { code: "INVALID_PARAMETER_VALUE" });
    await assert.rejects(registry.getLatestVersions("m", ["Prod"]), { code: "INVALID_PARAMETER_VALUE" });
  });

  test("archive_existing_versions archives the target stage's other versions only", async () => {
    const { registry } = await open();
    await registry.createRegisteredModel("m");
    await registry.createRegisteredModel("other");
    for (let i = 0; i < 4; i++) await registry.createModelVersion({ name: "m", source: `s${i + 1}` });
    await registry.createModelVersion({ name: "other", source: "o" });
    await registry.transitionModelVersionStage("other", "1", "Production", false);
    await registry.transitionModelVersionStage("m", "1", "Production", false);
    await registry.transitionModelVersionStage("m", "2", "Production", false);
    await registry.transitionModelVersionStage("m", "3", "Staging", false);

    const before = await registry.getRegisteredModel("m");
    await sleep(2);
    const promoted = await registry.transitionModelVersionStage("m", "4", "production", true);
    assert.equal(promoted.current_stage, "Production");
    const stages = await Promise.all(["1", "2", "3", "4"].map(async (v) => (await registry.getModelVersion("m", v)).current_stage));
    assert.deepEqual(stages, ["Archived", "Archived", "Staging", "Production"]);
    assert.equal((await registry.getModelVersion("other", "1")).current_stage, "Production", "other models are untouched");
    assert.ok((await registry.getRegisteredModel("m")).last_updated_timestamp > before.last_updated_timestamp);

    const latest = await registry.getLatestVersions("m");
    assert.deepEqual(latest.map((v) => [v.current_stage, v.version]), [["Staging", "3"], ["Production", "4"], ["Archived", "2"]]);
    assert.deepEqual((await registry.getLatestVersions("m", ["archived", "Production"])).map((v) => v.version), ["4", "2"]);
    assert.deepEqual((await registry.getRegisteredModel("m")).latest_versions.map((v) => v.version), ["3", "4", "2"]);
  });

  test("aliases are validated, move between versions, and show on versions and models", async () => {
    const { registry } = await open();
    await registry.createRegisteredModel("m");
    await registry.createModelVersion({ name: "m", source: "s1" });
    await registry.createModelVersion({ name: "m", source: "s2" });
    for (const [alias, message] of [
      ["", /cannot be empty/],
      ["has space", /Invalid alias name/],
      ["a".repeat(256), /exceeded length limit of 255/],
      ["latest", /'latest' alias name \(case insensitive\) is reserved/],
      ["LaTeSt", /reserved/],
      ["v12", /Version alias name 'v12' is reserved/],
      ["V3", /reserved/],
    ] as const) {
      await assert.rejects(registry.setRegisteredModelAlias("m", alias, "1"), { code: "INVALID_PARAMETER_VALUE", message }, alias);
    }
    await registry.setRegisteredModelAlias("m", "champion", "1");
    await registry.setRegisteredModelAlias("m", "v1-candidate", "1");
    assert.deepEqual((await registry.getModelVersion("m", "1")).aliases, ["champion", "v1-candidate"]);
    await registry.setRegisteredModelAlias("m", "champion", "2");
    assert.deepEqual((await registry.getModelVersion("m", "1")).aliases, ["v1-candidate"]);
    const byAlias = await registry.getModelVersionByAlias("m", "champion");
    assert.equal(byAlias.version, "2");
    assert.deepEqual(byAlias.aliases, ["champion"]);
    assert.deepEqual((await registry.getRegisteredModel("m")).aliases, [
      { alias: "champion", version: "2" },
      { alias: "v1-candidate", version: "1" },
    ]);
    await registry.deleteRegisteredModelAlias("m", "champion");
    await registry.deleteRegisteredModelAlias("m", "champion");
    await assert.rejects(registry.getModelVersionByAlias("m", "champion"), {
      code: "INVALID_PARAMETER_VALUE",
      message: "Registered model alias champion not found.",
    });
    await assert.rejects(registry.deleteRegisteredModelAlias("ghost", "a"), { code: "RESOURCE_DOES_NOT_EXIST" });
    await assert.rejects(registry.getModelVersionByAlias("m", "bad alias"), { code: "INVALID_PARAMETER_VALUE" });
  });

  test("getModelVersionDownloadUri returns the version's source", async () => {
    const { registry } = await open();
    await registry.createRegisteredModel("m");
    await registry.createModelVersion({ name: "m", source: "mlflow-artifacts:/1/abc/artifacts/model" });
    assert.equal(await registry.getModelVersionDownloadUri("m", "1"), "mlflow-artifacts:/1/abc/artifacts/model");
  });

  test("the schema survives a second store on the same database", async () => {
    const openShared = await shared();
    const registry = await openShared();
    await registry.createRegisteredModel("m");
    const again = await openShared();
    assert.equal((await again.getRegisteredModel("m")).name, "m");
  });
});
