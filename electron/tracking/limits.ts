/**
 * MLflow's limits, each named once: the store and registry enforce them, the REST routes repeat the
 * server's own request checks, and clients split or cut their writes to fit them. Names are
 * MLflow's (where it names the number), so each can be looked up in MLflow's sources: lengths and
 * batch sizes in `mlflow/utils/validation.py`, search pages in `mlflow/store/tracking/__init__.py`
 * and `mlflow/store/model_registry/__init__.py`, request caps in `mlflow/server/handlers.py`.
 * Lengths count characters.
 */

// ─── lengths ────────────────────────────────────────────────────────────────────────────────────

/** Longest key of a metric, param or run tag (experiment tag keys: MLflow's MAX_EXPERIMENT_TAG_KEY_LENGTH, the same 250). */
export const MAX_ENTITY_KEY_LENGTH = 250;
/** Longest param value (it was 250, then 500; service.proto's comment still says 250). */
export const MAX_PARAM_VAL_LENGTH = 6000;
/** Longest run tag value (experiment tag values: MLflow's MAX_EXPERIMENT_TAG_VAL_LENGTH, the same 5000). */
export const MAX_TAG_VAL_LENGTH = 5000;
/** Longest experiment name. */
export const MAX_EXPERIMENT_NAME_LENGTH = 500;
/** Longest key of a registered model's or a model version's tag. */
export const MAX_MODEL_REGISTRY_TAG_KEY_LENGTH = 250;
/** Longest value of a registered model's or a model version's tag. */
export const MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH = 5000;
/** Longest registered model alias. */
export const MAX_REGISTERED_MODEL_ALIAS_LENGTH = 255;
/** Longest dataset name in log-inputs. */
export const MAX_DATASET_NAME_SIZE = 500;
/** Longest dataset digest. */
export const MAX_DATASET_DIGEST_SIZE = 36;
/** Longest dataset source (64 KB − 1, MLflow's TEXT column). */
export const MAX_DATASET_SOURCE_SIZE = 65_535;
/** Longest dataset schema (1 MB − 1). */
export const MAX_DATASET_SCHEMA_SIZE = 1_048_575;
/** Longest dataset profile (16 MB − 1, MLflow's MEDIUMTEXT column). */
export const MAX_DATASET_PROFILE_SIZE = 16_777_215;
/** Longest key of a dataset input's tag (e.g. `mlflow.data.context`). */
export const MAX_INPUT_TAG_KEY_SIZE = 255;
/** Longest value of a dataset input's tag. */
export const MAX_INPUT_TAG_VALUE_SIZE = 500;
/** Not a limit: how much of an over-long value a length error quotes (`value[:250]` in `_validate_length_limit`). */
export const LENGTH_ERROR_QUOTE_LENGTH = 250;

// ─── log-batch ──────────────────────────────────────────────────────────────────────────────────

/** Most metrics in one log-batch request. */
export const MAX_METRICS_PER_BATCH = 1000;
/** Most params, and separately most tags, in one log-batch request. */
export const MAX_PARAMS_TAGS_PER_BATCH = 100;
/** Most metrics, params and tags together in one log-batch request. */
export const MAX_ENTITIES_PER_BATCH = 1000;

// ─── search pages ───────────────────────────────────────────────────────────────────────────────

/** Runs or experiments a search returns when it does not say how many. */
export const SEARCH_MAX_RESULTS_DEFAULT = 1000;
/** Most runs or experiments one search page may ask for. */
export const SEARCH_MAX_RESULTS_THRESHOLD = 50_000;
/** Runs the fluent `searchRuns` collects over pages when not told (`mlflow/tracking/fluent.py`). */
export const SEARCH_MAX_RESULTS_PANDAS = 100_000;
/** Registered models a search returns when it does not say how many. */
export const SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT = 100;
/** Most registered models one search page may ask for. */
export const SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD = 1000;
/** Model versions a search returns when it does not say how many (MLflow 2.x; 3.x lowered it to 1000). */
export const SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT = 10_000;
/** Most model versions one search page may ask for. */
export const SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD = 200_000;

// ─── server request caps ────────────────────────────────────────────────────────────────────────

/** Most run ids one get-history-bulk or get-history-bulk-interval request may name (MAX_RUN_IDS_PER_REQUEST in the former). */
export const MAX_RUNS_GET_METRIC_HISTORY_BULK = 100;
/** Largest sample per run a get-history-bulk-interval request may ask for. */
export const MAX_RESULTS_PER_RUN = 2500;
/** Most points one get-history-bulk response holds, over all its runs. */
export const MAX_HISTORY_RESULTS = 25_000;
/** Most experiment ids one search-datasets request may name. */
export const MAX_EXPERIMENT_IDS_PER_REQUEST = 20;
/** Largest body the UI's `upload-artifact` takes (10 MB). */
export const MAX_UPLOAD_ARTIFACT_BYTES = 10 * 1024 * 1024;
/** Most dataset summaries one search-datasets response holds. */
export const MAX_DATASET_SUMMARIES_RESULTS = 1000;
