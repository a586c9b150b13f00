/**
 * Opens the app's URL for the user in browser mode: a Chromium-family browser in `--app` mode (a
 * window without tabs or address bar, close to the desktop app), else the OS's default opener.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";

const CHROMIUMS = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "microsoft-edge"];
const MAC_CHROME = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome";

/** The first executable named `name` on PATH, if any. */
function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** An installed Chromium-family browser: /usr/bin/chromium first, then PATH, then Chrome on macOS. */
export function findChromium(): string | undefined {
  if (existsSync("/usr/bin/chromium")) return "/usr/bin/chromium";
  for (const name of CHROMIUMS) {
    const found = which(name);
    if (found) return found;
  }
  return existsSync(MAC_CHROME) ? MAC_CHROME : undefined;
}

/** The command that would open `url`; exported so the choice can be shown and tested. */
export function browserCommand(url: string, platform = process.platform): { command: string; args: string[] } {
  const chromium = findChromium();
  if (chromium) {
    // Chromium refuses to start as root without --no-sandbox (containers, CI); a normal user keeps the sandbox.
    const root = process.getuid?.() === 0;
    return { command: chromium, args: [`--app=${url}`, ...(root ? ["--no-sandbox"] : [])] };
  }
  if (platform === "darwin") return { command: "open", args: [url] };
  if (platform === "win32") return { command: "cmd", args: ["/c", "start", "", url] };
  return { command: "xdg-open", args: [url] };
}

/**
 * Opens `url` detached from this process (closing the browser never stops the host, nor the
 * reverse). Returns what was run, or a reason when the opener could not be started.
 */
export function openBrowser(url: string): Promise<string> {
  const { command, args } = browserCommand(url);
  return new Promise((resolve) => {
    const child = spawn(command, args, { detached: true, stdio: "ignore" });
    child.once("error", (err) => resolve(`could not start ${command}: ${err.message}`));
    child.once("spawn", () => {
      child.unref();
      resolve(`opened with ${command}`);
    });
  });
}
