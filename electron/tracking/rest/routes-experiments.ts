/** Experiment endpoints (`experiments/*`), field names from MLflow's service.proto. */
import { MAX_DATASET_SUMMARIES_RESULTS, MAX_EXPERIMENT_IDS_PER_REQUEST, SEARCH_MAX_RESULTS_THRESHOLD } from "../limits.ts";
import { MlflowError, type TrackingStore } from "../types.ts";
import { api, type ApiRoute } from "./route.ts";

/** Distinct (experiment, dataset, context) triples of the runs of some experiments, as MLflow's UI lists them. */
async function searchDatasets(store: TrackingStore, experimentIds: string[]) {
  const seen = new Map<string, { experiment_id: string; name: string; digest: string; context?: string }>();
  let page_token: string | undefined;
  do {
    const page = await store.searchRuns({ experiment_ids: experimentIds, run_view_type: "ALL", max_results: SEARCH_MAX_RESULTS_THRESHOLD, page_token });
    for (const run of page.items) {
      for (const input of run.inputs.dataset_inputs) {
        const context = input.tags.find((t) => t.key === "mlflow.data.context")?.value;
        const summary = { experiment_id: run.info.experiment_id, name: input.dataset.name, digest: input.dataset.digest, context };
        seen.set(JSON.stringify(summary), summary);
      }
    }
    page_token = page.next_page_token;
  } while (page_token && seen.size < MAX_DATASET_SUMMARIES_RESULTS);
  return [...seen.values()].slice(0, MAX_DATASET_SUMMARIES_RESULTS);
}

/** The experiment routes. */
export const experimentRoutes: ApiRoute[] = [
  api("POST", "experiments/create", { name: "string!", artifact_location: "string", tags: "tags" }, async (a, { store }) => {
    if (a.artifact_location && /[#;]/.test(a.artifact_location)) {
      throw new MlflowError("INVALID_PARAMETER_VALUE", "'artifact_location' URL can't include fragments or params.");
    }
    return { experiment_id: await store.createExperiment(a.name, a.artifact_location || undefined, a.tags ?? []) };
  }),
  api(
    ["GET", "POST"],
    "experiments/search",
    { max_results: "int", page_token: "string", filter: "string", order_by: "strings", view_type: "view" },
    async (a, { store }) => {
      const page = await store.searchExperiments(a);
      return { experiments: page.items, next_page_token: page.next_page_token };
    },
  ),
  api("GET", "experiments/get", { experiment_id: "string!" }, async (a, { store }) => ({
    experiment: await store.getExperiment(a.experiment_id),
  })),
  api("GET", "experiments/get-by-name", { experiment_name: "string!" }, async (a, { store }) => {
    const experiment = await store.getExperimentByName(a.experiment_name);
    if (!experiment) {
      throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `Could not find experiment with name '${a.experiment_name}'`);
    }
    return { experiment };
  }),
  api("POST", "experiments/delete", { experiment_id: "string!" }, async (a, { store }) => {
    await store.deleteExperiment(a.experiment_id);
    return {};
  }),
  api("POST", "experiments/restore", { experiment_id: "string!" }, async (a, { store }) => {
    await store.restoreExperiment(a.experiment_id);
    return {};
  }),
  api("POST", "experiments/update", { experiment_id: "string!", new_name: "string!" }, async (a, { store }) => {
    await store.renameExperiment(a.experiment_id, a.new_name);
    return {};
  }),
  api(
    "POST",
    "experiments/set-experiment-tag",
    { experiment_id: "string!", key: "string!", value: "string" },
    async (a, { store }) => {
      await store.setExperimentTag(a.experiment_id, a.key, a.value ?? "");
      return {};
    },
  ),
  api("POST", "experiments/delete-experiment-tag", { experiment_id: "string!", key: "string!" }, async (a, { store }) => {
    await store.deleteExperimentTag(a.experiment_id, a.key);
    return {};
  }),
  api("POST", "experiments/search-datasets", { experiment_ids: "strings" }, async (a, { store }) => {
    const ids = a.experiment_ids ?? [];
    if (ids.length === 0) {
      throw new MlflowError("INVALID_PARAMETER_VALUE", "SearchDatasets request must specify at least one experiment_id.");
    }
    if (ids.length > MAX_EXPERIMENT_IDS_PER_REQUEST) {
      throw new MlflowError(
        "INVALID_PARAMETER_VALUE",
        `SearchDatasets request cannot specify more than ${MAX_EXPERIMENT_IDS_PER_REQUEST} experiment_ids. Received ${ids.length} experiment_ids.`,
      );
    }
    return { dataset_summaries: await searchDatasets(store, ids) };
  }),
];
