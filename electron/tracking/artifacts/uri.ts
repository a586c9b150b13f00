/**
 * Turns the artifact URIs a store records into local directories: `file:///abs/dir`, plain
 * absolute paths, and `mlflow-artifacts:/path` or `mlflow-artifacts://host:port/path`, which the
 * tracking server serves from its `--artifacts-destination`.
 */
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MlflowError } from "../types.ts";
import { invalidPath, joinInside, normalizeArtifactPath } from "./paths.ts";

/** Where `mlflow-artifacts:` URIs live on this machine (a path or a `file:` URI). */
export interface ArtifactLocationOptions {
  artifactsDestination?: string;
}

/** The absolute local directory an artifact URI names; other schemes are INVALID_PARAMETER_VALUE. */
export function resolveArtifactUri(uri: string, options: ArtifactLocationOptions = {}): string {
  if (uri.includes("\0")) throw invalidPath();
  if (/^file:/i.test(uri)) return fileUriToPath(uri);
  if (/^mlflow-artifacts:/i.test(uri)) {
    if (!options.artifactsDestination) {
      throw new MlflowError(
        "INVALID_PARAMETER_VALUE",
        `Cannot resolve '${uri}': this server has no artifacts destination (serve artifacts with --artifacts-destination).`,
      );
    }
    const destination = resolveArtifactUri(options.artifactsDestination);
    // Parsed by hand: URL() would quietly fold `..` segments, and a traversal should be refused, not fixed.
    const rest = uri.slice("mlflow-artifacts:".length);
    let path = rest;
    if (rest.startsWith("//")) {
      const slash = rest.indexOf("/", 2);
      path = slash < 0 ? "" : rest.slice(slash);
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      throw invalidPath();
    }
    return joinInside(destination, normalizeArtifactPath(decoded.replace(/^\/+/, "")));
  }
  if (isAbsolute(uri)) return resolve(uri);
  throw new MlflowError("INVALID_PARAMETER_VALUE", `Unsupported artifact URI '${uri}': expected file:, mlflow-artifacts: or an absolute path.`);
}

function fileUriToPath(uri: string): string {
  try {
    return fileURLToPath(uri);
  } catch {
    throw new MlflowError("INVALID_PARAMETER_VALUE", `Invalid file URI '${uri}': expected file:///absolute/path.`);
  }
}

/**
 * MLflow's `resolve_uri_if_local` for a new experiment's artifact location: a relative local path
 * (`my_location`, `file:my_location`) is taken from the working directory, as `mlflow server`
 * resolves it; absolute paths and other schemes are kept as given.
 */
export function resolveLocalArtifactLocation(location: string, cwd = process.cwd()): string {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/s.exec(location);
  const scheme = m ? m[1]!.toLowerCase() : "";
  if (scheme !== "" && scheme !== "file") return location;
  let path = scheme === "" ? location : m![2]!;
  let suffix = "";
  if (scheme === "file") {
    const cut = path.search(/[?#]/);
    if (cut >= 0) [path, suffix] = [path.slice(0, cut), path.slice(cut)];
    if (path.startsWith("//")) return location; // file://host/… or file:///abs: never relative
  }
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // kept as written
  }
  if (decoded.startsWith("/")) return location;
  // pathlib's join: empty and "." segments dropped, ".." kept.
  const joined = [...cwd.split("/"), ...decoded.split("/")].filter((s) => s !== "" && s !== ".").join("/");
  return scheme === "" ? `/${joined}` : `file:///${joined}${suffix}`;
}
