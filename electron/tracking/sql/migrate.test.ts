import assert from "node:assert/strict";
import { test } from "node:test";
import Database from "better-sqlite3";
import { migrate } from "./index.ts";

test("migrate applies each step once and records the version per component", () => {
  const db = new Database(":memory:");
  assert.equal(migrate(db, "a", ["CREATE TABLE t1 (x)"]), 1);
  assert.equal(migrate(db, "a", ["CREATE TABLE t1 (x)", "CREATE TABLE t2 (y)"]), 2);
  assert.equal(migrate(db, "b", ["CREATE TABLE t3 (z)"]), 1);
  const versions = db.prepare("SELECT component, version FROM schema_migrations ORDER BY component").all();
  assert.deepEqual(versions, [{ component: "a", version: 2 }, { component: "b", version: 1 }]);
});

test("a failing step rolls back and leaves the previous version", () => {
  const db = new Database(":memory:");
  migrate(db, "a", ["CREATE TABLE t1 (x)"]);
  assert.throws(() => migrate(db, "a", ["CREATE TABLE t1 (x)", "CREATE TABLE t2 (y); SELECT nope FROM missing"]));
  const version = db.prepare("SELECT version FROM schema_migrations WHERE component = 'a'").get() as { version: number };
  assert.equal(version.version, 1);
  assert.equal(db.prepare("SELECT name FROM sqlite_master WHERE name = 't2'").get(), undefined);
});

test("a database newer than the code is refused", () => {
  const db = new Database(":memory:");
  migrate(db, "a", ["CREATE TABLE t1 (x)", "CREATE TABLE t2 (x)"]);
  assert.throws(() => migrate(db, "a", ["CREATE TABLE t1 (x)"]), /newer than this build/);
});
