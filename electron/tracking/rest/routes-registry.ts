/** Model registry endpoints (`registered-models/*`, `model-versions/*`), field names from model_registry.proto. */
import { SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD, SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD } from "../limits.ts";
import { posix } from "node:path";
import { MlflowError, type TrackingStore } from "../types.ts";
import { invalid } from "./fields.ts";
import { api, type ApiRoute } from "./route.ts";

/** MLflow's max_results cap on the registry searches (GET routes, so the value was a query string). */
function atMost(max: number, value: number | undefined): void {
  if (value !== undefined && value > max) throw invalid("max_results", String(value));
}

/** Python's `urllib.parse.unquote_plus`, repeated until nothing changes (MLflow's loop). */
function fullyUnquote(text: string): string {
  for (;;) {
    const next = text.replace(/\+/g, " ").replace(/(%[0-9a-fA-F]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        // Python decodes invalid UTF-8 to U+FFFD; what matters here is that it stays no traversal.
        return run.replace(/%[0-9a-fA-F]{2}/g, (h) => String.fromCharCode(parseInt(h.slice(1), 16)));
      }
    });
    if (next === text) return text;
    text = next;
  }
}

/** A URI's scheme, host and path as Python's `urllib.parse.urlparse` splits them. */
function urlparse(uri: string): { scheme: string; host: string; path: string } {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/s.exec(uri);
  const scheme = m ? m[1]!.toLowerCase() : "";
  let rest = m ? m[2]! : uri;
  rest = rest.replace(/[?#].*$/s, "");
  let host = "";
  if (rest.startsWith("//")) {
    const end = rest.indexOf("/", 2);
    const netloc = end < 0 ? rest.slice(2) : rest.slice(2, end);
    rest = end < 0 ? "" : rest.slice(end);
    host = netloc.replace(/^.*@/, "").replace(/^\[([^\]]*)\].*$/, "$1").replace(/:\d*$/, "").toLowerCase();
  }
  return { scheme, host, path: rest };
}

/** `pathlib.Path(path).resolve()` without touching the disk: absolute, `.` and `..` folded. */
function resolvePath(path: string): string {
  return posix.resolve(path);
}

/**
 * MLflow's `is_local_uri` for a model version source: no scheme, or `file:` on this host. A `file:`
 * URI naming another host is MLflow's INTERNAL_ERROR (500), which its test suite pins.
 */
function isLocalSource(source: string): boolean {
  const { scheme, host } = urlparse(source);
  if (scheme === "") return true;
  const remote = host !== "" && !(host === "." || host.startsWith("localhost") || host.startsWith("127.0.0.1"));
  if (scheme === "file") {
    if (remote) {
      throw new MlflowError(
        "INTERNAL_ERROR",
        `${source} is not a valid remote uri. For remote access on windows, please consider using a different scheme such as SMB (e.g. smb://<hostname>/<path>).`,
      );
    }
    return true;
  }
  return false;
}

/** MLflow's `local_file_uri_to_path`: the path of a `file:` URI (percent-decoded), or the text itself. */
function localPath(uri: string): string {
  const path = uri.startsWith("file:") ? urlparse(uri).path : uri;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * MLflow's `_validate_source` for model-versions/create: a local source needs the run and must lie
 * inside that run's (local) artifact directory; any other source must be an absolute path with no
 * relative parts or NUL, however percent-encoded.
 */
async function validateSource(store: TrackingStore, source: string, runId: string | undefined): Promise<void> {
  if (isLocalSource(source)) {
    let shown = source;
    if (runId) {
      const run = await store.getRun(runId);
      const resolved = resolvePath(localPath(source));
      shown = resolved;
      const root = run.info.artifact_uri;
      if (isLocalSource(root)) {
        const dir = resolvePath(localPath(root));
        if (resolved === dir || resolved.startsWith(dir === "/" ? "/" : `${dir}/`)) return;
      }
    }
    throw new MlflowError(
      "INVALID_PARAMETER_VALUE",
      `Invalid model version source: '${shown}'. To use a local path as a model version source, the run_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the run_id.`,
    );
  }
  const decoded = fullyUnquote(source);
  const path = urlparse(decoded).path.replace(/\/+$/, "").replace(/\/+/g, "/");
  if (path.includes("\0") || resolvePath(path) !== path) {
    throw new MlflowError(
      "INVALID_PARAMETER_VALUE",
      `Invalid model version source: '${source}'. If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. Please provide an absolute path.`,
    );
  }
}

/** The registry routes. */
export const registryRoutes: ApiRoute[] = [
  api("POST", "registered-models/create", { name: "string!", tags: "tags", description: "string" }, async (a, { store }) => ({
    registered_model: await store.createRegisteredModel(a.name, a.tags ?? [], a.description),
  })),
  api("POST", "registered-models/rename", { name: "string!", new_name: "string!" }, async (a, { store }) => ({
    registered_model: await store.renameRegisteredModel(a.name, a.new_name),
  })),
  api("PATCH", "registered-models/update", { name: "string!", description: "string" }, async (a, { store }) => ({
    registered_model: await store.updateRegisteredModel(a.name, a.description ?? ""),
  })),
  api("DELETE", "registered-models/delete", { name: "string!" }, async (a, { store }) => {
    await store.deleteRegisteredModel(a.name);
    return {};
  }),
  api("GET", "registered-models/get", { name: "string!" }, async (a, { store }) => ({
    registered_model: await store.getRegisteredModel(a.name),
  })),
  api(
    "GET",
    "registered-models/search",
    { filter: "string", max_results: "int", order_by: "strings", page_token: "string" },
    async (a, { store }) => {
      atMost(SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD, a.max_results);
      const page = await store.searchRegisteredModels(a);
      return { registered_models: page.items, next_page_token: page.next_page_token };
    },
  ),
  api(["GET", "POST"], "registered-models/get-latest-versions", { name: "string!", stages: "strings" }, async (a, { store }) => ({
    // Protobuf cannot tell an empty list from an absent one: both mean every stage.
    model_versions: await store.getLatestVersions(a.name, a.stages?.length ? a.stages : undefined),
  })),
  api("POST", "registered-models/set-tag", { name: "string!", key: "string!", value: "string" }, async (a, { store }) => {
    await store.setRegisteredModelTag(a.name, a.key, a.value ?? "");
    return {};
  }),
  api("DELETE", "registered-models/delete-tag", { name: "string!", key: "string!" }, async (a, { store }) => {
    await store.deleteRegisteredModelTag(a.name, a.key);
    return {};
  }),
  api("POST", "registered-models/alias", { name: "string!", alias: "string!", version: "string!" }, async (a, { store }) => {
    await store.setRegisteredModelAlias(a.name, a.alias, a.version);
    return {};
  }),
  api("DELETE", "registered-models/alias", { name: "string!", alias: "string!" }, async (a, { store }) => {
    await store.deleteRegisteredModelAlias(a.name, a.alias);
    return {};
  }),
  api("GET", "registered-models/alias", { name: "string!", alias: "string!" }, async (a, { store }) => ({
    model_version: await store.getModelVersionByAlias(a.name, a.alias),
  })),
  api(
    "POST",
    "model-versions/create",
    { name: "string!", source: "string!", run_id: "string", tags: "tags", run_link: "string", description: "string" },
    async (a, { store }) => {
      await validateSource(store, a.source, a.run_id);
      return { model_version: await store.createModelVersion({ ...a, tags: a.tags ?? [] }) };
    },
  ),
  api("PATCH", "model-versions/update", { name: "string!", version: "string!", description: "string" }, async (a, { store }) => ({
    model_version: await store.updateModelVersion(a.name, a.version, a.description ?? ""),
  })),
  api(
    "POST",
    "model-versions/transition-stage",
    { name: "string!", version: "string!", stage: "string!", archive_existing_versions: "bool" },
    async (a, { store }) => ({
      model_version: await store.transitionModelVersionStage(a.name, a.version, a.stage, a.archive_existing_versions ?? false),
    }),
  ),
  api("DELETE", "model-versions/delete", { name: "string!", version: "string!" }, async (a, { store }) => {
    await store.deleteModelVersion(a.name, a.version);
    return {};
  }),
  api("GET", "model-versions/get", { name: "string!", version: "string!" }, async (a, { store }) => ({
    model_version: await store.getModelVersion(a.name, a.version),
  })),
  api(
    "GET",
    "model-versions/search",
    { filter: "string", max_results: "int", order_by: "strings", page_token: "string" },
    async (a, { store }) => {
      atMost(SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD, a.max_results);
      const page = await store.searchModelVersions(a);
      return { model_versions: page.items, next_page_token: page.next_page_token };
    },
  ),
  api("GET", "model-versions/get-download-uri", { name: "string!", version: "string!" }, async (a, { store }) => ({
    artifact_uri: await store.getModelVersionDownloadUri(a.name, a.version),
  })),
  api(
    "POST",
    "model-versions/set-tag",
    { name: "string!", version: "string!", key: "string!", value: "string" },
    async (a, { store }) => {
      await store.setModelVersionTag(a.name, a.version, a.key, a.value ?? "");
      return {};
    },
  ),
  api("DELETE", "model-versions/delete-tag", { name: "string!", version: "string!", key: "string!" }, async (a, { store }) => {
    await store.deleteModelVersionTag(a.name, a.version, a.key);
    return {};
  }),
];
