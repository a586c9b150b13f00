/**
 * The app-wide settings (autosave, run on open, the tracking store): their defaults, the check of a change from a
 * window, and where they persist — a JSON file outside any notebook folder (`settings.json` in
 * Electron's user-data folder, or `~/.config/flowbook/` for browser mode), written atomically.
 * A host given no file keeps them for its lifetime only (tests, embedders). A tracking store's
 * password never reaches a window (they get it as `***`), and a file holding one is written 0600.
 */
import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../notebook/index.ts";
import type { AppSettings } from "../protocol.ts";
import { storeUriProblem } from "../tracking/store/store-uri.ts";
import { redactPassword, redactUriIn } from "./shown-uri.ts";

/**
 * Settings before the user changed any: save as you type, run a notebook when it opens (as marimo
 * does), and track into the store beside the notebooks.
 */
export const DEFAULT_APP_SETTINGS: Readonly<AppSettings> = Object.freeze({ autosave: true, runOnOpen: true, trackingUri: "" });

const KEYS = Object.keys(DEFAULT_APP_SETTINGS) as (keyof AppSettings)[];

/** Longer than any URI a person types; bounds what a window can make the host store. */
const MAX_URI_CHARS = 4096;

/** Why `value` is not a tracking store setting: empty, or a URI the CLI's `--tracking-uri` takes. */
function trackingUriProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return "'trackingUri' must be a string";
  if (value.length > MAX_URI_CHARS) return `'trackingUri' is longer than ${MAX_URI_CHARS} characters`;
  if (value === "") return undefined;
  const problem = storeUriProblem("tracking store", value, { http: false });
  return problem && redactUriIn(problem, value);
}

/** Why `raw` is not a change of settings (known keys, each of its type), or undefined when it is. */
export function appSettingsProblem(raw: unknown): string | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return "settings must be an object";
  for (const [key, value] of Object.entries(raw)) {
    if (!KEYS.includes(key as keyof AppSettings)) return `unknown setting '${key}' (known: ${KEYS.join(", ")})`;
    const problem = key === "trackingUri" ? trackingUriProblem(value) : typeof value !== "boolean" ? `'${key}' must be true or false` : undefined;
    if (problem) return problem;
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
  /** The settings in force, the tracking store's password included (for the host only). */
  get(): AppSettings;
  /** The settings as windows see them: the tracking store's password as `***`. */
  shown(): AppSettings;
  /**
   * Applies a checked change and persists it; resolves to the settings as windows see them. A
   * tracking store equal to the one shown (password as `***`) keeps the password it stands for.
   */
  set(patch: Partial<AppSettings>): Promise<AppSettings>;
}

/** `settings` as windows see them. */
function shownSettings(settings: AppSettings): AppSettings {
  return { ...settings, trackingUri: redactPassword(settings.trackingUri) };
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
    shown: () => shownSettings(current),
    async set(change) {
      // The window saw the password as ***: the same text back means the URI it stands for.
      const patch = change.trackingUri !== undefined && change.trackingUri === redactPassword(current.trackingUri) ? { ...change, trackingUri: current.trackingUri } : change;
      current = { ...current, ...patch };
      if (!file) return shownSettings(current);
      persisted = { ...persisted, ...patch };
      await mkdir(dirname(file), { recursive: true });
      const holdsPassword = redactPassword(persisted.trackingUri) !== persisted.trackingUri;
      await writeFileAtomic(file, `${JSON.stringify(persisted, null, 2)}\n`, { mode: holdsPassword ? 0o600 : undefined });
      return shownSettings(current);
    },
  };
}
