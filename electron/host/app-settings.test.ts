import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appSettingsProblem, defaultSettingsFile, openAppSettings } from "./app-settings.ts";

test("settings start at autosave and run on open, and a change is written whole, atomically", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-settings-"));
  const file = join(dir, "nested", "settings.json");
  const settings = openAppSettings(file, undefined, () => undefined);
  assert.deepEqual(settings.get(), { autosave: true, runOnOpen: true });
  assert.deepEqual(await settings.set({ runOnOpen: false }), { autosave: true, runOnOpen: false });
  assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), { autosave: true, runOnOpen: false });
  assert.deepEqual(readdirSync(join(dir, "nested")), ["settings.json"]);
  assert.deepEqual(openAppSettings(file, undefined, () => undefined).get(), { autosave: true, runOnOpen: false });
});

test("a host's overrides apply to it only; a file that is not settings is said and ignored", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-settings-"));
  const file = join(dir, "settings.json");
  writeFileSync(file, JSON.stringify({ autosave: false }));
  const settings = openAppSettings(file, { runOnOpen: false }, () => undefined);
  assert.deepEqual(settings.get(), { autosave: false, runOnOpen: false });
  await settings.set({ autosave: true });
  assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), { autosave: true, runOnOpen: true }, "the override is not written");

  writeFileSync(file, JSON.stringify({ autosave: "yes" }));
  const said: string[] = [];
  assert.deepEqual(openAppSettings(file, undefined, (m) => said.push(m)).get(), { autosave: true, runOnOpen: true });
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
