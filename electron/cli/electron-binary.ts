/**
 * Finds the Electron binary without loading Electron. `electron` is an optional dependency whose
 * install step downloads the binary; where that failed (offline, unsupported platform) there is
 * no binary, and Flowbook runs in browser mode instead.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The Electron executable's path, or undefined when the package or its binary is absent. */
export function electronBinary(): string | undefined {
  try {
    // The same lookup as the package's own index.js: path.txt names the binary inside dist/.
    const dir = dirname(createRequire(import.meta.url).resolve("electron/package.json"));
    const rel = readFileSync(join(dir, "path.txt"), "utf8").trim();
    const bin = join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(dir, "dist"), rel);
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}
