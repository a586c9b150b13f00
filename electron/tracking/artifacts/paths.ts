/**
 * Artifact path safety: every path a client names is relative to an artifact root and must stay
 * inside it, lexically (no `..`, absolute, drive or backslash forms, no NUL) and physically (no
 * symlink inside the root leading out). Mirrors MLflow's `validate_path_is_safe`, plus the
 * symlink check MLflow's local repository lacks.
 */
import { realpath } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { MlflowError } from "../types.ts";

/** The error every unsafe path raises, as MLflow's artifact proxy words it. */
export function invalidPath(path: string): MlflowError {
  return new MlflowError("INVALID_PARAMETER_VALUE", `Invalid path: '${path}'`);
}

function hasDotDot(path: string): boolean {
  return path.split(/[/\\]/).includes("..");
}

/**
 * Validates a client path and returns it normalised: `/`-separated, no empty or `.` segments,
 * `""` for the root itself. Percent-decoded forms are checked too, so a path decoded once more by
 * some layer cannot turn into a traversal.
 */
export function normalizeArtifactPath(path: string | undefined): string {
  if (path === undefined || path === "") return "";
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // Not valid percent-encoding, so no layer can decode it into something else.
  }
  const unsafe =
    path.includes("\0") ||
    path.includes("\\") ||
    path.startsWith("/") ||
    /^[A-Za-z]:/.test(path) ||
    /^file:/i.test(path) ||
    hasDotDot(path) ||
    hasDotDot(decoded) ||
    decoded.includes("\0") ||
    decoded.startsWith("/");
  if (unsafe) throw invalidPath(path);
  return path
    .split("/")
    .filter((s) => s !== "" && s !== ".")
    .join("/");
}

/** Whether absolute `path` is `root` or below it (lexically). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** `root` joined with a normalised relative path. */
export function joinInside(root: string, relPath: string): string {
  return relPath === "" ? root : join(root, ...relPath.split("/"));
}

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Throws when the deepest existing ancestor of `target` (or `target` itself) resolves, through
 * symlinks, outside `root`. Missing parts are skipped: what does not exist cannot lead anywhere.
 * A link swapped in after this check is not caught; the store's artifact dirs are not shared with
 * untrusted local users.
 */
export async function assertPhysicallyInside(root: string, target: string, shownPath: string): Promise<void> {
  let rootReal: string;
  try {
    rootReal = await realpath(root);
  } catch (e) {
    if (code(e) === "ENOENT") return;
    throw e;
  }
  let p = target;
  for (;;) {
    try {
      if (!isInside(rootReal, await realpath(p))) throw invalidPath(shownPath);
      return;
    } catch (e) {
      const c = code(e);
      if (c !== "ENOENT" && c !== "ENOTDIR") throw e;
      if (p === root || dirname(p) === p) return;
      p = dirname(p);
    }
  }
}
