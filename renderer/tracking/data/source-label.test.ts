/** How the data source is named and how fresh it is said to be, in the sidebar and the status bar. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { freshness, sourceName } from "./source-label.ts";

const remote = { kind: "remote" as const, url: "http://mlflow.lan:5000", version: "2.12.2", artifactBase: "/view-source/x", refreshMs: 3000 };

test("names the app's store and a remote server with its version", () => {
  assert.equal(sourceName({ kind: "local" }), "this app's store");
  assert.equal(sourceName(remote), "http://mlflow.lan:5000 (version 2.12.2)");
  assert.equal(sourceName({ ...remote, version: "unknown" }), "http://mlflow.lan:5000");
});

test("says a remote is re-read on a timer and the local store is live", () => {
  assert.equal(freshness({ kind: "local" }), "live");
  assert.equal(freshness(remote), "remote — refreshed every 3 s");
  assert.equal(freshness({ ...remote, refreshMs: 2500 }), "remote — refreshed every 2.5 s");
});
