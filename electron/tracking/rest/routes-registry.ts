/** Model registry endpoints (`registered-models/*`, `model-versions/*`), field names from model_registry.proto. */
import { SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD, SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD } from "../limits.ts";
import { MlflowError, type TrackingStore } from "../types.ts";
import { api, type ApiRoute } from "./route.ts";

function atMost(max: number, value: number | undefined): void {
  if (value !== undefined && value > max) {
    throw new MlflowError(
      "INVALID_PARAMETER_VALUE",
      `Invalid value ${value} for parameter 'max_results' supplied. It must be at most ${max}.`,
    );
  }
}

function fullyDecode(text: string): string {
  for (;;) {
    let next: string;
    try {
      next = decodeURIComponent(text.replace(/\+/g, " "));
    } catch {
      return text;
    }
    if (next === text) return text;
    text = next;
  }
}

/**
 * MLflow's model-version source check: a source must not climb out of its location with `..` or
 * smuggle a NUL (also when percent-encoded), and a local path must lie inside the run's artifacts.
 */
async function validateSource(store: TrackingStore, source: string, runId: string | undefined): Promise<void> {
  const decoded = fullyDecode(source);
  const local = !/^[a-zA-Z][\w+.-]*:/.test(decoded) || decoded.startsWith("file:");
  const path = decoded.replace(/^[a-zA-Z][\w+.-]*:(\/\/[^/]*)?/, "");
  if (path.includes("\0") || path.split("/").includes("..")) {
    throw new MlflowError(
      "INVALID_PARAMETER_VALUE",
      `Invalid model version source: '${source}'. If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. Please provide an absolute path.`,
    );
  }
  if (!local) return;
  if (runId) {
    const root = (await store.getRun(runId)).info.artifact_uri.replace(/^file:(\/\/)?/, "").replace(/\/+$/, "");
    if (path === root || path.startsWith(`${root}/`)) return;
  }
  throw new MlflowError(
    "INVALID_PARAMETER_VALUE",
    `Invalid model version source: '${source}'. To use a local path as a model version source, the run_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the run_id.`,
  );
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
