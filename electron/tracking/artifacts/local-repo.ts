/**
 * The local artifact store behind the host, the REST artifact proxy and the in-process client:
 * files under a run's (or model version's) artifact root, addressed by root URI plus a relative
 * path. Writes are atomic (temp file in the target dir, fsync, rename), listings match MLflow's
 * `LocalArtifactRepository`, and no path, however spelled, reaches outside its root.
 */
import { randomUUID } from "node:crypto";
import type { Dirent, Stats } from "node:fs";
import { copyFile, lstat, mkdir, open, readdir, realpath, rename, rm, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { MlflowError } from "../types.ts";
import { assertPhysicallyInside, invalidPath, isInside, joinInside, normalizeArtifactPath } from "./paths.ts";
import { resolveArtifactUri } from "./uri.ts";
import type { ArtifactLocationOptions } from "./uri.ts";

/** One listing entry, MLflow's `FileInfo`: `file_size` only for files. */
export interface ArtifactFileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** An artifact opened for reading. */
export interface ArtifactStream {
  stream: Readable;
  size: number;
}

/** Names of in-flight writes; listings and downloads skip them. */
const TEMP_PREFIX = ".flowbook-tmp-";

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * A file-system refusal a client's path can cause, as the client's error (400/404) rather than an
 * unexpected failure: a name too long or looping, a file where a directory is expected, and so on.
 */
function pathError(e: unknown, rel: string): unknown {
  switch (code(e)) {
    case "ENAMETOOLONG":
    case "ELOOP":
      return invalidPath();
    case "ENOTDIR":
    case "EISDIR":
    case "EEXIST":
    case "ENOTEMPTY":
      return new MlflowError("INVALID_PARAMETER_VALUE", `Cannot use artifact path '${rel}': a file or directory is in the way`);
    case "ENOENT":
      return missing(rel);
    default:
      return e;
  }
}

function missing(path: string): MlflowError {
  return new MlflowError("RESOURCE_DOES_NOT_EXIST", `No such artifact: '${path}'`);
}

/** Artifact operations on local roots; `mlflow-artifacts:` roots resolve under the configured destination. */
export class LocalArtifactRepo {
  constructor(private readonly options: ArtifactLocationOptions = {}) {}

  /**
   * Resolves `rootUri` and a client path to a checked absolute path and its normalised relative
   * form. `parentOnly` checks just the containing directory, for operations that act on a link
   * itself rather than on what it points at.
   */
  private async locate(rootUri: string, path: string | undefined, parentOnly = false): Promise<{ root: string; rel: string; abs: string }> {
    const root = resolveArtifactUri(rootUri, this.options);
    const rel = normalizeArtifactPath(path);
    const abs = joinInside(root, rel);
    try {
      await assertPhysicallyInside(root, parentOnly && rel !== "" ? dirname(abs) : abs);
    } catch (e) {
      throw pathError(e, rel);
    }
    return { root, rel, abs };
  }

  /**
   * Writes `data` to `relPath` under the root atomically: readers see the old file or the whole new
   * one, never a prefix. Parent directories are created. Returns the written size in bytes.
   */
  async writeArtifact(
    rootUri: string,
    relPath: string,
    data: Uint8Array | Readable,
    options: { signal?: AbortSignal } = {},
  ): Promise<number> {
    const { root, rel, abs } = await this.locate(rootUri, relPath);
    if (rel === "") throw invalidPath();
    const dir = dirname(abs);
    try {
      await mkdir(dir, { recursive: true });
    } catch (e) {
      if (code(e) !== "EEXIST" && code(e) !== "ENOTDIR") throw pathError(e, rel);
      throw new MlflowError("INVALID_PARAMETER_VALUE", `Cannot write artifact '${rel}': a file is in the way of its directory`);
    }
    // mkdir may have walked through a link created meanwhile; check the real parent again.
    await assertPhysicallyInside(root, dir);
    const temp = join(dir, `${TEMP_PREFIX}${randomUUID()}`);
    const file = await open(temp, "wx", 0o644);
    let size = 0;
    try {
      try {
        const chunks: AsyncIterable<Uint8Array> | Uint8Array[] = data instanceof Uint8Array ? [data] : data;
        for await (const chunk of chunks) {
          options.signal?.throwIfAborted();
          const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
          await file.write(bytes);
          size += bytes.byteLength;
        }
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, abs);
    } catch (e) {
      await unlink(temp).catch(() => undefined);
      if (code(e) === "EISDIR" || code(e) === "ENOTEMPTY" || code(e) === "EEXIST") {
        throw new MlflowError("INVALID_PARAMETER_VALUE", `Cannot write artifact '${rel}': a directory has that path`);
      }
      throw pathError(e, rel);
    }
    await syncDir(dir);
    return size;
  }

  /** Copies a local file into the root, under `artifactPath` if given, keeping its base name. */
  async logArtifact(rootUri: string, localFile: string, artifactPath?: string): Promise<void> {
    const dir = normalizeArtifactPath(artifactPath);
    const name = basename(localFile);
    const file = await open(localFile, "r");
    try {
      await this.writeArtifact(rootUri, dir ? `${dir}/${name}` : name, file.createReadStream({ autoClose: false }));
    } finally {
      await file.close();
    }
  }

  /** Copies the contents of a local directory (recursively) into the root, under `artifactPath` if given. */
  async logArtifacts(rootUri: string, localDir: string, artifactPath?: string): Promise<void> {
    const base = normalizeArtifactPath(artifactPath);
    for await (const rel of walkLocal(localDir)) {
      const slash = rel.lastIndexOf("/");
      const subdir = [base, slash < 0 ? "" : rel.slice(0, slash)].filter((s) => s !== "").join("/");
      await this.logArtifact(rootUri, join(localDir, ...rel.split("/")), subdir);
    }
  }

  /**
   * Lists the direct children of `path` (the root when absent), sorted by path, paths relative to
   * the root. A missing directory or a file lists as empty, as in MLflow; links leading out are hidden.
   */
  async listArtifacts(rootUri: string, path?: string): Promise<ArtifactFileInfo[]> {
    const { root, rel, abs } = await this.locate(rootUri, path);
    let entries: Dirent[];
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch (e) {
      if (code(e) === "ENOENT" || code(e) === "ENOTDIR") return [];
      throw pathError(e, rel);
    }
    const rootReal = await realpath(root);
    const infos: ArtifactFileInfo[] = [];
    for (const entry of entries) {
      if (entry.name.startsWith(TEMP_PREFIX)) continue;
      const full = join(abs, entry.name);
      const info = await statInside(rootReal, full);
      if (!info) continue;
      const childPath = rel ? `${rel}/${entry.name}` : entry.name;
      infos.push(info.isDirectory() ? { path: childPath, is_dir: true } : { path: childPath, is_dir: false, file_size: info.size });
    }
    return infos.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Opens a file artifact; missing → RESOURCE_DOES_NOT_EXIST, a directory → INVALID_PARAMETER_VALUE. */
  async readArtifact(rootUri: string, relPath: string): Promise<ArtifactStream> {
    const { rel, abs } = await this.locate(rootUri, relPath);
    let file;
    try {
      file = await open(abs, "r");
    } catch (e) {
      if (code(e) === "ENOENT" || code(e) === "ENOTDIR") throw missing(rel);
      if (code(e) === "EISDIR") throw new MlflowError("INVALID_PARAMETER_VALUE", `Artifact '${rel}' is a directory`);
      throw pathError(e, rel);
    }
    // Size from the open handle, so it describes exactly the bytes the stream will read.
    const info = await file.stat().catch(async (e: unknown) => {
      await file.close();
      throw e;
    });
    if (info.isDirectory() || rel === "") {
      await file.close();
      throw new MlflowError("INVALID_PARAMETER_VALUE", `Artifact '${rel}' is a directory`);
    }
    return { stream: file.createReadStream(), size: info.size };
  }

  /** Deletes `path` (file or directory tree), or the whole root when absent; deleting nothing is not an error. */
  async deleteArtifacts(rootUri: string, path?: string): Promise<void> {
    // rm removes a link itself, never its target, so only the parents need checking.
    const { root, rel, abs } = await this.locate(rootUri, path, true);
    try {
      await rm(rel === "" ? root : abs, { recursive: true, force: true });
    } catch (e) {
      // Under a file there is nothing to delete.
      if (code(e) !== "ENOTDIR") throw pathError(e, rel);
    }
  }

  /**
   * Copies the artifact at `path` (file or directory; the root when "") into `destDir`, keeping its
   * relative path, and returns the local path of the copy.
   */
  async downloadArtifacts(rootUri: string, path: string, destDir: string): Promise<string> {
    const { root, rel, abs } = await this.locate(rootUri, path);
    const rootReal = await realpath(root).catch(() => undefined);
    const info = rootReal ? await statInside(rootReal, abs) : undefined;
    if (!info) throw missing(rel);
    const target = joinInside(destDir, rel);
    if (!info.isDirectory()) {
      await mkdir(dirname(target), { recursive: true });
      await copyFile(abs, target);
      return target;
    }
    await mkdir(target, { recursive: true });
    for (const child of await this.listArtifacts(rootUri, rel)) {
      await this.downloadArtifacts(rootUri, child.path, destDir);
    }
    return target;
  }
}

/** Stats `full` following links, or undefined when it is missing or resolves outside `rootReal`. */
async function statInside(rootReal: string, full: string): Promise<Stats | undefined> {
  try {
    if (!isInside(rootReal, await realpath(full))) return undefined;
    return await stat(full);
  } catch (e) {
    if (code(e) === "ENOENT" || code(e) === "ENOTDIR") return undefined;
    throw e;
  }
}

/** Relative `/` paths of every file under a local directory; linked directories are followed once. */
async function* walkLocal(dir: string, prefix = "", seen = new Set<string>()): AsyncGenerator<string> {
  const real = await realpath(dir);
  if (seen.has(real)) return;
  seen.add(real);
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    const full = join(dir, entry.name);
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    const info = entry.isSymbolicLink() ? await stat(full).catch(() => undefined) : await lstat(full);
    if (info?.isDirectory()) yield* walkLocal(full, rel, seen);
    else if (info?.isFile()) yield rel;
  }
}

/** Makes a rename durable. Directories cannot be opened for fsync on Windows, so failure there is expected and ignored. */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort: the file itself was fsynced before the rename.
  }
}
