/**
 * The app-wide settings (autosave, run on open): their defaults, the check of a change from a
 * window, and where they persist — a JSON file outside any notebook folder (`settings.json` in
 * Electron's user-data folder, or `~/.config/flowbook/` for browser mode), written atomically.
 * A host given no file keeps them for its lifetime only (tests, embedders).
 */
import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../notebook/index.ts";
import type { AppSettings } from "../protocol.ts";

/** Settings before the user changed any: save as you type, and run a notebook when it opens (as marimo does). */
export const DEFAULT_APP_SETTINGS: Readonly<AppSettings> = Object.freeze({ autosave: true, runOnOpen: true });

const KEYS = Object.keys(DEFAULT_APP_SETTINGS) as (keyof AppSettings)[];

/** Why `raw` is not a change of settings (known keys, booleans), or undefined when it is. */
export function appSettingsProblem(raw: unknown): string | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return "settings must be an object";
  for (const [key, value] of Object.entries(raw)) {
    if (!KEYS.includes(key as keyof AppSettings)) return `unknown setting '${key}' (known: ${KEYS.join(", ")})`;
    if (typeof value !== "boolean") return `'${key}' must be true or false`;
  }
  return undefined;
}

/** Browser mode's settings file: `$FLOWBOOK_CONFIG_DIR`, else `$XDG_CONFIG_HOME/flowbook`, else `~/.config/flowbook`. */
export function defaultSettingsFile(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.FLOWBOOK_CONFIG_DIR || join(env.XDG_CONFIG_HOME || join(homedir(), ".config"), "flowbook");
  return join(dir, "settings.json");
}

/** The settings a host serves and changes. */
export interface AppSettingsStore {
  get(): AppSettings;
  /** Applies a checked change and persists it; resolves to the settings now in force. */
  set(patch: Partial<AppSettings>): Promise<AppSettings>;
}

/**
 * Settings read from `file` (missing: defaults; unreadable: defaults, said through `log`), with
 * `overrides` on top for this host only (they are not written unless changed again).
 */
export function openAppSettings(file: string | undefined, overrides: Partial<AppSettings> | undefined, log: (m: string) => void): AppSettingsStore {
  let current: AppSettings = { ...DEFAULT_APP_SETTINGS };
  if (file) {
    try {
      const saved: unknown = JSON.parse(readFileSync(file, "utf8"));
      const problem = appSettingsProblem(saved);
      if (problem) log(`ignoring ${file}: ${problem}`);
      else current = { ...current, ...(saved as Partial<AppSettings>) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") log(`could not read ${file}: ${(err as Error).message}`);
    }
  }
  let persisted = { ...current };
  current = { ...current, ...overrides };
  return {
    get: () => ({ ...current }),
    async set(patch) {
      current = { ...current, ...patch };
      if (!file) return { ...current };
      persisted = { ...persisted, ...patch };
      await mkdir(dirname(file), { recursive: true });
      await writeFileAtomic(file, `${JSON.stringify(persisted, null, 2)}\n`);
      return { ...current };
    },
  };
}
