/**
 * Where the client puts artifacts: `mlflow-artifacts:` (and http artifact URIs) go through the
 * server's artifact proxy with streamed PUTs; `file:` roots and absolute paths are written directly
 * with the artifacts module, as MLflow clients do when the server has a `file://` default root.
 */
import { createReadStream } from "node:fs";
import { mkdir, readdir, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, posix } from "node:path";
import { Readable } from "node:stream";
import { LocalArtifactRepo, normalizeArtifactPath } from "../artifacts/index.ts";
import { MlflowError, type TrackingStore } from "../types.ts";
import { HttpStore } from "./http-store.ts";

/**
 * How to reach a proxy: the tracking server's URL when the client talks HTTP; without one, the
 * folder behind `mlflow-artifacts:` roots on this machine (the app's kernel writes where its host's
 * proxy serves from).
 */
export interface ArtifactTransport {
  trackingUrl?: string;
  artifactsDestination?: string;
}

/**
 * How a writer reaches the artifact roots of `store`'s runs: through the server when the store talks
 * HTTP, else directly, with `mlflow-artifacts:` roots in `artifactsDestination` (the owner's proxy folder).
 */
export function storeTransport(store: TrackingStore, artifactsDestination?: string): ArtifactTransport {
  return store instanceof HttpStore ? { trackingUrl: store.baseUrl } : { artifactsDestination };
}

const repos = new Map<string, LocalArtifactRepo>();

/** The local repository for a transport: one resolving `mlflow-artifacts:` roots when it names their folder. */
function localRepo(transport: ArtifactTransport): LocalArtifactRepo {
  const destination = transport.trackingUrl ? undefined : transport.artifactsDestination;
  let repo = repos.get(destination ?? "");
  if (!repo) {
    repo = new LocalArtifactRepo(destination ? { artifactsDestination: destination } : {});
    repos.set(destination ?? "", repo);
  }
  return repo;
}

function joinPath(...parts: (string | undefined)[]): string {
  return parts.filter((p) => p !== undefined && p !== "").join("/");
}

/** Where a proxied artifact lives: the proxy's base URL and the path below it. */
interface ProxyLocation {
  base: string;
  path: string;
}

/** The proxy location of `relPath` under a proxied root, or null for a local root. */
function proxyLocation(rootUri: string, relPath: string, transport: ArtifactTransport): ProxyLocation | null {
  let base: string;
  let rootPath: string;
  if (/^mlflow-artifacts:/.test(rootUri)) {
    const rest = rootUri.slice("mlflow-artifacts:".length);
    const m = /^\/\/([^/]+)(.*)$/.exec(rest);
    if (m) {
      base = `http://${m[1]}`;
      rootPath = m[2];
    } else {
      if (!transport.trackingUrl && transport.artifactsDestination) return null;
      if (!transport.trackingUrl) {
        throw new MlflowError(
          "INVALID_PARAMETER_VALUE",
          `Cannot reach '${rootUri}': it needs an http(s) tracking URI to reach the artifact proxy.`,
        );
      }
      base = transport.trackingUrl.replace(/\/+$/, "");
      rootPath = rest;
    }
    base = `${base}/api/2.0/mlflow-artifacts/artifacts`;
  } else if (/^https?:/.test(rootUri)) {
    base = rootUri.replace(/\/+$/, "");
    rootPath = "";
  } else {
    return null;
  }
  return { base, path: joinPath(rootPath.replace(/^\/+|\/+$/g, ""), normalizeArtifactPath(relPath)) };
}

/** The proxy URL of `relPath` under a proxied root, or null for a local root. */
export function proxyUrl(rootUri: string, relPath: string, transport: ArtifactTransport): string | null {
  const loc = proxyLocation(rootUri, relPath, transport);
  return loc && `${loc.base}/${loc.path.split("/").map(encodeURIComponent).join("/")}`;
}

