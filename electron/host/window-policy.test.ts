import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { externalUrl, isAppOrigin, loadWindowState, saveWindowState } from "./window-policy.ts";

const APP = "http://127.0.0.1:2718";

test("only the app's own origin counts as the app", () => {
  assert.equal(isAppOrigin(`${APP}/index.html`, APP), true);
  assert.equal(isAppOrigin("http://127.0.0.1:2719/", APP), false);
  assert.equal(isAppOrigin("http://localhost:2718/", APP), false);
  assert.equal(isAppOrigin("file:///etc/passwd", APP), false);
  assert.equal(isAppOrigin("not a url", APP), false);
});

test("only http(s) links to other sites go to the system browser", () => {
  assert.equal(externalUrl("https://mlflow.org/docs", APP), "https://mlflow.org/docs");
  assert.equal(externalUrl("http://example.com/a b", APP), "http://example.com/a%20b");
  for (const bad of ["file:///etc/passwd", "javascript:alert(1)", "smb://host/share", "ms-msdt:/id", `${APP}/x`, `${APP}/?token=t`, "::"]) {
    assert.equal(externalUrl(bad, APP), undefined, bad);
  }
});

test("the app's own file routes (a cell's full log, a saved output) open in the system browser", () => {
  assert.equal(externalUrl(`${APP}/flowbook/console-log?cell=c1`, APP), `${APP}/flowbook/console-log?cell=c1`);
  assert.equal(externalUrl(`${APP}/flowbook/session-file?path=outputs%2Fc1.md`, APP), `${APP}/flowbook/session-file?path=outputs%2Fc1.md`);
  assert.equal(externalUrl(`${APP}/flowbook/other`, APP), undefined);
});

test("window state round-trips and falls back when the display is gone or the file is bad", () => {
  const dir = mkdtempSync(join(tmpdir(), "flowbook-window-"));
  const file = join(dir, "window-state.json");
  const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];
  try {
    assert.deepEqual(loadWindowState(file, screen), { width: 1280, height: 860, maximized: false });
    saveWindowState(file, { x: 100, y: 80, width: 1000, height: 700, maximized: true });
    assert.deepEqual(loadWindowState(file, screen), { x: 100, y: 80, width: 1000, height: 700, maximized: true });
    assert.deepEqual(loadWindowState(file, [{ x: 3000, y: 0, width: 800, height: 600 }]), { width: 1000, height: 700, maximized: true });
    writeFileSync(file, "{ nope");
    assert.deepEqual(loadWindowState(file, screen), { width: 1280, height: 860, maximized: false });
    writeFileSync(file, JSON.stringify({ width: -5, height: "x" }));
    assert.deepEqual(loadWindowState(file, screen), { width: 1280, height: 860, maximized: false });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
