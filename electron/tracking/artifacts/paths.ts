/**
 * Artifact path safety: every path a client names is relative to an artifact root and must stay
 * inside it, lexically (no `..`, absolute, drive or backslash forms, no NUL) and physically (no
 * symlink inside the root leading out). Mirrors MLflow's `validate_path_is_safe`, plus the
 * symlink check MLflow's local repository lacks.
 */
import { realpath } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { MlflowError } from "../types.ts";

/** The error every unsafe path raises, worded exactly as MLflow's (clients and its tests match on it). */
export function invalidPath(): MlflowError {
  return new MlflowError("INVALID_PARAMETER_VALUE", "Invalid path");
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
  if (unsafe) throw invalidPath();
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
export async function assertPhysicallyInside(root: string, target: string): Promise<void> {
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
      if (!isInside(rootReal, await realpath(p))) throw invalidPath();
      return;
    } catch (e) {
      const c = code(e);
      if (c !== "ENOENT" && c !== "ENOTDIR") throw e;
      if (p === root || dirname(p) === p) return;
      p = dirname(p);
    }
  }
}

function unsafeSegments(path: string): boolean {
  return (
    path === "" ||
    path.includes("\0") ||
    path.includes("\\") ||
    path.includes("#") ||
    /^[A-Za-z]:/.test(path) ||
    /^file:/i.test(path) ||
    path.split("/").some((s) => s === "" || s === "." || s === "..")
  );
}

/**
 * A path on the `mlflow-artifacts` proxy, as the server decoded it once: stricter than
 * {@link normalizeArtifactPath}, because the proxy's root is every experiment's artifacts. The root
 * itself is never addressable (no deleting or listing it), and no empty, `.` or `..` segment, NUL,
 * backslash or absolute form is taken, nor any of them hidden behind another round of
 * %-encoding (`%2e`, `%2f`, `%00`) or behind %-escapes that are not UTF-8 (`%c0%ae`).
 */
export function proxyArtifactPath(path: string | undefined): string {
  if (path === undefined || unsafeSegments(path)) throw invalidPath();
  if (/%[0-9a-fA-F]{2}/.test(path)) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      throw invalidPath();
    }
    if (unsafeSegments(decoded)) throw invalidPath();
  }
  return path;
}

/** Decodes one round of %-encoding of a URL path part; escapes that are not UTF-8 are an invalid path. */
export function decodePathPart(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalidPath();
  }
}
