/**
 * The desktop window's policies as plain functions, so they are tested without Electron: which
 * navigations, links, permissions and IPC senders are allowed, and where the window reopens.
 */
import { readFileSync, writeFileSync } from "node:fs";

/** Permissions a Flowbook page may have (copying output, fullscreen plots); everything else is denied. */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(["clipboard-sanitized-write", "clipboard-read", "fullscreen"]);

/** The origin of `url`, or "" when it does not parse. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "";
  }
}

/** Whether a navigation, permission or IPC message comes from the app's own origin. */
export function isAppOrigin(url: string, appOrigin: string): boolean {
  return originOf(url) === appOrigin;
}

/**
 * The app's own read-only file routes a link may open in a new window (a cell's full console log, a
 * saved too-large output): the desktop app opens no second window of its own, so the system browser
 * shows them (they need no token, like the artifact routes).
 */
const APP_FILE_ROUTES: ReadonlySet<string> = new Set(["/flowbook/console-log", "/flowbook/session-file"]);

/**
 * The URL to hand to the system browser for a link the page tried to open, re-serialised, or
 * undefined when it must not leave the app (anything but http/https, or the app's own origin other
 * than its file routes).
 */
export function externalUrl(url: string, appOrigin: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return undefined;
  if (parsed.origin === appOrigin && !APP_FILE_ROUTES.has(parsed.pathname)) return undefined;
  return parsed.href;
}

/** A window's last size and position. */
export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

const DEFAULT_STATE: WindowState = { width: 1280, height: 860, maximized: false };

/**
 * Reads the saved window state; a missing or corrupt file, or a position on no current display (a
 * monitor was unplugged), gives the default size, centred by the OS.
 */
export function loadWindowState(file: string, displays: readonly Area[]): WindowState {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return DEFAULT_STATE;
  }
  const s = raw as Partial<Record<keyof WindowState, unknown>>;
  const num = (v: unknown, min: number) => (typeof v === "number" && Number.isFinite(v) && v >= min ? Math.round(v) : undefined);
  const width = num(s.width, 400) ?? DEFAULT_STATE.width;
  const height = num(s.height, 300) ?? DEFAULT_STATE.height;
  const maximized = s.maximized === true;
  const x = num(s.x, -100_000);
  const y = num(s.y, -100_000);
  if (x === undefined || y === undefined) return { width, height, maximized };
  // Visible means the title bar's top-left area lies on some display.
  const visible = displays.some((d) => x + 50 >= d.x && x + 50 <= d.x + d.width && y >= d.y && y + 20 <= d.y + d.height);
  return visible ? { x, y, width, height, maximized } : { width, height, maximized };
}

/** Writes the window state; a failure only loses the remembered position, so it is ignored. */
export function saveWindowState(file: string, state: WindowState): void {
  try {
    writeFileSync(file, JSON.stringify(state));
  } catch {
    // read-only profile, full disk: the next launch uses the default size
  }
}
