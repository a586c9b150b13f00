/**
 * Input checks with MLflow's limits (`../limits.ts`) and messages (`mlflow/utils/validation.py`): entity names,
 * value lengths, metric values, batch sizes. Every failure is INVALID_PARAMETER_VALUE.
 */
import { posix } from "node:path";
import {
  LENGTH_ERROR_QUOTE_LENGTH,
  MAX_ENTITIES_PER_BATCH,
  MAX_ENTITY_KEY_LENGTH,
  MAX_EXPERIMENT_NAME_LENGTH,
  MAX_METRICS_PER_BATCH,
  MAX_PARAM_VAL_LENGTH,
  MAX_PARAMS_TAGS_PER_BATCH,
  MAX_TAG_VAL_LENGTH,
} from "../limits.ts";
import { MlflowError } from "../types.ts";
import type { Metric, Param, RunTag } from "../types.ts";

/** Largest finite double; MLflow clamps ±Infinity to it because SQL cannot store infinities. */
export const MAX_DOUBLE = 1.7976931348623157e308;

const NAME_CHARS = /^[/\w.\- ]*$/;

function invalid(message: string): MlflowError {
  return new MlflowError("INVALID_PARAMETER_VALUE", message);
}

/** Checks a metric, param or tag key: allowed characters, no path escape, length. */
export function checkKey(kind: "metric" | "param" | "tag", key: unknown): asserts key is string {
  if (typeof key !== "string" || key === "") throw invalid(`Missing value for required parameter 'key' of ${kind}.`);
  if (!NAME_CHARS.test(key)) {
    throw invalid(
      `Invalid ${kind} name: '${key}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).`,
    );
  }
  // A key names a file in MLflow's file store, so it must not point anywhere else once normalised.
  if (posix.normalize(key) !== key || key.startsWith("/") || key === "." || key.split("/").includes("..")) {
    throw invalid(`Invalid ${kind} name: '${key}'. Names cannot resolve to a different path when normalized.`);
  }
  const label = kind === "param" ? "Param" : kind === "tag" ? "Tag" : "Metric";
  if (key.length > MAX_ENTITY_KEY_LENGTH) {
    throw invalid(`${label} key '${key}' had length ${key.length}, which exceeded length limit of ${MAX_ENTITY_KEY_LENGTH}`);
  }
}

function checkValueLength(label: string, value: string, limit: number): void {
  if (value.length > limit) {
    throw invalid(`${label} value '${value.slice(0, LENGTH_ERROR_QUOTE_LENGTH)}...' had length ${value.length}, which exceeded length limit of ${limit}`);
  }
}

/** Checks a param's key and value. */
export function checkParam(param: Param): void {
  checkKey("param", param.key);
  if (typeof param.value !== "string") throw invalid(`Param value for key '${param.key}' must be a string.`);
  checkValueLength("Param", param.value, MAX_PARAM_VAL_LENGTH);
}

/** Checks a run tag's key and value. */
export function checkTag(tag: RunTag): void {
  checkKey("tag", tag.key);
  if (typeof tag.value !== "string") throw invalid(`Tag value for key '${tag.key}' must be a string.`);
  checkValueLength("Tag", tag.value, MAX_TAG_VAL_LENGTH);
}

/**
 * Checks a metric's key, value, timestamp and step. `checkedKeys` lets a batch check each distinct
 * key once: keys repeat in nearly every point, and the key check (pattern, path normalisation) is
 * the costly part.
 */
export function checkMetric(metric: Metric, checkedKeys?: Set<string>): void {
  if (checkedKeys === undefined || !checkedKeys.has(metric.key)) {
    checkKey("metric", metric.key);
    checkedKeys?.add(metric.key);
  }
  if (typeof metric.value !== "number") {
    throw invalid(
      `Got invalid value ${String(metric.value)} for metric '${metric.key}' (timestamp=${metric.timestamp}). ` +
        "Please specify value as a valid double (64-bit floating point)",
    );
  }
  if (typeof metric.timestamp !== "number" || !Number.isFinite(metric.timestamp) || metric.timestamp < 0) {
    throw invalid(
      `Got invalid timestamp ${String(metric.timestamp)} for metric '${metric.key}' (value=${metric.value}). ` +
        "Timestamp must be a nonnegative long (64-bit integer) ",
    );
  }
  if (typeof metric.step !== "number" || !Number.isInteger(metric.step)) {
    throw invalid(
      `Got invalid step ${String(metric.step)} for metric '${metric.key}' (value=${metric.value}). ` +
        "Step must be a valid long (64-bit integer).",
    );
  }
}

/** Checks an experiment name: a non-empty string of at most `MAX_EXPERIMENT_NAME_LENGTH` characters. */
export function checkExperimentName(name: unknown): asserts name is string {
  if (typeof name !== "string" || name === "") throw invalid(`Invalid experiment name: '${String(name ?? "")}'`);
  if (name.length > MAX_EXPERIMENT_NAME_LENGTH) {
    throw invalid(`Experiment name '${name}' had length ${name.length}, which exceeded length limit of ${MAX_EXPERIMENT_NAME_LENGTH}`);
  }
}

/** Checks an experiment tag: MLflow's experiment tag limits equal the run tag ones, so it is checked as a run tag. */
export function checkExperimentTag(key: string, value: string): void {
  checkTag({ key, value });
}

/** Checks log-batch sizes against MLflow's per-request limits. */
export function checkBatchLimits(metrics: number, params: number, tags: number): void {
  const limit = (n: number, max: number, what: string): void => {
    if (n > max) {
      throw invalid(
        `A batch logging request can contain at most ${max} ${what}. Got ${n} ${what}. ` +
          `Please split up ${what} across multiple requests and try again.`,
      );
    }
  };
  limit(metrics, MAX_METRICS_PER_BATCH, "metrics");
  limit(params, MAX_PARAMS_TAGS_PER_BATCH, "params");
  limit(tags, MAX_PARAMS_TAGS_PER_BATCH, "tags");
  const total = metrics + params + tags;
  if (total > MAX_ENTITIES_PER_BATCH) {
    throw invalid(
      `A batch logging request can contain at most ${MAX_ENTITIES_PER_BATCH} total metrics, params and tags. Got ${total} total. ` +
        "Please split up metrics, params and tags across multiple requests and try again.",
    );
  }
}
