/** The app-wide settings as the host last sent them (it keeps them; the renderer only shows and changes them). */
import { createSignal } from "solid-js";
import type { AppSettings } from "../../electron/protocol.ts";

/** Settings signal; undefined until the host has sent them. */
export function createSettingsState() {
  const [settings, setSettings] = createSignal<AppSettings | undefined>(undefined);
  return {
    settings,
    /** Takes the host's `app-settings`. */
    apply: setSettings,
  };
}

/** The settings domain's state. */
export type SettingsState = ReturnType<typeof createSettingsState>;
