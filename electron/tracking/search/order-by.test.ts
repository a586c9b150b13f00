// order_by entries and page tokens: per-kind keys, directions, timestamp aliases, MLflow errors.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MlflowError } from "../types.ts";
import { decodePageToken, encodePageToken, parseOrderBy } from "./index.ts";
import type { EntityKind, OrderBy } from "./index.ts";

const rejects = (fn: () => unknown, message: string) =>
  assert.throws(fn, (e: unknown) => e instanceof MlflowError && e.code === "INVALID_PARAMETER_VALUE" && e.message.includes(message));

describe("parseOrderBy", () => {
  const cases: [EntityKind, string, OrderBy][] = [
    ["runs", "metrics.acc", { type: "metric", key: "acc", ascending: true }],
    ["runs", "metrics.acc DESC", { type: "metric", key: "acc", ascending: false }],
    ["runs", "params.lr asc", { type: "param", key: "lr", ascending: true }],
    ["runs", "tags.`my tag` desc", { type: "tag", key: "my tag", ascending: false }],
    ["runs", 'metrics."model class" DESC', { type: "metric", key: "model class", ascending: false }],
    ["runs", "attributes.start_time DESC", { type: "attribute", key: "start_time", ascending: false }],
    ["runs", "run_name", { type: "attribute", key: "run_name", ascending: true }],
    ["runs", "created DESC", { type: "attribute", key: "start_time", ascending: false }],
    ["runs", "timestamp", { type: "attribute", key: "start_time", ascending: true }],
    ["runs", "attributes.duration DESC", { type: "attribute", key: "duration", ascending: false }],
    ["runs", "  timestamp   DESC ", { type: "attribute", key: "start_time", ascending: false }],
    ["experiments", "name", { type: "attribute", key: "name", ascending: true }],
    ["experiments", "experiment_id DESC", { type: "attribute", key: "experiment_id", ascending: false }],
    ["experiments", "last_update_time", { type: "attribute", key: "last_update_time", ascending: true }],
    ["experiments", "timestamp", { type: "attribute", key: "creation_time", ascending: true }],
    ["registered_models", "name DESC", { type: "attribute", key: "name", ascending: false }],
    ["registered_models", "timestamp", { type: "attribute", key: "last_updated_timestamp", ascending: true }],
    ["registered_models", "last_updated_timestamp DESC", { type: "attribute", key: "last_updated_timestamp", ascending: false }],
    ["model_versions", "version_number DESC", { type: "attribute", key: "version_number", ascending: false }],
    ["model_versions", "creation_timestamp", { type: "attribute", key: "creation_timestamp", ascending: true }],
  ];
  for (const [kind, entry, expected] of cases) {
    test(`${kind}: ${JSON.stringify(entry)}`, () => assert.deepEqual(parseOrderBy(kind, [entry]), [expected]));
  }

  test("keeps the order of several entries; absent means none", () => {
    assert.deepEqual(
      parseOrderBy("runs", ["metrics.a DESC", "params.a", "tags.a"]).map((o) => o.type),
      ["metric", "param", "tag"],
    );
    assert.deepEqual(parseOrderBy("runs"), []);
    assert.deepEqual(parseOrderBy("runs", []), []);
  });

  test("rejects malformed entries with MLflow's messages", () => {
    rejects(() => parseOrderBy("runs", [""]), "Invalid order_by clause ''. Could not be parsed.");
    rejects(() => parseOrderBy("runs", ["metrics.a DESC extra"]), "Could not be parsed");
    rejects(() => parseOrderBy("runs", ["metrics.a sideways"]), "Invalid ordering key in order_by clause 'metrics.a sideways'.");
    rejects(() => parseOrderBy("runs", ["(metrics.a)"]), "Could not be parsed");
    rejects(() => parseOrderBy("runs", ["name"]), "Invalid attribute key 'name' specified");
    rejects(() => parseOrderBy("runs", ["dataset.name"]), "Invalid order_by entity type 'dataset'");
    rejects(() => parseOrderBy("runs", ["metricz.a"]), "Invalid entity type 'metricz'");
    rejects(() => parseOrderBy("experiments", ["tags.team"]), "Invalid order_by entity: tag");
    rejects(() => parseOrderBy("experiments", ["start_time"]), "Invalid attribute key 'start_time'");
    rejects(() => parseOrderBy("experiments", ["duration"]), "Invalid attribute key 'duration'");
    rejects(() => parseOrderBy("registered_models", ["version_number"]), "Invalid order by key 'version_number' specified");
    rejects(() => parseOrderBy("model_versions", ["source_path"]), "Invalid order by key 'source_path' specified");
    rejects(() => parseOrderBy("runs", ["metrics.a", "metrics.a DESC"]), "`order_by` contains duplicate fields");
    rejects(() => parseOrderBy("runs", ["created", "start_time"]), "duplicate fields");
    rejects(() => parseOrderBy("registered_models", ["timestamp", "last_updated_timestamp DESC"]), "duplicate fields");
  });
});

describe("page tokens", () => {
  test("round-trip offsets and match MLflow's bytes", () => {
    assert.equal(encodePageToken(100), Buffer.from('{"offset": 100}').toString("base64"));
    for (const n of [0, 1, 1000, 50000]) assert.equal(decodePageToken(encodePageToken(n)), n);
  });

  test("no token means offset 0; a numeric-string offset is accepted", () => {
    assert.equal(decodePageToken(undefined), 0);
    assert.equal(decodePageToken(""), 0);
    assert.equal(decodePageToken(Buffer.from('{"offset": "7"}').toString("base64")), 7);
  });

  test("malformed tokens are INVALID_PARAMETER_VALUE", () => {
    rejects(() => decodePageToken("not base64!"), "Invalid page token, could not base64-decode");
    rejects(() => decodePageToken(Buffer.from("nope").toString("base64")), "Invalid page token, decoded value=nope");
    rejects(() => decodePageToken(Buffer.from('{"x": 1}').toString("base64")), "Invalid page token, parsed value=");
    rejects(() => decodePageToken(Buffer.from('{"offset": -3}').toString("base64")), "Invalid page token");
    rejects(() => decodePageToken(Buffer.from('{"offset": 1.5}').toString("base64")), "Invalid page token");
    rejects(() => decodePageToken(Buffer.from("null").toString("base64")), "Invalid page token");
  });

  test("encoding refuses offsets that are not non-negative integers", () => {
    assert.throws(() => encodePageToken(-1), RangeError);
    assert.throws(() => encodePageToken(1.5), RangeError);
  });
});
