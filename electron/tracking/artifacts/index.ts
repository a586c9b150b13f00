/**
 * Local artifact storage: URI resolution (file:, absolute paths, mlflow-artifacts:), path safety,
 * and the repository used by the host, the REST artifact proxy and the in-process client.
 */
export { LocalArtifactRepo } from "./local-repo.ts";
export type { ArtifactFileInfo, ArtifactStream } from "./local-repo.ts";
export { decodePathPart, normalizeArtifactPath, proxyArtifactPath } from "./paths.ts";
export { resolveArtifactUri, resolveLocalArtifactLocation } from "./uri.ts";
export type { ArtifactLocationOptions } from "./uri.ts";
