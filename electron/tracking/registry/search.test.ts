import { test } from "node:test";
import assert from "node:assert/strict";
import type { SqlStore } from "../ops/sql-store.ts";
import { forEachBackend } from "../store/test-support.ts";

forEachBackend(({ open }) => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** Models Alpha, beta, gamma_1 (created in that order) with tags and versions from runs r1/r2. */
  async function seeded(): Promise<SqlStore> {
    const registry = await open();
    await registry.createRegisteredModel("Alpha", [{ key: "team", value: "vision" }]);
    await sleep(2);
    await registry.createRegisteredModel("beta", [{ key: "team", value: "nlp" }, { key: "tier", value: "gold" }]);
    await sleep(2);
    await registry.createRegisteredModel("gamma_1");
    await registry.createModelVersion({ name: "Alpha", source: "s3://bucket/alpha/1", run_id: "r1", tags: [{ key: "env", value: "prod" }] });
    await sleep(2);
    await registry.createModelVersion({ name: "Alpha", source: "s3://bucket/alpha/2", run_id: "r2" });
    await sleep(2);
    await registry.createModelVersion({ name: "beta", source: "file:///tmp/beta", run_id: "r1", tags: [{ key: "env", value: "dev" }] });
    await sleep(2);
    for (let i = 3; i <= 10; i++) await registry.createModelVersion({ name: "Alpha", source: `s3://bucket/alpha/${i}` });
    return registry;
  }

  const names = async (r: SqlStore, req: Parameters<SqlStore["searchRegisteredModels"]>[0]) =>
    (await r.searchRegisteredModels(req)).items.map((m) => m.name);
  const versions = async (r: SqlStore, req: Parameters<SqlStore["searchModelVersions"]>[0]) =>
    (await r.searchModelVersions(req)).items.map((v) => `${v.name}/${v.version}`);

  test("model search filters by name (=, !=, case-sensitive LIKE, ILIKE) and tags", async () => {
    const r = await seeded();
    assert.deepEqual(await names(r, {}), ["Alpha", "beta", "gamma_1"]);
    assert.deepEqual(await names(r, { filter: "name = 'beta'" }), ["beta"]);
    assert.deepEqual(await names(r, { filter: "name = 'BETA'" }), []);
    assert.deepEqual(await names(r, { filter: "name != 'beta'" }), ["Alpha", "gamma_1"]);
    assert.deepEqual(await names(r, { filter: "name LIKE 'a%'" }), []);
    assert.deepEqual(await names(r, { filter: "name LIKE 'A%'" }), ["Alpha"]);
    assert.deepEqual(await names(r, { filter: "name ILIKE 'a%'" }), ["Alpha"]);
    assert.deepEqual(await names(r, { filter: "name LIKE '%a_1'" }), ["gamma_1"]);
    assert.deepEqual(await names(r, { filter: "name LIKE 'bet_'" }), ["beta"]);
    assert.deepEqual(await names(r, { filter: "tags.team = 'nlp'" }), ["beta"]);
    assert.deepEqual(await names(r, { filter: "tags.team != 'nlp'" }), ["Alpha"], "a missing tag never matches");
    assert.deepEqual(await names(r, { filter: "tags.team LIKE '%i%' AND tags.`tier` = 'gold'" }), []);
    assert.deepEqual(await names(r, { filter: "tags.team ILIKE '%N%' AND name LIKE 'b%'" }), ["beta"]);
  });

  test("model search orders by name and timestamps, name breaking ties", async () => {
    const r = await seeded();
    assert.deepEqual(await names(r, { order_by: ["name DESC"] }), ["gamma_1", "beta", "Alpha"]);
    assert.deepEqual(await names(r, { order_by: ["creation_timestamp DESC"] }), ["gamma_1", "beta", "Alpha"]);
    // Alpha got versions last, so it was updated most recently.
    assert.deepEqual(await names(r, { order_by: ["last_updated_timestamp DESC"] }), ["Alpha", "beta", "gamma_1"]);
    assert.deepEqual(await names(r, { order_by: ["timestamp ASC"] }), ["gamma_1", "beta", "Alpha"]);
  });

  test("model search pages with tokens and enforces max_results limits", async () => {
    const r = await seeded();
    const first = await r.searchRegisteredModels({ max_results: 2 });
    assert.deepEqual(first.items.map((m) => m.name), ["Alpha", "beta"]);
    assert.ok(first.next_page_token);
    const second = await r.searchRegisteredModels({ max_results: 2, page_token: first.next_page_token });
    assert.deepEqual(second.items.map((m) => m.name), ["gamma_1"]);
    assert.equal(second.next_page_token, undefined);
    assert.equal((await r.searchRegisteredModels({ max_results: 3 })).next_page_token, undefined);
    await assert.rejects(r.searchRegisteredModels({ max_results: 1001 }), { code: "INVALID_PARAMETER_VALUE", message: /at most 1000/ });
    await assert.rejects(r.searchRegisteredModels({ max_results: 0 }), { code: "INVALID_PARAMETER_VALUE" });
    await assert.rejects(r.searchRegisteredModels({ page_token: "not a token" }), { code: "INVALID_PARAMETER_VALUE" });
    await assert.rejects(r.searchRegisteredModels({ filter: "run_id = 'x'" }), { code: "INVALID_PARAMETER_VALUE" });
    await assert.rejects(r.searchRegisteredModels({ order_by: ["source_path"] }), { code: "INVALID_PARAMETER_VALUE" });
  });

  test("version search filters by name, run_id (IN), source_path, version_number and tags", async () => {
    const r = await seeded();
    assert.equal((await versions(r, { filter: "name = 'Alpha'" })).length, 10);
    assert.deepEqual(await versions(r, { filter: "run_id = 'r1'", order_by: ["name"] }), ["Alpha/1", "beta/1"]);
    assert.deepEqual(await versions(r, { filter: "run_id IN ('r2', 'zz')" }), ["Alpha/2"]);
    assert.deepEqual(await versions(r, { filter: "source_path LIKE 'file://%'" }), ["beta/1"]);
    assert.deepEqual(await versions(r, { filter: "source_path = 's3://bucket/alpha/2'" }), ["Alpha/2"]);
    assert.deepEqual(await versions(r, { filter: "name = 'Alpha' AND version_number >= 9", order_by: ["version_number"] }), ["Alpha/9", "Alpha/10"]);
    assert.deepEqual(await versions(r, { filter: "name = 'Alpha' AND version_number = '3'" }), ["Alpha/3"]);
    assert.deepEqual(await versions(r, { filter: "name ILIKE 'ALPHA' AND version_number < 2" }), ["Alpha/1"]);
    assert.deepEqual(await versions(r, { filter: "tags.env = 'prod'" }), ["Alpha/1"]);
    assert.deepEqual(await versions(r, { filter: "tags.env LIKE '%' ", order_by: ["name DESC"] }), ["beta/1", "Alpha/1"]);
    await assert.rejects(r.searchModelVersions({ filter: "version_number > 'abc'" }), { code: "INVALID_PARAMETER_VALUE" });
    await assert.rejects(r.searchModelVersions({ filter: "status = 'READY'" }), { code: "INVALID_PARAMETER_VALUE" });
  });

  test("version search orders newest update first by default and numerically by version_number", async () => {
    const r = await seeded();
    const all = await versions(r, {});
    assert.equal(all.length, 11);
    assert.equal(all[0], "Alpha/10", "ties on time fall back to name, then highest version");
    assert.equal(all.at(-1), "Alpha/1");
    await sleep(2);
    await r.updateModelVersion("Alpha", "1", "touched");
    assert.equal((await versions(r, {}))[0], "Alpha/1", "the last updated version comes first");
    assert.deepEqual((await versions(r, { filter: "name = 'Alpha'", order_by: ["version_number DESC"] })).slice(0, 3), ["Alpha/10", "Alpha/9", "Alpha/8"]);
    assert.deepEqual(await versions(r, { filter: "run_id != ''", order_by: ["name ASC", "version_number ASC"] }), ["Alpha/1", "Alpha/2", "beta/1"]);
  });

  test("version search pages with tokens and enforces max_results limits", async () => {
    const r = await seeded();
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await r.searchModelVersions({ max_results: 4, order_by: ["name", "version_number"], page_token: token });
      seen.push(...page.items.map((v) => `${v.name}/${v.version}`));
      token = page.next_page_token;
    } while (token);
    assert.equal(seen.length, 11);
    assert.equal(new Set(seen).size, 11);
    assert.equal(seen[0], "Alpha/1");
    assert.equal(seen.at(-1), "beta/1");
    await assert.rejects(r.searchModelVersions({ max_results: 200_001 }), { code: "INVALID_PARAMETER_VALUE", message: /at most 200000/ });
    assert.equal((await r.searchModelVersions({ max_results: 200_000 })).items.length, 11);
  });
});
