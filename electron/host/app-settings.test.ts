import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appSettingsProblem, defaultSettingsFile, openAppSettings } from "./app-settings.ts";

test("settings start at autosave and run on open, and a change is written whole, atomically", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-settings-"));
  const file = join(dir, "nested", "settings.json");
  const settings = openAppSettings(file, undefined, () => undefined);
  assert.deepEqual(settings.get(), { autosave: true, runOnOpen: true, trackingUri: "" });
  assert.deepEqual(await settings.set({ runOnOpen: false }), { autosave: true, runOnOpen: false, trackingUri: "" });
  assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), { autosave: true, runOnOpen: false, trackingUri: "" });
  assert.deepEqual(readdirSync(join(dir, "nested")), ["settings.json"]);
  assert.deepEqual(openAppSettings(file, undefined, () => undefined).get(), { autosave: true, runOnOpen: false, trackingUri: "" });
});

test("a host's overrides apply to it only; a file that is not settings is said and ignored", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-settings-"));
  const file = join(dir, "settings.json");
  writeFileSync(file, JSON.stringify({ autosave: false }));
  const settings = openAppSettings(file, { runOnOpen: false }, () => undefined);
  assert.deepEqual(settings.get(), { autosave: false, runOnOpen: false, trackingUri: "" });
  await settings.set({ autosave: true });
  assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), { autosave: true, runOnOpen: true, trackingUri: "" }, "the override is not written");

  writeFileSync(file, JSON.stringify({ autosave: "yes" }));
  const said: string[] = [];
  assert.deepEqual(openAppSettings(file, undefined, (m) => said.push(m)).get(), { autosave: true, runOnOpen: true, trackingUri: "" });
  assert.match(said[0] ?? "", /'autosave' must be true or false/);
  writeFileSync(file, "{");
  openAppSettings(file, undefined, (m) => said.push(m));
  assert.match(said[1] ?? "", /could not read/);
});

test("changes are checked, and browser mode's file follows the environment", () => {
  assert.equal(appSettingsProblem({ autosave: false }), undefined);
  assert.match(appSettingsProblem({ theme: "dark" }) ?? "", /unknown setting 'theme'/);
  assert.match(appSettingsProblem([]) ?? "", /must be an object/);
  assert.equal(defaultSettingsFile({ FLOWBOOK_CONFIG_DIR: "/cfg" }), "/cfg/settings.json");
  assert.equal(defaultSettingsFile({ XDG_CONFIG_HOME: "/x", HOME: "/h" }), "/x/flowbook/settings.json");
});

test("a tracking store is empty or a URI the CLI takes, and its password is never in the message", () => {
  for (const ok of ["", "sqlite:///rel.db", "sqlite:////abs/t.db", "postgresql://team:pw@db.lan:5432/mlflow", "postgresql+psycopg2://db/x"]) {
    assert.equal(appSettingsProblem({ trackingUri: ok }), undefined, ok);
  }
  assert.match(appSettingsProblem({ trackingUri: "http://127.0.0.1:5000" }) ?? "", /unsupported tracking store 'http:\/\/127\.0\.0\.1:5000': expected sqlite:\/\/\/relative\.db, sqlite:\/\/\/\/absolute\.db or postgresql:\/\//);
  assert.match(appSettingsProblem({ trackingUri: "sqlite://x.db" }) ?? "", /Invalid SQLite URI 'sqlite:\/\/x\.db'/);
  assert.equal(appSettingsProblem({ trackingUri: "mysql://u:hunter2@db/x" }), "unsupported tracking store 'mysql://u:***@db/x': expected sqlite:///relative.db, sqlite:////absolute.db or postgresql://user:password@host:port/db");
  assert.match(appSettingsProblem({ trackingUri: 5 }) ?? "", /'trackingUri' must be a string/);
  assert.match(appSettingsProblem({ trackingUri: `sqlite:///${"x".repeat(5000)}` }) ?? "", /longer than 4096/);
});

test("windows see the store's password as ***; sending that back keeps it, and the file holding it is 0600", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-settings-"));
  const file = join(dir, "settings.json");
  const uri = "postgresql://team:s3cret@db.lan:5432/mlflow";
  const shown = "postgresql://team:***@db.lan:5432/mlflow";
  const settings = openAppSettings(file, undefined, () => undefined);
  await settings.set({ autosave: false });
  assert.equal(statSync(file).mode & 0o777, 0o644, "no password: the usual mode");
  assert.deepEqual(await settings.set({ trackingUri: uri }), { autosave: false, runOnOpen: true, trackingUri: shown });
  assert.equal(settings.get().trackingUri, uri);
  assert.equal(settings.shown().trackingUri, shown);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(JSON.parse(readFileSync(file, "utf8")).trackingUri, uri);

  // The dialog saves what it shows, and a later start still has the password.
  assert.deepEqual(await settings.set({ trackingUri: shown, runOnOpen: false }), { autosave: false, runOnOpen: false, trackingUri: shown });
  const reopened = openAppSettings(file, undefined, () => undefined);
  assert.equal(reopened.get().trackingUri, uri);
  assert.equal(reopened.shown().trackingUri, shown);
  // Any other text is taken as typed: a new password, or back to the default store.
  await reopened.set({ trackingUri: "postgresql://team:new@db.lan:5432/mlflow" });
  assert.equal(JSON.parse(readFileSync(file, "utf8")).trackingUri, "postgresql://team:new@db.lan:5432/mlflow");
  await reopened.set({ trackingUri: "" });
  assert.deepEqual(reopened.get(), { autosave: false, runOnOpen: false, trackingUri: "" });
});
