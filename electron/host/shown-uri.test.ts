import { test } from "node:test";
import assert from "node:assert/strict";
import { redactPassword, redactUriIn } from "./shown-uri.ts";

test("a database password never shows; URIs without one are unchanged", () => {
  assert.equal(redactPassword("postgresql://team:s3cr%40t@db.lan:5432/mlflow?sslmode=require"), "postgresql://team:***@db.lan:5432/mlflow?sslmode=require");
  assert.equal(redactPassword("postgresql+psycopg2://u:p@h/d"), "postgresql+psycopg2://u:***@h/d");
  assert.equal(redactPassword("postgresql://team@db.lan/mlflow"), "postgresql://team@db.lan/mlflow");
  assert.equal(redactPassword("sqlite:////tmp/flowbook.db"), "sqlite:////tmp/flowbook.db");
  assert.equal(redactPassword("http://127.0.0.1:5000"), "http://127.0.0.1:5000");
  const uri = "postgresql://u:hunter2@h/d";
  assert.equal(redactUriIn(`Unsupported tracking URI '${uri}' (${uri})`, uri), "Unsupported tracking URI 'postgresql://u:***@h/d' (postgresql://u:***@h/d)");
});