async function put(url: string, body: Buffer | Readable, size: number): Promise<void> {
  const data = body instanceof Readable ? (Readable.toWeb(body) as ReadableStream<Uint8Array>) : body;
  let res: Response;
  try {
    res = await fetch(url, {
      method: "PUT",
      body: data,
      headers: { "Content-Type": "application/octet-stream", "Content-Length": String(size) },
      duplex: "half",
    } as RequestInit);
  } catch (error) {
    throw new MlflowError("TEMPORARILY_UNAVAILABLE", `Cannot upload artifact to ${url}: ${(error as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) {
    let body: { error_code?: string; message?: string } = {};
    try {
      body = JSON.parse(text);
    } catch {
      // plain-text error
    }
    throw new MlflowError(res.status === 404 ? "RESOURCE_DOES_NOT_EXIST" : "INVALID_PARAMETER_VALUE", body.message ?? `Artifact upload failed: HTTP ${res.status} ${text}`);
  }
}

/** Writes text or bytes to `relPath` under an artifact root. */
export async function writeArtifact(rootUri: string, relPath: string, data: string | Uint8Array, transport: ArtifactTransport): Promise<void> {
  const bytes = typeof data === "string" ? Buffer.from(data) : Buffer.from(data);
  const url = proxyUrl(rootUri, relPath, transport);
  if (url) await put(url, bytes, bytes.byteLength);
  else await localRepo(transport).writeArtifact(rootUri, relPath, bytes);
}

/** Copies a local file to `<artifactPath>/<basename>` under an artifact root (streamed). */
export async function logArtifactFile(rootUri: string, localFile: string, artifactPath: string | undefined, transport: ArtifactTransport): Promise<void> {
  const url = proxyUrl(rootUri, joinPath(artifactPath, basename(localFile)), transport);
  if (!url) return localRepo(transport).logArtifact(rootUri, localFile, artifactPath);
  await put(url, createReadStream(localFile), (await stat(localFile)).size);
}

/** Copies a local folder's files, recursively, under `artifactPath` of an artifact root. */
export async function logArtifactTree(rootUri: string, localDir: string, artifactPath: string | undefined, transport: ArtifactTransport): Promise<void> {
  if (!proxyUrl(rootUri, "", transport)) return localRepo(transport).logArtifacts(rootUri, localDir, artifactPath);
  for (const entry of await readdir(localDir, { withFileTypes: true })) {
    const full = join(localDir, entry.name);
    if (entry.isDirectory()) await logArtifactTree(rootUri, full, joinPath(artifactPath, entry.name), transport);
    else if (entry.isFile()) await logArtifactFile(rootUri, full, artifactPath, transport);
  }
}

async function fetchOk(url: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (error) {
    throw new MlflowError("TEMPORARILY_UNAVAILABLE", `Cannot download artifact from ${url}: ${(error as Error).message}`);
  }
  if (res.ok) return res;
  const text = await res.text();
  let message = `Artifact download failed: HTTP ${res.status} ${text}`;
  try {
    message = (JSON.parse(text) as { message?: string }).message ?? message;
  } catch {
    // plain-text error
  }
  throw new MlflowError(res.status === 404 ? "RESOURCE_DOES_NOT_EXIST" : "INVALID_PARAMETER_VALUE", message);
}

/**
 * Copies `relPath` (a file or a folder) under an artifact root into `destDir`, keeping its relative
 * path; resolves to the local path of the copy. Proxied roots are listed and fetched over HTTP.
 */
export async function downloadArtifactTree(rootUri: string, relPath: string, destDir: string, transport: ArtifactTransport): Promise<string> {
  const loc = proxyLocation(rootUri, relPath, transport);
  if (!loc) return localRepo(transport).downloadArtifacts(rootUri, relPath, destDir);
  const rel = normalizeArtifactPath(relPath);
  const target = rel ? join(destDir, ...rel.split("/")) : destDir;
  // The proxy lists a folder's children and nothing for a file, as MLflow's does.
  const listing = (await (await fetchOk(`${loc.base}?path=${encodeURIComponent(loc.path)}`)).json()) as {
    files?: { path: string; is_dir: boolean }[];
  };
  const children = listing.files ?? [];
  if (children.length === 0 && rel !== "") {
    const res = await fetchOk(proxyUrl(rootUri, rel, transport)!);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, Buffer.from(await res.arrayBuffer()));
    return target;
  }
  await mkdir(target, { recursive: true });
  for (const child of children) {
    await downloadArtifactTree(rootUri, joinPath(rel, posix.basename(child.path)), destDir, transport);
  }
  return target;
}
