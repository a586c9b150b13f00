// Filter grammar: valid filters parse to the expected clauses; invalid ones fail with MLflow's messages.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MlflowError } from "../types.ts";
import { parseFilter } from "./index.ts";
import type { Clause, EntityKind } from "./index.ts";

type Valid = [kind: EntityKind, filter: string, expected: Clause[]];
type Invalid = [kind: EntityKind, filter: string, message: string];

const m = (key: string, comparator: Clause["comparator"], value: number): Clause => ({ type: "metric", key, comparator, value });
const p = (key: string, comparator: Clause["comparator"], value: string): Clause => ({ type: "param", key, comparator, value });
const t = (key: string, comparator: Clause["comparator"], value: string): Clause => ({ type: "tag", key, comparator, value });
const a = (key: string, comparator: Clause["comparator"], value: Clause["value"]): Clause => ({ type: "attribute", key, comparator, value });
const d = (key: string, comparator: Clause["comparator"], value: Clause["value"]): Clause => ({ type: "dataset", key, comparator, value });

const valid: Valid[] = [
  ["runs", "", []],
  ["runs", "   \n\t ", []],
  ["runs", "metrics.acc > 0.9", [m("acc", ">", 0.9)]],
  ["runs", "metric.acc >= 1", [m("acc", ">=", 1)]],
  ["runs", "metrics.loss < -0.5", [m("loss", "<", -0.5)]],
  ["runs", "metrics.loss <= 1e-3", [m("loss", "<=", 0.001)]],
  ["runs", "metrics.loss = 2.5E+2", [m("loss", "=", 250)]],
  ["runs", "metrics.n != .5", [m("n", "!=", 0.5)]],
  ["runs", "metrics.n=3", [m("n", "=", 3)]],
  ["runs", 'metrics."model class" > 1', [m("model class", ">", 1)]],
  ["runs", "metrics.`f1 score` > 1", [m("f1 score", ">", 1)]],
  ["runs", "metrics.val.loss < 1", [m("val.loss", "<", 1)]],
  ["runs", "metrics.`val.loss` < 1", [m("val.loss", "<", 1)]],
  ["runs", "`metrics`.acc > 1", [m("acc", ">", 1)]],
  ["runs", "params.lr = '0.01'", [p("lr", "=", "0.01")]],
  ["runs", 'param.lr = "0.01"', [p("lr", "=", "0.01")]],
  ["runs", "parameter.opt != 'adam'", [p("opt", "!=", "adam")]],
  ["runs", "parameters.opt LIKE 'ad%'", [p("opt", "LIKE", "ad%")]],
  ["runs", "params.opt ilike '%AM'", [p("opt", "ILIKE", "%AM")]],
  ["runs", "params.opt like 'a_am'", [p("opt", "LIKE", "a_am")]],
  ["runs", "tags.`user-name` = 'ann'", [t("user-name", "=", "ann")]],
  ["runs", 'tag."mlflow.runName" = \'x\'', [t("mlflow.runName", "=", "x")]],
  ["runs", "tags.mlflow.user = 'x'", [t("mlflow.user", "=", "x")]],
  ["runs", "tags.note = 'it''s'", [t("note", "=", "it's")]],
  ["runs", "tags.note = 'it\\'s'", [t("note", "=", "it's")]],
  ["runs", 'tags.note = "say \\"hi\\""', [t("note", "=", 'say "hi"')]],
  ["runs", "tags.note = 'back\\\\slash'", [t("note", "=", "back\\slash")]],
  ["runs", "tags.note = 'AND OR ()'", [t("note", "=", "AND OR ()")]],
  ["runs", "tags.note = ''", [t("note", "=", "")]],
  ["runs", "tags.ünï = 'ç'", [t("ünï", "=", "ç")]],
  ["runs", "run_id = 'abc'", [a("run_id", "=", "abc")]],
  ["runs", "attributes.run_id IN ('a', 'b')", [a("run_id", "IN", ["a", "b"])]],
  ["runs", "attr.run_id not in ('a')", [a("run_id", "NOT IN", ["a"])]],
  ["runs", "run.run_id NOT  IN ( 'a' ,'b' )", [a("run_id", "NOT IN", ["a", "b"])]],
  ["runs", "attribute.status = 'FINISHED'", [a("status", "=", "FINISHED")]],
  ["runs", "user_id LIKE 'ann%'", [a("user_id", "LIKE", "ann%")]],
  ["runs", "artifact_uri ILIKE 'file:%'", [a("artifact_uri", "ILIKE", "file:%")]],
  ["runs", "run_name = 'r1'", [a("run_name", "=", "r1")]],
  ["runs", "attributes.`run name` = 'r1'", [a("run_name", "=", "r1")]],
  ["runs", '"Run Name" != \'r1\'', [a("run_name", "!=", "r1")]],
  ["runs", "start_time > 1700000000000", [a("start_time", ">", 1700000000000)]],
  ["runs", "attributes.end_time <= 5", [a("end_time", "<=", 5)]],
  ["runs", "created >= 10", [a("start_time", ">=", 10)]],
  ["runs", "attr.Created < 10", [a("start_time", "<", 10)]],
  ["runs", "dataset.name = 'iris'", [d("name", "=", "iris")]],
  ["runs", "datasets.digest IN ('d1', 'd2')", [d("digest", "IN", ["d1", "d2"])]],
  ["runs", "dataset.context NOT IN ('train')", [d("context", "NOT IN", ["train"])]],
  ["runs", "dataset.context ILIKE 'eval%'", [d("context", "ILIKE", "eval%")]],
  [
    "runs",
    "metrics.acc > 0.9 AND params.opt = 'adam' and tags.team LIKE 'ml%' AnD status = 'FINISHED'",
    [m("acc", ">", 0.9), p("opt", "=", "adam"), t("team", "LIKE", "ml%"), a("status", "=", "FINISHED")],
  ],
  ["runs", "  metrics.acc>0.9   AND\n metrics.loss<1  ", [m("acc", ">", 0.9), m("loss", "<", 1)]],
  ["runs", "metrics.a > 1;", [m("a", ">", 1)]],
  ["runs", "metrics.ANDROID > 1", [m("ANDROID", ">", 1)]],
  ["experiments", "name = 'exp'", [a("name", "=", "exp")]],
  ["experiments", "attribute.name ILIKE '%exp%'", [a("name", "ILIKE", "%exp%")]],
  ["experiments", "creation_time > 5 AND last_update_time < 9", [a("creation_time", ">", 5), a("last_update_time", "<", 9)]],
  ["experiments", "tags.team = 'ml'", [t("team", "=", "ml")]],
  ["experiments", "tag.`team name` != 'ml'", [t("team name", "!=", "ml")]],
  ["registered_models", "name LIKE 'fraud%'", [a("name", "LIKE", "fraud%")]],
  ["registered_models", "attribute.name = 'm'", [a("name", "=", "m")]],
  ["registered_models", "tags.owner = 'ann'", [t("owner", "=", "ann")]],
  ["model_versions", "name = 'm' AND version_number >= 2", [a("name", "=", "m"), a("version_number", ">=", 2)]],
  ["model_versions", "version_number = '3'", [a("version_number", "=", 3)]],
  ["model_versions", "run_id IN ('r1', 'r2')", [a("run_id", "IN", ["r1", "r2"])]],
  ["model_versions", "source_path LIKE 'file:%'", [a("source_path", "LIKE", "file:%")]],
  ["model_versions", "tag.stage = 'ok'", [t("stage", "=", "ok")]],
];

const invalid: Invalid[] = [
  ["runs", "metrics.a > 1 OR metrics.b < 2", "Invalid clause(s) in filter string: 'OR metrics.b < 2'"],
  ["runs", "(metrics.a > 1)", "Invalid clause(s) in filter string: '(metrics.a > 1)'"],
  ["runs", "metrics.a > 1 AND (metrics.b < 2 AND metrics.c < 3)", "Invalid clause(s) in filter string"],
  ["runs", "metrics.a", "Invalid clause(s) in filter string: 'metrics.a'"],
  ["runs", "metrics.a >", "Invalid clause(s) in filter string"],
  ["runs", "metrics.a > 1 AND", "Invalid clause(s) in filter string: 'AND'"],
  ["runs", "AND metrics.a > 1", "Invalid clause(s)"],
  ["runs", "metrics.a > 1 metrics.b > 2", "Invalid clause(s)"],
  ["runs", "tags.user-name = 'x'", "Invalid clause(s)"],
  ["runs", "tags.x = 'unterminated", "Invalid clause(s)"],
  ["runs", "metrics.a IS NULL", "Invalid clause(s)"],
  ["runs", "metrics.`` > 1", "Invalid clause(s)"],
  ["runs", "metrics. > 1", "Invalid clause(s)"],
  ["runs", "metrics.a NOT LIKE 'x'", "Invalid clause(s)"],
  ["runs", "metrics.a > 1; metrics.b > 2", "Search filter contained multiple expression"],
  ["runs", "metrics.acc > '0.9'", "Expected numeric value type for metric. Found '0.9'"],
  ["runs", "metrics.acc > abc", "Expected numeric value type for metric. Found abc"],
  ["runs", "metrics.acc > 1abc", "Expected numeric value type for metric. Found 1abc"],
  ["runs", "start_time > 'yesterday'", "Expected numeric value type for numeric attribute: start_time. Found 'yesterday'"],
  ["runs", "created > 'x'", "numeric attribute: start_time"],
  ["runs", "params.lr = 0.01", "Expected a quoted string value for parameter (e.g. 'my-value'). Got value 0.01"],
  ["runs", "tags.t = 5", "Expected a quoted string value for tag (e.g. 'my-value'). Got value 5"],
  ["runs", "params.opt = adam", "Parameter value is either not quoted or unidentified quote types used for string value adam"],
  ["runs", "status = 3", "Expected a quoted string value for attributes. Got value 3"],
  ["runs", "dataset.name = 3", "Expected a quoted string value for dataset attributes. Got value 3"],
  ["runs", "status IN ('RUNNING')", "Only the 'run_id' attribute supports comparison with a list of quoted string values."],
  ["runs", "run_id IN ()", "expected a non-empty list of string values, but got empty list"],
  ["runs", 'run_id IN ("a")', "but got different type in list"],
  ["runs", "run_id IN ('a' 'b')", "ill-formed list"],
  ["runs", "run_id IN 'a'", "Expected a list of quoted string values for comparator 'IN'"],
  ["runs", "run_id = ('a', 'b')", "Invalid comparator '=' for a list of values"],
  ["runs", "params.p IN ('a')", "Expected a quoted string value for parameter"],
  ["runs", "foo = 'x'", "Invalid attribute key 'foo' specified. Valid keys are"],
  ["runs", "attributes.lifecycle = 'x'", "Invalid attribute key 'lifecycle'"],
  // duration is an order_by extension only.
  ["runs", "attributes.duration > 5", "Invalid attribute key 'duration'"],
  ["runs", "metricz.a > 1", "Invalid entity type 'metricz'. Valid values are"],
  ["runs", "METRICS.a > 1", "Invalid entity type 'METRICS'"],
  ["runs", "dataset.source = 'x'", "Invalid dataset key 'source' specified"],
  ["runs", "metrics.a LIKE '1'", "Expected numeric value type for metric"],
  ["runs", "metrics.a LIKE 1", "Invalid comparator 'LIKE' not one of"],
  ["runs", "params.a > 'x'", "Invalid comparator '>' not one of"],
  ["runs", "tags.a >= 'x'", "Invalid comparator '>=' not one of"],
  ["runs", "status < 'x'", "Invalid comparator '<' not one of"],
  ["runs", "start_time LIKE 1", "Invalid comparator 'LIKE'"],
  ["runs", "metrics.a == 1", "Invalid comparator '=='"],
  ["runs", "metrics.a <> 1", "Invalid comparator '<>'"],
  ["experiments", "metrics.a > 1", "Invalid entity type 'metrics'. Valid entity types are ('attribute', 'tag', 'tags')"],
  ["experiments", "attr.name = 'x'", "Invalid entity type 'attr'"],
  ["experiments", "experiment_id = '1'", "Invalid attribute key 'experiment_id' specified"],
  ["experiments", "name IN ('a')", "Only the 'run_id' attribute supports comparison"],
  ["experiments", "creation_time > 'x'", "Expected numeric value type for numeric attribute: creation_time"],
  ["experiments", "name > 'x'", "Invalid comparator '>'"],
  ["registered_models", "run_id = 'x'", "Invalid attribute key 'run_id' specified. Valid keys are ['name']"],
  ["registered_models", "params.x = 'y'", "Invalid entity type 'params'"],
  ["registered_models", "name = 1", "Expected a quoted string value for attributes"],
  ["model_versions", "run_id NOT IN ('a')", "Invalid comparator 'NOT IN' not one of"],
  ["model_versions", "name IN ('a')", "Only the 'run_id' attribute supports comparison"],
  ["model_versions", "version_number = '1.5'", "Expected numeric value type for numeric attribute: version_number"],
  ["model_versions", "version_number = 'x'", "Expected numeric value type for numeric attribute: version_number"],
  ["model_versions", "creation_timestamp > 1", "Invalid attribute key 'creation_timestamp'"],
];

describe("parseFilter accepts MLflow filters", () => {
  for (const [kind, filter, expected] of valid) {
    test(`${kind}: ${JSON.stringify(filter)}`, () => assert.deepEqual(parseFilter(kind, filter), expected));
  }
  test("an absent filter means no clauses", () => assert.deepEqual(parseFilter("runs"), []));
});

describe("parseFilter rejects bad filters as INVALID_PARAMETER_VALUE", () => {
  for (const [kind, filter, message] of invalid) {
    test(`${kind}: ${JSON.stringify(filter)}`, () => {
      assert.throws(
        () => parseFilter(kind, filter),
        (e: unknown) => e instanceof MlflowError && e.code === "INVALID_PARAMETER_VALUE" && e.message.includes(message),
      );
    });
  }
});
